import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppExit, AppProcess } from '../support/app-process.js';
import { FaultSystem, sleepUntil } from './support/fault-system.js';

const SERVERS = 20;

/**
 * A rolling deploy while the system runs: each process in turn (scheduler, both poll workers,
 * the writer) gets its replacement started, then SIGTERM. Each must stop by itself, finishing
 * or handing back what it holds, and across the whole roll no report may be lost or doubled.
 */
describe('SIGTERM: a rolling restart of every process', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start({ name: 'rolling', servers: SERVERS, intervalS: 2 });
  });
  afterAll(() => system?.stop());

  it('stops each process by itself and loses or doubles no report across the roll', async () => {
    const intervalMs = system.intervalMs;
    const roles = [
      { name: 'scheduler', role: 'scheduler' },
      { name: 'worker-1', role: 'worker' },
      { name: 'worker-2', role: 'worker' },
      { name: 'writer', role: 'writer' },
    ];
    const old: AppProcess[] = [];
    for (const { name, role } of roles) old.push(await system.startPoller(role, {}, `${name}-old`));
    const from = Date.now() + intervalMs;
    const stops: { process: string; ms: number; exit: AppExit | undefined }[] = [];
    // One process a slot, the replacement up before the old one goes, as a rolling deploy does.
    for (const [i, { name, role }] of roles.entries()) {
      await sleepUntil(from + (i + 1) * intervalMs);
      await system.startPoller(role, {}, `${name}-new`);
      const stoppedAt = performance.now();
      const exit = await old[i]?.stop('SIGTERM');
      stops.push({
        process: name,
        ms: Math.round(performance.now() - stoppedAt),
        exit,
      });
    }
    // Two whole slots after the last stop, so the writer's hand-over is inside the window.
    const slotsRun = Math.ceil((Date.now() + 2 * intervalMs - from) / intervalMs);
    const to = from + slotsRun * intervalMs;
    await sleepUntil(to);

    console.log(
      `rolling restart: stop took ${stops.map((s) => `${s.process} ${s.ms} ms`).join(', ')}`,
    );
    // Exit code 0 is a clean close; 1 would mean the close overran its deadline, SIGKILL that
    // it hung until AppProcess's grace period ran out.
    expect(stops.map((s) => ({ process: s.process, exit: s.exit }))).toEqual(
      roles.map(({ name }) => ({ process: name, exit: { code: 0, signal: null } })),
    );

    const slots = system.slots(from, to);
    await system.settle(slots, 15_000);
    const account = system.account('rolling restart (SIGTERM each process)', slots);
    expect(account.examples).toEqual([]);
    expect(account).toMatchObject({
      expected: SERVERS * slotsRun,
      applied: SERVERS * slotsRun,
      lost: 0,
      duplicated: 0,
    });
    expect(system.bucketMismatches()).toEqual([]);
    await system.stopPollers();
    expect(system.queryMismatches()).toEqual([]);
  });
});
