import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../apps/api/src/api.app.js';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { QueueName, redisConnection, type ServerView } from '#common';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { newApiKey } from './support/api-harness.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

const INTERVAL_S = 2;
const ADMIN_KEY = newApiKey();
/** The API needs a key on every route but the probes; an admin key may do everything. */
const AUTH = { 'X-API-Key': ADMIN_KEY };

/**
 * One game server travels the whole path for real: registered through the API,
 * scheduled, queried over the Minecraft protocol, written to Odoo (the stand-in),
 * listed, deleted. Real Redis, real Minecraft responder, real HTTP everywhere.
 */
describe.each(['json2', 'jsonrpc'] as const)('pipeline over %s', (protocol) => {
  const prefix = uniquePrefix(`pipeline-${protocol}`);
  const odoo = new OdooStandIn();
  let responder: MinecraftResponder;
  let api: INestApplication;
  let poller: INestApplicationContext;
  let baseUrl: string;
  let reportEvents: QueueEvents;
  const reportsAdded = new Set<string>();
  const reportsCompleted = new Set<string>();
  const reportsFailed: string[] = [];
  let serverId: number;

  beforeAll(async () => {
    const odooUrl = await odoo.start();
    responder = await startMinecraftResponder({ players: 7, maxPlayers: 40, motd: 'E2E world' });
    const env = {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ODOO_URL: odooUrl,
      ODOO_DB: odoo.db,
      ODOO_LOGIN: odoo.login,
      ODOO_API_KEY: odoo.apiKey,
      ODOO_PROTOCOL: protocol,
      ODOO_TIMEOUT_MS: '2000',
      POLL_INTERVAL_S: String(INTERVAL_S),
      POLL_TIMEOUT_MS: '1000',
      SCHEDULER_TICK_MS: '100',
      CATALOG_SYNC_MS: '200',
      WRITER_FLUSH_MS: '100',
      PORT: '0',
      API_HOST: '127.0.0.1',
      API_KEYS: `pipeline:admin:${ADMIN_KEY}`,
    };
    reportEvents = new QueueEvents(QueueName.Report, {
      connection: redisConnection(REDIS_URL),
      prefix,
    });
    reportEvents.on('added', ({ jobId }) => reportsAdded.add(jobId));
    reportEvents.on('completed', ({ jobId }) => reportsCompleted.add(jobId));
    reportEvents.on('failed', ({ jobId }) => reportsFailed.push(jobId));
    await reportEvents.waitUntilReady();
    ({ app: api } = await createApi(env, QUIET));
    await api.listen(0, '127.0.0.1');
    baseUrl = await api.getUrl();
    ({ app: poller } = await createPoller(env, QUIET));
  });

  afterAll(async () => {
    await poller?.close();
    await api?.close();
    await reportEvents?.close();
    await responder?.stop();
    await odoo.stop();
    await dropPrefix(prefix);
  });

  const odooServer = () => odoo.records('game.server').find((r) => r.id === serverId);

  it('registers a server through the API and shows it online in Odoo within one interval', async () => {
    const res = await fetch(`${baseUrl}/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({
        name: 'Survival',
        game: 'minecraft',
        host: '127.0.0.1',
        port: responder.port,
      }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as ServerView;
    serverId = created.id;
    expect(created).toMatchObject({ name: 'Survival', game: 'minecraft', port: responder.port });

    const started = Date.now();
    const row = await waitFor('the server online in Odoo', () => {
      const r = odooServer();
      return r?.is_online === true ? r : undefined;
    });
    expect(Date.now() - started).toBeLessThan(INTERVAL_S * 1000 + 3_000);
    expect(row).toMatchObject({
      players_online: 7,
      players_max: 40,
      motd: 'E2E world',
      consecutive_failures: 0,
    });
  });

  it('lists and gets the server with its live status', async () => {
    const list = (await (await fetch(`${baseUrl}/servers`, { headers: AUTH })).json()) as {
      items: ServerView[];
      total: number;
    };
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({
      id: serverId,
      status: { online: true, playersOnline: 7, playersMax: 40 },
    });
    const one = (await (
      await fetch(`${baseUrl}/servers/${serverId}`, { headers: AUTH })
    ).json()) as ServerView;
    expect(one.status.lastChecked).not.toBeNull();
  });

  it('serves Bull Board at /queues and liveness at /health/live', async () => {
    const board = await fetch(`${baseUrl}/queues`, { headers: AUTH });
    expect(board.status).toBe(200);
    expect(board.headers.get('content-type')).toContain('text/html');
    const queues = (await (
      await fetch(`${baseUrl}/queues/api/queues`, { headers: AUTH })
    ).json()) as {
      queues: { name: string }[];
    };
    expect(queues.queues.map((q) => q.name).sort()).toEqual(['poll', 'report']);
    expect(await (await fetch(`${baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
  });

  it('rejects a bad registration with every field error and stores nothing', async () => {
    const res = await fetch(`${baseUrl}/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ name: '', game: 'pong', host: 'bad host!', port: 70_000, extra: 1 }),
    });
    expect(res.status).toBe(400);
    const body = JSON.stringify(await res.json());
    for (const field of ['name', 'game', 'host', 'port', 'extra']) expect(body).toContain(field);
    expect(odoo.records('game.server')).toHaveLength(1);
  });

  it('loses no report while Odoo is down, and shows the newest status when it is back', async () => {
    await odoo.setDown(true);
    responder.setPlayers(9);
    // Several intervals of polling with nowhere to write.
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_S * 1000 * 3));
    expect(reportsAdded.size).toBeGreaterThan(reportsCompleted.size);
    await odoo.setDown(false);

    await waitFor('players 9 in Odoo', () => odooServer()?.players_online === 9, {
      timeoutMs: 30_000,
    });
    await waitFor(
      'every report acknowledged',
      () => [...reportsAdded].every((id) => reportsCompleted.has(id)),
      {
        timeoutMs: 30_000,
      },
    );
    // Every report produced reached Odoo in a committed call (one report per slot, so
    // one distinct check time each), none was failed or dropped.
    const completed = reportsCompleted.size;
    const received = new Set(
      odoo.appliedReports().map((r) => `${String(r.server_id)}@${String(r.checked_at_ms)}`),
    );
    expect(received.size).toBeGreaterThanOrEqual(completed);
    expect(received.size).toBeLessThanOrEqual(reportsAdded.size);
    expect(reportsFailed).toEqual([]);
  });

  it('turns the server offline when its game server stops answering', async () => {
    await responder.stop();
    const row = await waitFor('the server offline in Odoo', () => {
      const r = odooServer();
      return r?.is_online === false ? r : undefined;
    });
    expect(row.last_error_code).toBe('refused');
    expect(row.consecutive_failures).toBeGreaterThanOrEqual(1);
  });

  it('deletes the server from Odoo and never polls it again', async () => {
    responder = await startMinecraftResponder({ port: responder.port, players: 3 });
    await waitFor('the server back online', () => odooServer()?.is_online === true);

    const res = await fetch(`${baseUrl}/servers/${serverId}`, { method: 'DELETE', headers: AUTH });
    expect(res.status).toBe(204);
    expect(odooServer()).toBeUndefined();
    expect((await fetch(`${baseUrl}/servers/${serverId}`, { headers: AUTH })).status).toBe(404);

    // A poll already in flight may still finish; after a catalog sync nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seen = responder.statusRequests;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_S * 1000 * 2));
    expect(responder.statusRequests).toBe(seen);
  });
});
