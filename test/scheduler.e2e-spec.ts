import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { type PollJobData, QueueName, redisConnection, slotStartFor } from '#common';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

const SERVERS = 25;
const INTERVAL_S = 3600;

/** Two schedulers at once, and one restarted inside a slot, still enqueue one poll per server per slot. */
describe('scheduler', () => {
  const prefix = uniquePrefix('scheduler');
  const odoo = new OdooStandIn();
  let env: Record<string, string>;
  let queue: Queue<PollJobData>;
  const schedulers: INestApplicationContext[] = [];
  let windowStart: number;

  beforeAll(async () => {
    const url = await odoo.start();
    odoo.seed(
      'game.server',
      Array.from({ length: SERVERS }, (_, i) => ({
        name: `mc-${i}`,
        game: 'minecraft',
        host: '127.0.0.1',
        port: 20_000 + i,
      })),
    );
    env = {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ODOO_URL: url,
      ODOO_DB: odoo.db,
      ODOO_LOGIN: odoo.login,
      ODOO_API_KEY: odoo.apiKey,
      POLLER_ROLES: 'scheduler',
      POLL_INTERVAL_S: String(INTERVAL_S),
      SCHEDULER_TICK_MS: '50',
      CATALOG_SYNC_MS: '100',
    };
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
