import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { type PollJobData, QueueName, redisConnection } from '#common';
import { OdooClient } from '#odoo-client';
import { OdooStandIn, type StandInCall } from './support/odoo-stand-in.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

const SERVERS = 20;
/** Before any test: a catalog written long ago, so no incremental sync sees it as changed. */
const LONG_AGO = '2026-01-01 00:00:00';

function seedFleet(odoo: OdooStandIn, count: number): number[] {
  return odoo.seed(
    'game.server',
    Array.from({ length: count }, (_, i) => ({
      name: `mc-${i}`,
      game: 'minecraft',
      host: '127.0.0.1',
      port: 30_000 + i,
      write_date: LONG_AGO,
      catalog_write_date: LONG_AGO,
    })),
  );
}

function schedulerEnv(odoo: OdooStandIn, url: string, prefix: string): Record<string, string> {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ODOO_URL: url,
    ODOO_DB: odoo.db,
    ODOO_LOGIN: odoo.login,
    ODOO_API_KEY: odoo.apiKey,
    POLLER_ROLES: 'scheduler',
    POLL_INTERVAL_S: '1',
    SCHEDULER_TICK_MS: '50',
    CATALOG_SYNC_MS: '100',
  };
}

const catalogReads = (odoo: OdooStandIn, model: string): StandInCall[] =>
  odoo.calls.filter((c) => c.model === model && c.method === 'search_read');

/**
 * The scheduler keeps the catalog in memory and asks Odoo only for what changed: servers
 * written, archived or deleted since its last sync. Real Redis, the Odoo stand-in's call log.
 */
describe('catalog sync', () => {
  const prefix = uniquePrefix('catalog');
  const odoo = new OdooStandIn();
  let client: OdooClient;
  let queue: Queue<PollJobData>;
  let scheduler: INestApplicationContext;
  let ids: number[];

  beforeAll(async () => {
    const url = await odoo.start();
    ids = seedFleet(odoo, SERVERS);
    client = new OdooClient({
      url,
      db: odoo.db,
      login: odoo.login,
      apiKey: odoo.apiKey,
      protocol: 'auto',
      timeoutMs: 2_000,
    });
    queue = new Queue<PollJobData>(QueueName.Poll, {
      connection: redisConnection(REDIS_URL),
      prefix,
    });
    ({ app: scheduler } = await createPoller(schedulerEnv(odoo, url, prefix), QUIET));
  });

  afterAll(async () => {
    await scheduler?.close();
    await queue?.close();
    client?.close();
    await odoo.stop();
    await dropPrefix(prefix);
  });

  async function jobsOf(serverId: number): Promise<PollJobData[]> {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    return jobs
      .map((job) => job.data)
      .filter((data) => data.serverId === serverId)
      .sort((a, b) => a.slotStart - b.slotStart);
  }

  it('reads the whole catalog once at start, then syncs that read no server rows while nothing changes', async () => {
    await waitFor('the first full sync and ten incremental ones', () => {
      const reads = catalogReads(odoo, 'game.server');
      return reads[0]?.recordCount === SERVERS && reads.length >= 11;
    });

    const [full, ...incremental] = catalogReads(odoo, 'game.server');
    const deletionReads = catalogReads(odoo, 'game.server.deletion');
    expect(full).toMatchObject({ recordCount: SERVERS, ok: true });
    expect(incremental.map((c) => c.recordCount)).toEqual(incremental.map(() => 0));
    expect(deletionReads.length).toBeGreaterThanOrEqual(incremental.length);
    expect(deletionReads.every((c) => c.recordCount === 0)).toBe(true);
    // The in-memory catalog still drives the polls.
    await waitFor('a poll job for every server', async () =>
      (await Promise.all(ids.map(jobsOf))).every((jobs) => jobs.length > 0),
    );
  });

  it('reads no server rows for status reports: only catalog changes count', async () => {
    await waitFor('the first full sync', () => catalogReads(odoo, 'game.server').length > 0);
    const now = Date.now();
    await client.callModel('game.server', 'apply_status_reports', {
      reports: ids.map((id, i) => ({
        server_id: id,
        checked_at: new Date(now).toISOString().slice(0, 19).replace('T', ' '),
        checked_at_ms: now + i,
        online: true,
        players_online: i,
        players_max: 20,
      })),
    });
    odoo.clearCalls();
    await waitFor('three more syncs', () => catalogReads(odoo, 'game.server').length >= 3);
    const reads = catalogReads(odoo, 'game.server').map((c) => c.recordCount);
    expect(reads).toEqual(reads.map(() => 0));
  });

  it('picks up a server edited, archived, deleted or created at the next sync, reading only those', async () => {
    const [moved, slower, regamed, archived, deleted] = ids as [
      number,
      number,
      number,
      number,
      number,
    ];
    odoo.clearCalls();

    await client.write('game.server', [moved], { port: 31_111 });
    await client.write('game.server', [slower], { poll_interval: 2 });
    await client.write('game.server', [regamed], { game: 'mbe' });
    await client.write('game.server', [archived], { active: false });
    await client.unlink('game.server', [deleted]);
    const [created] = await client.create('game.server', [
      { name: 'new', game: 'minecraft', host: '127.0.0.1', port: 32_000 },
    ]);

    await waitFor('the next polls to use the new catalog', async () => {
      const [m, s, r, c] = await Promise.all([moved, slower, regamed, created!].map(jobsOf));
      return (
        m?.at(-1)?.port === 31_111 &&
        s?.at(-1)?.intervalS === 2 &&
        r?.at(-1)?.game === 'mbe' &&
        (c?.length ?? 0) > 0
      );
    });
    const archivedJobs = (await jobsOf(archived)).length;
    const deletedJobs = (await jobsOf(deleted)).length;
    // Two more 1-second slots of the new server: the others would have had theirs too.
    const seen = (await jobsOf(created!)).length;
    await waitFor('two more slots', async () => (await jobsOf(created!)).length >= seen + 2);

    expect((await jobsOf(archived)).length).toBe(archivedJobs);
    expect((await jobsOf(deleted)).length).toBe(deletedJobs);
    // No slot of the archived server began after the new catalog was in use. A tick reads the
    // catalog once, at its start, and enqueues slots begun by then; ticks never overlap. So the
    // tick that first enqueued the created server (catalog already synced) started less than one
    // 1-second slot after that slot's start, and every tick that still saw the archived server
    // started before it.
    const firstCreatedSlot = (await jobsOf(created!))[0]!.slotStart;
    expect((await jobsOf(archived)).every((job) => job.slotStart < firstCreatedSlot + 1_000)).toBe(
      true,
    );
    // Each sync read the changed servers at most (their catalog_write_date stays inside the overlap
    // a few seconds), never the fleet.
    const serverReads = catalogReads(odoo, 'game.server').map((c) => c.recordCount);
    expect(Math.max(...serverReads)).toBe(5);
    expect(Math.max(...catalogReads(odoo, 'game.server.deletion').map((c) => c.recordCount))).toBe(
      1,
    );
  });
});

