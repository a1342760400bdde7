import type { INestApplicationContext } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { QueueName, redisConnection } from '#common';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { freePort } from './support/ports.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

const ONLINE = 4;
const OFFLINE = 2;

/**
 * The real pipeline (scheduler, poll worker, writer; a real Minecraft responder) polls every
 * second while Odoo goes down for several intervals, then answers too slowly (each call times
 * out in the writer but commits in Odoo), then fails with HTTP 500 and with an access error,
 * then is back. Every report produced must be applied exactly once.
 */
describe('writer through an Odoo outage', () => {
  const prefix = uniquePrefix('writer-outage');
  const odoo = new OdooStandIn();
  let responder: MinecraftResponder;
  let producer: INestApplicationContext | undefined;
  let writer: INestApplicationContext;
  let events: QueueEvents;
  const added = new Set<string>();
  const completed = new Set<string>();
  const failed: string[] = [];
  let online: number[];
  let offline: number[];

  beforeAll(async () => {
    const url = await odoo.start();
    responder = await startMinecraftResponder({ players: 3, maxPlayers: 10 });
    // Nothing listens there: polls of it are refused at once.
    const deadPort = await freePort();
    online = odoo.seed(
      'game.server',
      Array.from({ length: ONLINE }, (_, i) => ({
        name: `up-${i}`,
        game: 'minecraft',
        host: '127.0.0.1',
        port: responder.port,
      })),
    );
    offline = odoo.seed(
      'game.server',
      Array.from({ length: OFFLINE }, (_, i) => ({
        name: `down-${i}`,
        game: 'minecraft',
        host: '127.0.0.1',
        port: deadPort,
      })),
    );
    events = new QueueEvents(QueueName.Report, { connection: redisConnection(REDIS_URL), prefix });
    events.on('added', ({ jobId }) => added.add(jobId));
    events.on('completed', ({ jobId }) => completed.add(jobId));
    events.on('failed', ({ jobId }) => failed.push(jobId));
    await events.waitUntilReady();
    const env = {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ODOO_URL: url,
      ODOO_DB: odoo.db,
      ODOO_LOGIN: odoo.login,
      ODOO_API_KEY: odoo.apiKey,
      ODOO_TIMEOUT_MS: '1000',
      POLL_INTERVAL_S: '1',
      POLL_TIMEOUT_MS: '500',
      SCHEDULER_TICK_MS: '100',
      // One catalog read at start: the forced failures below must reach the writer's calls.
      CATALOG_SYNC_MS: '3600000',
      WRITER_FLUSH_MS: '100',
    };
    ({ app: writer } = await createPoller({ ...env, POLLER_ROLES: 'writer' }, QUIET));
    ({ app: producer } = await createPoller({ ...env, POLLER_ROLES: 'scheduler,worker' }, QUIET));
  });

  afterAll(async () => {
    await producer?.close();
    await writer?.close();
    await events?.close();
    await responder?.stop();
    await odoo.stop();
    await dropPrefix(prefix);
  });

  const applyCalls = () => odoo.calls.filter((c) => c.method === 'apply_status_reports');

  it('applies every report exactly once after down, slow and failing phases', async () => {
    await waitFor('a report of every server applied', () => {
      const seen = new Set(odoo.appliedReports().map((r) => r.server_id));
      return [...online, ...offline].every((id) => seen.has(id));
    });

    await odoo.setDown(true);
    const beforeDown = added.size;
    await waitFor(
      'three intervals of reports produced while Odoo is down',
      () => added.size >= beforeDown + 3 * (ONLINE + OFFLINE),
    );
    await odoo.setDown(false);

    odoo.setDelay(1_500);
    const beforeSlow = applyCalls().length;
    await waitFor(
      'two calls answered after the writer gave up on them',
      () => applyCalls().length >= beforeSlow + 2,
      { timeoutMs: 40_000 },
    );
    odoo.setDelay(0);

    const refusedBefore = applyCalls().filter((c) => !c.ok).length;
    odoo.failNext(1, 'http500');
    odoo.failNext(1, 'access');
    await waitFor(
      'a 500 and an access error met by the writer',
      () => applyCalls().filter((c) => !c.ok).length >= refusedBefore + 2,
      { timeoutMs: 40_000 },
    );

    await producer?.close();
    producer = undefined;
    await waitFor(
      'every report produced acknowledged',
      () => added.size > 0 && [...added].every((id) => completed.has(id)),
      { timeoutMs: 40_000 },
    );

    const applied = odoo.appliedReports();
    const keys = new Set(applied.map((r) => `${String(r.server_id)}@${String(r.checked_at_ms)}`));
    const polls = odoo.records('game.server.stat').reduce((n, s) => n + (s['polls'] as number), 0);
    expect(failed).toEqual([]);
    expect(applied).toHaveLength(added.size);
    expect(keys.size).toBe(added.size);
    expect(polls).toBe(added.size);
    const servers = odoo.records('game.server');
    for (const id of online) {
      expect(servers.find((s) => s.id === id)).toMatchObject({
        is_online: true,
        players_online: 3,
      });
    }
    for (const id of offline) {
      expect(servers.find((s) => s.id === id)).toMatchObject({
        is_online: false,
        last_error_code: 'refused',
      });
    }
    // Replays never opened an outage twice: one per dead server, still open.
    const outages = odoo.records('game.server.outage');
    expect(outages.map((o) => o['server_id']).sort()).toEqual([...offline].sort());
    expect(outages.every((o) => o['state'] === 'open')).toBe(true);
  }, 150_000);
});
