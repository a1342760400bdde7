import { afterEach, describe, expect, it } from 'vitest';
import { slotStartFor } from '#common';
import type { AppliedReport } from '../support/odoo-stand-in.js';
import { quake3Handler } from '../support/quake3-responder.js';
import { waitFor } from '../support/wait-for.js';
import { FaultSystem, isReplay, sleepUntil } from './support/fault-system.js';

/** Processes die at once, as under the OOM killer: no shutdown hook runs. */
describe('killed processes', () => {
  let system: FaultSystem | undefined;
  afterEach(async () => {
    await system?.stop();
    system = undefined;
  });

  it('a poll worker killed mid-job: its jobs are recovered inside their slots and polled once more', async () => {
    // Queries take 0.8 s of a 1 s timeout, so jobs are in hand long enough to be caught; the
    // poll lock is then 15 s (its floor) and the stalled check runs every 7.5 s, so a dead
    // worker's job is back within about 22.5 s: the interval leaves that room inside the slot.
    const pollTimeout = { POLL_TIMEOUT_MS: '1000' };
    const answerMs = 800;
    system = await FaultSystem.start({ name: 'kill-worker', servers: 12, intervalS: 30 });
    const sys = system;
    /** Queries not answered yet, by the querying process's UDP port (one socket per process). */
    const pending = new Map<number, Set<number>>();
    const seenPorts: number[] = [];
    sys.responders.forEach((responder, i) => {
      const serverId = sys.serverIds[i] ?? -1;
      const answer = quake3Handler({
        info: { sv_hostname: `slow ${i}`, mapname: 'q3dm17', sv_maxclients: '16' },
        players: [],
      });
      responder.setHandler((request) => {
        const port = request.from.port;
        if (!seenPorts.includes(port)) seenPorts.push(port);
        const open = pending.get(port) ?? new Set<number>();
        pending.set(port, open.add(serverId));
        setTimeout(() => {
          open.delete(serverId);
          answer(request);
        }, answerMs);
      });
    });

    await sys.startPoller('scheduler');
    await sys.startPoller('writer');
    // The first worker alone, so that the first port seen is its own.
    const doomed = await sys.startPoller('worker', pollTimeout, 'worker-1');
    await waitFor('the first worker to query', () => seenPorts.length >= 1, { timeoutMs: 30_000 });
    const doomedPort = seenPorts[0];
    await sys.startPoller('worker', pollTimeout, 'worker-2');
    const from = Date.now() + 2_000;
    await waitFor('the second worker to query', () => seenPorts.length >= 2, {
      timeoutMs: 30_000,
    });

    // Killed in the same turn as the look at its queries, so none of them can be answered
    // in between: exactly these jobs die with it. Queries started after `from` belong to
    // slots the account covers.
    await sleepUntil(from + answerMs);
    let killed: number[] = [];
    await waitFor(
      'the first worker to have queries in flight',
      () => {
        const open = pending.get(doomedPort ?? -1);
        if (!open || open.size === 0) return false;
        killed = [...open];
        void doomed.kill();
        return true;
      },
      { timeoutMs: 60_000, everyMs: 10 },
    );
    // A job is polled as its slot starts, so the killed ones belong to the slots running at
    // the kill; they are due back well inside them, and settle() waits for them.
    const killedSlots = killed.map((serverId) => ({
      serverId,
      slotStart: slotStartFor(serverId, sys.intervalMs, Date.now()),
    }));
    const to = Date.now() + sys.intervalMs;
    await sleepUntil(to);

    const slots = sys.slots(from, to);
    expect(slots).toEqual(expect.arrayContaining(killedSlots));
    await sys.settle(slots, 30_000);
    const account = sys.account('poll worker SIGKILLed mid-job', slots);
    expect(account.examples).toEqual([]);
    expect(account).toMatchObject({ lost: 0, duplicated: 0, applied: slots.length });
    expect(sys.bucketMismatches()).toEqual([]);
    expect(killed.length).toBeGreaterThan(0);
    // The killed worker's queries are the only ones without a report, one each: the job came
    // back and the second worker polled it again; no other server was polled twice.
    await sys.stopPollers();
    const extra = sys.queryMismatches().map((m) => ({
      serverId: m.serverId,
      extra: m.queries - m.applied,
    }));
    expect(extra.sort((a, b) => a.serverId - b.serverId)).toEqual(
      killed.sort((a, b) => a - b).map((serverId) => ({ serverId, extra: 1 })),
    );
  });

  it('the writer killed after Odoo committed, before its ack: the standby replays the batch and nothing counts twice', async () => {
    // 4 s: a poll job left waiting past its slot under CI load is skipped by design, which this
    // test (about the writer) must not count.
    system = await FaultSystem.start({ name: 'kill-ack', servers: 12, intervalS: 4 });
    const sys = system;
    const odoo = sys.odoo;
    await sys.startPoller('scheduler');
    await sys.startPoller('worker');
    const leader = await sys.startPoller('writer', {}, 'writer-1');
    // Started once the first writer writes, so the first one holds the lease.
    await waitFor('the first writer to write', () => sys.applyCalls().some((c) => c.ok), {
      timeoutMs: 30_000,
    });
    const standby = await sys.startPoller('writer', {}, 'writer-2');
    const from = Date.now() + sys.intervalMs;
    await sleepUntil(from + sys.intervalMs);

    let committed: readonly AppliedReport[] = [];
    let callsAtKill = 0;
    odoo.onCommit(async (call, answer) => {
      if (call.method !== 'apply_status_reports' || !call.applied?.length || committed.length) {
        return;
      }
      committed = call.applied;
      callsAtKill = sys.applyCalls().length;
      // Dead before the answer could reach it: Odoo has the batch, Redis still has it locked.
      await leader.kill();
      answer.hangUp();
    });
    await waitFor('a batch committed and its writer killed', () => committed.length > 0, {
      timeoutMs: 30_000,
    });
    odoo.onCommit(undefined);
    const replayed = () => sys.applyCalls().slice(callsAtKill).some(isReplay);
    // The standby takes the lease (at most LEASE_MS, 10 s) and the stalled check hands it the
    // dead writer's batch once its locks expire (LOCK_MS 10 s, checked every 5 s).
    await waitFor('the standby to replay the batch', replayed, { timeoutMs: 60_000 });
    const to = Date.now() + 2 * sys.intervalMs;
    await sleepUntil(to);

    const slots = sys.slots(from, to);
    await sys.settle(slots, 30_000);
    const account = sys.account('writer SIGKILLed after commit, before ack', slots);
    expect(account.examples).toEqual([]);
    expect(account).toMatchObject({ lost: 0, duplicated: 0, applied: slots.length });
    expect(sys.bucketMismatches()).toEqual([]);
    expect(standby.running).toBe(true);
    // Each report of the killed batch is in Odoo once, not again from the replay.
    const key = (r: AppliedReport) =>
      `${r.server_id}@${r.checked_at}@${String(r['checked_at_ms'])}`;
    const appliedKeys = sys.applied().map(key);
    expect(new Set(appliedKeys).size).toBe(appliedKeys.length);
    for (const report of committed) {
      expect(appliedKeys.filter((k) => k === key(report))).toHaveLength(1);
    }
    await sys.stopPollers();
    expect(sys.queryMismatches()).toEqual([]);
  });
});
