import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppExit, AppProcess } from '../support/app-process.js';
import type { ServerSlot } from './support/account.js';
import { FaultSystem, sleepUntil } from './support/fault-system.js';

const SERVERS = 20;
/**
 * Long enough that a scheduler process restarts (boot, catalog read, first tick) inside one
 * slot even on a loaded machine: then no slot passes with nobody to enqueue it.
 */
const INTERVAL_S = 6;
/** The fault system's SCHEDULER_TICK_MS: a slot is enqueued at most this long after it starts. */
const TICK_MS = 100;
/** From a scheduler's ready line to its first tick: the catalog read (one RPC) and a tick. */
const FIRST_TICK_MARGIN_MS = 1_000;

/**
 * Schedulers that overlap or die: two running at once after a bad deploy, one killed outright
 * and restarted, one stopped gracefully and restarted. Every scheduler computes the same slots
 * and job ids, so a second one, or a restarted one enqueuing its current slots again, must add
 * no second poll; and a restart inside a slot must cost no slot.
 */
describe('schedulers: two at once, and restarts inside a slot', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start({
      name: 'schedulers',
      servers: SERVERS,
      intervalS: INTERVAL_S,
    });
  });
  afterAll(() => system?.stop());

  /**
   * Ends `scheduler` with `signal` and starts its successor. Between the last tick the old one
   * can have made and the first the new one makes, nobody enqueues: a slot that begins and
   * ends inside that gap cannot be polled by anyone, and is the only loss a restart may cost.
   */
  async function restart(
    scheduler: AppProcess,
    signal: 'SIGKILL' | 'SIGTERM',
    label: string,
  ): Promise<{
    successor: AppProcess;
    exit: AppExit;
    downMs: number;
    unscheduled: (slot: ServerSlot) => boolean;
  }> {
    const stoppedAt = Date.now();
    const exit = await scheduler.stop(signal);
    const successor = await system.startPoller('scheduler', {}, label);
    const readyAt = Date.now();
    return {
      successor,
      exit,
      downMs: readyAt - stoppedAt,
      unscheduled: ({ slotStart }) =>
        slotStart >= stoppedAt - TICK_MS &&
        slotStart + system.intervalMs <= readyAt + FIRST_TICK_MARGIN_MS,
    };
  }

  it('polls every server once per slot through two schedulers, a SIGKILL restart and a SIGTERM restart', async () => {
    const intervalMs = system.intervalMs;
    await system.startPoller('worker');
    await system.startPoller('writer');
    const first = await system.startPoller('scheduler', {}, 'scheduler-a');
    const second = await system.startPoller('scheduler', {}, 'scheduler-b');

    // Phase 1: both schedulers enqueue every slot; the job ids must collapse them to one poll.
    const from = Date.now() + intervalMs;
    const killedPhase = from + 2 * intervalMs;
    await sleepUntil(killedPhase);
    await second.stop('SIGTERM');

    // Phase 2: a whole slot after the last two-scheduler slot ended, the scheduler is killed
    // and a new one started. Slots touched by the restart start between one interval before
    // the kill and the restart's end, all inside [killedPhase, terminatedPhase).
    await sleepUntil(killedPhase + intervalMs);
    const killed = await restart(first, 'SIGKILL', 'scheduler-c');
    const terminatedPhase = killedPhase + 3 * intervalMs;

    // Phase 3: the same with a graceful stop.
    await sleepUntil(terminatedPhase + intervalMs);
    const terminated = await restart(killed.successor, 'SIGTERM', 'scheduler-d');
    const to = terminatedPhase + 3 * intervalMs;
    await sleepUntil(to);

    expect(killed.exit.signal).toBe('SIGKILL');
    // Stopped by itself on SIGTERM (a clean close exits 0), not killed at the end of the grace period.
    expect(terminated.exit).toEqual({ code: 0, signal: null });

    const phases = [
      { fault: 'two schedulers at once', from, to: killedPhase, excused: () => false },
      {
        fault: 'scheduler SIGKILLed and restarted inside a slot',
        from: killedPhase,
        to: terminatedPhase,
        excused: killed.unscheduled,
      },
      {
        fault: 'scheduler SIGTERMed and restarted inside a slot',
        from: terminatedPhase,
        to,
        excused: terminated.unscheduled,
      },
    ].map((phase) => ({
      ...phase,
      slots: system.slots(phase.from, phase.to, phase.excused),
      all: system.slots(phase.from, phase.to).length,
    }));
    console.log(
      `schedulers: ${killed.downMs} ms without a scheduler after SIGKILL, ${terminated.downMs} ms after SIGTERM (interval ${intervalMs} ms); slots excused as unschedulable: ${phases.map((p) => p.all - p.slots.length).join(' / ')}`,
    );
    await system.settle(
      phases.flatMap((p) => p.slots),
      15_000,
    );
    // Whole intervals per phase: 2, 3 and 3 slots of every server, less the excused ones.
    expect(phases.map((p) => p.all)).toEqual([2, 3, 3].map((n) => n * SERVERS));
    for (const phase of phases) {
      const account = system.account(phase.fault, phase.slots);
      expect(account.examples).toEqual([]);
      expect(account).toMatchObject({ applied: phase.slots.length, lost: 0, duplicated: 0 });
    }
    expect(system.bucketMismatches()).toEqual([]);
    await system.stopPollers();
    // Two schedulers, or a restarted one, never made a game server answer twice for one slot.
    expect(system.queryMismatches()).toEqual([]);
  });
});
