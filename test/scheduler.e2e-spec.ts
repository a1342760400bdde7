import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { type PollJobData, QueueName, redisConnection, slotStartFor } from '#common';
import { GAMES } from '#providers';
import { GAME_SERVER_GAME_MODEL, OdooStandIn } from './support/odoo-stand-in.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

const SERVERS = 25;
const INTERVAL_S = 3600;

/** A scheduler-only poller on `odoo` and the real Redis under `prefix`. */
function schedulerEnv(
  odoo: OdooStandIn,
  prefix: string,
  timings: { POLL_INTERVAL_S: string; SCHEDULER_TICK_MS: string; CATALOG_SYNC_MS: string },
): Record<string, string> {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ...odoo.clientEnv,
    POLLER_ROLES: 'scheduler',
    ...timings,
  };
}

/** Two schedulers at once, and one restarted inside a slot, still enqueue one poll per server per slot. */
describe('scheduler', () => {
  const prefix = uniquePrefix('scheduler');
  const odoo = new OdooStandIn();
  let env: Record<string, string>;
  let queue: Queue<PollJobData>;
  const schedulers: INestApplicationContext[] = [];
  let windowStart: number;

  beforeAll(async () => {
    await odoo.start();
    odoo.seed(
      'game.server',
      Array.from({ length: SERVERS }, (_, i) => ({
        name: `mc-${i}`,
        game: 'minecraft',
        host: '127.0.0.1',
        port: 20_000 + i,
      })),
    );
    env = schedulerEnv(odoo, prefix, {
      POLL_INTERVAL_S: String(INTERVAL_S),
      SCHEDULER_TICK_MS: '50',
      CATALOG_SYNC_MS: '100',
    });
    queue = new Queue<PollJobData>(QueueName.Poll, {
      connection: redisConnection(REDIS_URL),
      prefix,
    });
    windowStart = Date.now();
  });

  afterAll(async () => {
    await Promise.all(schedulers.map((s) => s.close()));
    await queue?.close();
    await odoo.stop();
    await dropPrefix(prefix);
  });

  /** Jobs each server may legitimately have: one per slot the test window touched. */
  function slotsInWindow(serverId: number): number {
    const ms = INTERVAL_S * 1000;
    return slotStartFor(serverId, ms, Date.now()) === slotStartFor(serverId, ms, windowStart)
      ? 1
      : 2;
  }

  async function pollJobsPerServer(): Promise<Map<number, number>> {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    const counts = new Map<number, number>();
    for (const job of jobs) counts.set(job.data.serverId, (counts.get(job.data.serverId) ?? 0) + 1);
    return counts;
  }

  it('enqueues every server once when two schedulers tick many times inside one slot', async () => {
    schedulers.push((await createPoller(env, QUIET)).app, (await createPoller(env, QUIET)).app);
    await waitFor(
      'every server enqueued',
      async () => (await pollJobsPerServer()).size === SERVERS,
    );
    // Let both go on ticking well past the first enqueue.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = await pollJobsPerServer();
    for (const [id, count] of counts)
      expect(count, `server ${id}`).toBeLessThanOrEqual(slotsInWindow(id));
  });

  it("gives Odoo every game's name once, which its views show servers by", async () => {
    const names = () =>
      new Map(odoo.records(GAME_SERVER_GAME_MODEL).map((g) => [g['code'], g['name']]));

    await waitFor('the game names in Odoo', () => names().size === GAMES.length);
    expect(names().get('minecraft')).toBe(GAMES.find((g) => g.id === 'minecraft')?.name);
    expect(names().get('counterstrike2')).toBe('Counter-Strike 2');
    const calls = odoo.calls.filter((c) => c.model === GAME_SERVER_GAME_MODEL).length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(odoo.calls.filter((c) => c.model === GAME_SERVER_GAME_MODEL).length).toBe(calls);
  });

  it('adds nothing when a scheduler restarts inside the slot', async () => {
    const first = schedulers.shift();
    await first?.close();
    schedulers.push((await createPoller(env, QUIET)).app);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const counts = await pollJobsPerServer();
    expect(counts.size).toBe(SERVERS);
    for (const [id, count] of counts)
      expect(count, `server ${id}`).toBeLessThanOrEqual(slotsInWindow(id));
  });
});

/** A catalog larger than one addBulk, on a short interval, and an interval changed mid-run. */
describe('scheduler over many slots', () => {
  const LARGE = 2_500;
  const SHORT_S = 2;
  const CHANGED = 10;
  const CHANGED_S = 5;
  const prefix = uniquePrefix('scheduler-slots');
  const odoo = new OdooStandIn();
  let queue: Queue<PollJobData>;
  let scheduler: INestApplicationContext | undefined;

  afterAll(async () => {
    await scheduler?.close();
    await queue?.close();
    await odoo.stop();
    await dropPrefix(prefix);
  });

  it('enqueues every slot of every server once, and a changed interval from the next sync', async () => {
    await odoo.start();
    const server = (i: number, pollInterval = 0) => ({
      id: i + 1,
      name: `mc-${i}`,
      game: 'minecraft',
      host: '127.0.0.1',
      port: 20_000 + (i % 1_000),
      poll_interval: pollInterval,
    });
    odoo.seed(
      'game.server',
      Array.from({ length: LARGE }, (_, i) => server(i)),
    );
    queue = new Queue<PollJobData>(QueueName.Poll, {
      connection: redisConnection(REDIS_URL),
      prefix,
    });
    ({ app: scheduler } = await createPoller(
      schedulerEnv(odoo, prefix, {
        POLL_INTERVAL_S: String(SHORT_S),
        SCHEDULER_TICK_MS: '100',
        CATALOG_SYNC_MS: '200',
      }),
      QUIET,
    ));
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    odoo.seed(
      'game.server',
      Array.from({ length: CHANGED }, (_, i) => server(i, CHANGED_S)),
    );
    // The first slot on the new interval may start when an old one did, and share its job id;
    // the one after it cannot be missed.
    await new Promise((resolve) => setTimeout(resolve, CHANGED_S * 1000 + 1_500));
    await scheduler.close();
    scheduler = undefined;

    const slots = new Map<number, { slotStart: number; intervalS: number }[]>();
    for (const job of await queue.getJobs(['waiting'])) {
      const list = slots.get(job.data.serverId) ?? [];
      list.push({ slotStart: job.data.slotStart, intervalS: job.data.intervalS });
      slots.set(job.data.serverId, list);
    }
    expect(slots.size).toBe(LARGE);
    for (const [id, list] of slots) {
      const short = list
        .filter((s) => s.intervalS === SHORT_S)
        .map((s) => s.slotStart)
        .sort((a, b) => a - b);
      // At least the slot at start and two more, each exactly one interval after the last.
      expect(short.length, `server ${id}`).toBeGreaterThanOrEqual(3);
      for (let k = 1; k < short.length; k++) {
        expect(short[k]! - short[k - 1]!, `server ${id}`).toBe(SHORT_S * 1000);
      }
      expect(
        list.some((s) => s.intervalS === CHANGED_S),
        `server ${id}`,
      ).toBe(id <= CHANGED);
    }
  });
});