describe('catalog full resync', () => {
  const prefix = uniquePrefix('catalog-full');
  const odoo = new OdooStandIn();
  let queue: Queue<PollJobData>;
  let scheduler: INestApplicationContext;

  beforeAll(async () => {
    const url = await odoo.start();
    seedFleet(odoo, 3);
    queue = new Queue<PollJobData>(QueueName.Poll, {
      connection: redisConnection(REDIS_URL),
      prefix,
    });
    ({ app: scheduler } = await createPoller(
      { ...schedulerEnv(odoo, url, prefix), CATALOG_FULL_SYNC_MS: '1000' },
      QUIET,
    ));
  });

  afterAll(async () => {
    await scheduler?.close();
    await queue?.close();
    await odoo.stop();
    await dropPrefix(prefix);
  });

  it('finds a server whose change the incremental sync cannot see at the next full sync', async () => {
    await waitFor('the first full sync', () => catalogReads(odoo, 'game.server').length > 0);
    // A record stamped long ago, as a write the incremental window missed would look.
    const [hidden] = odoo.seed('game.server', [
      {
        name: 'hidden',
        game: 'minecraft',
        host: '127.0.0.1',
        port: 33_000,
        write_date: LONG_AGO,
        catalog_write_date: LONG_AGO,
      },
    ]);

    const jobs = await waitFor(
      'a poll job for the hidden server',
      async () =>
        (await queue.getJobs(['waiting'])).filter((job) => job.data.serverId === hidden).length,
    );

    expect(jobs).toBeGreaterThan(0);
    expect(catalogReads(odoo, 'game.server').some((c) => c.recordCount === 4)).toBe(true);
  });
});
