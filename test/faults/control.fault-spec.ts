import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultSystem } from './support/fault-system.js';

/**
 * The control row of the fault table: the same system with nothing broken. If this one loses
 * or doubles a report, the other rows mean nothing.
 */
describe('no fault (control)', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start({ name: 'control', servers: 20, intervalS: 2 });
  });
  afterAll(() => system?.stop());

  it('every server is reported exactly once per slot', async () => {
    await system.startPoller('scheduler');
    await system.startPoller('worker');
    await system.startPoller('writer');
    // The first slot after start may be partly missed (the catalog arrives mid-slot): count whole slots after it.
    const from = Date.now() + system.intervalMs;
    const to = from + 4 * system.intervalMs;
    await new Promise((wake) => setTimeout(wake, to - Date.now()));
    const slots = system.slots(from, to);
    await system.settle(slots, 10_000);
    const account = system.account('none (control)', slots);
    expect(account.examples).toEqual([]);
    expect(account).toMatchObject({ expected: 80, applied: 80, lost: 0, duplicated: 0 });
    expect(system.bucketMismatches()).toEqual([]);
    // Stop polling before comparing, so no query is in flight without its report.
    await system.stopPollers();
    expect(system.queryMismatches()).toEqual([]);
  });
});
