import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineReport } from '#common';
import type { AppProcess } from '../support/app-process.js';
import { type ServerSlot, accountSlots } from './support/account.js';
import { FaultSystem, sleepUntil } from './support/fault-system.js';
import { reportJobs, reportQueue } from '../support/report-queue.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A slot that starts this long before Redis goes down may have its poll job enqueued and not
 * yet taken (the scheduler adds it within a tick of 100 ms, a worker takes it within
 * milliseconds; one second covers a loaded machine). That job waits out the outage, and its
 * slot is over when Redis is back, so the worker skips it: the slot in flight at the stop.
 */
const IN_FLIGHT_MS = 1_000;

interface Variant {
  name: string;
  appendOnly: boolean;
  signal: 'SIGTERM' | 'SIGKILL';
}

/**
 * Redis goes away for two intervals under a running system (scheduler, worker and writer as
 * separate processes) and comes back on the same port. Every process must reconnect by itself
 * and carry on; only slots that start during the outage (and the one in flight at its start)
 * may go unreported.
 *
 * Odoo is down from two intervals before the stop until Redis is back, so that the report
 * queue holds a backlog of reports not yet written when Redis stops (the writer holds one
 * batch in memory and retries it; the rest wait in Redis):
 * - Redis with an append-only file (as docker-compose.yml runs it), stopped gracefully: the
 *   backlog is on disk and comes back, so nothing outside the outage window is lost.
 * - Redis without persistence, killed: it comes back empty. Exactly the reports that were
 *   waiting in the report queue at the kill are lost (their polls were made, their reports
 *   gone with the data); the batches in the writer's hand still reach Odoo. In this run that
 *   is about two intervals' worth of reports of every server: the price of running Redis
 *   without persistence.
 */
describe.each<Variant>([
  { name: 'append-only file, graceful stop', appendOnly: true, signal: 'SIGTERM' },
  { name: 'no persistence, killed', appendOnly: false, signal: 'SIGKILL' },
])('Redis restarted mid-run ($name)', ({ name, appendOnly, signal }) => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start({
      name: `redis-${appendOnly ? 'aof' : 'none'}`,
      servers: 10,
      // Long enough that a slot starting just after Redis is back is still open once every
      // client has reconnected (their retry delay grows to 2 s during an outage).
      intervalS: 4,
      privateRedis: { appendOnly },
    });
  });
  afterAll(() => system?.stop());

  it('every process reconnects and only the outage costs slots', async () => {
    const interval = system.intervalMs;
    const redis = system.privateRedis;
    const processes: AppProcess[] = [
      await system.startPoller('scheduler'),
      await system.startPoller('worker'),
      await system.startPoller('writer'),
    ];
    const from = Date.now() + interval;

    await sleepUntil(from + interval);
    await system.odoo.setDown(true);
    await sleepUntil(from + 3 * interval);
    const queued = await waitingReports(system);
    const downAt = Date.now();
    await redis.halt(signal);
    await sleepUntil(downAt + 2 * interval);
    await redis.restart();
    const upAt = Date.now();
    await system.odoo.setDown(false);
    const to = upAt + 3 * interval;
    await sleepUntil(to);

    const inOutage = (slot: ServerSlot): boolean =>
      slot.slotStart >= downAt - IN_FLIGHT_MS && slot.slotStart < upAt;
    // Without persistence, the backlog waiting in Redis is gone with it.
    const lostWithRedis = (slot: ServerSlot): boolean =>
      !appendOnly && queued.has(`${slot.serverId}@${slot.slotStart}`);
    const slots = system.slots(from, to, (slot) => inOutage(slot) || lostWithRedis(slot));
    await system.settle(slots, 60_000);
    const account = system.account(`Redis restarted (${name})`, slots);
    expect(account.examples).toEqual([]);
    expect(account).toMatchObject({ lost: 0, duplicated: 0, applied: slots.length });
    expect(system.bucketMismatches()).toEqual([]);
    expect(processes.filter((p) => !p.running).map((p) => p.label)).toEqual([]);

    // The backlog was there to lose (or keep), outside the outage window.
    const backlog = [...queued.values()].filter((slot) => !inOutage(slot));
    expect(backlog.length).toBeGreaterThan(system.serverIds.length);
    const kept = accountSlots('backlog', backlog, system.applied(), interval);
    expect(kept.applied).toBe(appendOnly ? backlog.length : 0);
  });
});

/** Reports waiting in the report queue (not in the writer's hand), by `server@slot`. */
async function waitingReports(system: FaultSystem): Promise<Map<string, ServerSlot>> {
  const queue = reportQueue(system.prefix, system.redisUrl);
  try {
    const jobs = await queue.getWaiting();
    return new Map(
      jobs.map((job) => [
        `${job.data.serverId}@${job.data.slotStart}`,
        { serverId: job.data.serverId, slotStart: job.data.slotStart },
      ]),
    );
  } finally {
    await queue.close();
  }
}

/**
 * The writer holds two batches while Odoo is down: the one it retries and the next one,
 * collected ahead. Redis without persistence is killed and comes back empty (and the writer's
 * lease with it), so those reports exist only in the writer's memory: once Odoo is back, both
 * batches must reach it.
 */
describe('Redis restarted empty while the writer holds two batches', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start({
      name: 'redis-held',
      servers: 2,
      intervalS: 60,
      privateRedis: { appendOnly: false },
    });
  });
  afterAll(() => system?.stop());

  it('writes the batch in retry and the batch collected ahead once Odoo is back', async () => {
    const [a, b] = system.serverIds as [number, number];
    const at = Date.now() - 60_000;
    const reports = [a, b, a, b].map((serverId, i) => ({
      ...offlineReport(serverId, new Date(at + i * 1_000), { code: 'timeout', message: 'test' }),
      slotStart: at + i * 1_000,
    }));
    await system.odoo.setDown(true);
    const queue = reportQueue(system.prefix, system.redisUrl);
    try {
      await queue.addBulk(reportJobs(reports));
      await system.startPoller('writer', { WRITER_BATCH_SIZE: '2' });
      await waitFor('both batches in the writer: one in retry, one collected ahead', async () =>
        (await queue.getActiveCount()) === 4 ? true : undefined,
      );
    } finally {
      await queue.close();
    }
    await system.privateRedis.halt('SIGKILL');
    // Down past a renewal of the writer's lease (every 3 s), so the writer loses the lease.
    await new Promise((wake) => setTimeout(wake, 4_000));
    await system.privateRedis.restart();
    await system.odoo.setDown(false);

    await waitFor('four reports applied', () => (system.applied().length >= 4 ? true : undefined), {
      timeoutMs: 45_000,
    });
    const byTime = (x: number, y: number) => x - y;
    expect(
      system
        .applied()
        .map((r) => Number(r.checked_at_ms))
        .sort(byTime),
    ).toEqual(reports.map((r) => r.slotStart).sort(byTime));
  });
});
