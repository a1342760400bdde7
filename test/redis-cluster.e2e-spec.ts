import type { INestApplicationContext } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { Cluster, type Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import {
  ConfigError,
  createRedisClient,
  QueueName,
  redisConnection,
  RedisEnv,
  slotStartFor,
  validateEnv,
} from '#common';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { LocalRedisCluster } from './support/redis-cluster.js';
import { prefixKeys, QUIET, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

const SERVERS = 4;
const INTERVAL_S = 2;

/**
 * The whole system on a local 3-master Redis Cluster, configured only through the
 * environment: the API, and a poller running scheduler, worker and writer, polling real
 * Minecraft responders and writing to the Odoo stand-in.
 */
describe('the pipeline on a 3-master Redis Cluster', () => {
  const tag = uniquePrefix('cluster');
  const prefix = `{${tag}}`;
  const odoo = new OdooStandIn();
  const responders: MinecraftResponder[] = [];
  let cluster: LocalRedisCluster;
  let inspector: Cluster;
  let pollEvents: QueueEvents<{ online?: boolean }>;
  /** Ids of the poll jobs that queried their server (not those whose slot was over). */
  const queriedJobs: string[] = [];
  let tagSlot: number;
  let api: ApiHarness;
  let poller: INestApplicationContext;
  let serverIds: number[];
  let started: number;

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start(3);
    const nodes = cluster.ports.map((port) => `127.0.0.1:${port}`);
    const client = createRedisClient(
      validateEnv(RedisEnv, {
        REDIS_MODE: 'cluster',
        REDIS_URL: cluster.url(0),
        QUEUE_PREFIX: prefix,
      }),
    );
    if (!(client instanceof Cluster)) {
      client.disconnect();
      throw new Error('REDIS_MODE=cluster opened no cluster client');
    }
    inspector = client;
    tagSlot = await inspector.cluster('KEYSLOT', tag);
    // The system is pointed at a node that does not serve the queues' slot, so a client that
    // ignored the cluster's slot map would get MOVED replies instead of its queues.
    const owner = inspector.slots[tagSlot]?.[0];
    expect(nodes).toContain(owner);
    const [seed, ...others] = nodes.sort((a, b) => Number(a === owner) - Number(b === owner));
    await odoo.start();
    for (let i = 0; i < SERVERS; i++) {
      responders.push(await startMinecraftResponder({ players: i + 1 }));
    }
    serverIds = odoo.seed(
      'game.server',
      responders.map((responder, i) => ({
        name: `cluster-${i}`,
        game: 'minecraft',
        host: '127.0.0.1',
        port: responder.port,
      })),
    );
    const clusterEnv = {
      REDIS_MODE: 'cluster',
      REDIS_URL: `redis://${seed}`,
      REDIS_CLUSTER_NODES: others.join(','),
      QUEUE_PREFIX: prefix,
    };
    pollEvents = new QueueEvents(QueueName.Poll, {
      connection: redisConnection(validateEnv(RedisEnv, clusterEnv)),
      prefix,
    });
    pollEvents.on('completed', ({ jobId, returnvalue }) => {
      if (returnvalue.online !== undefined) queriedJobs.push(jobId);
    });
    await pollEvents.waitUntilReady();
    started = Date.now();
    api = await startApi({
      name: 'cluster',
      odoo,
      env: { ...clusterEnv, POLL_INTERVAL_S: String(INTERVAL_S) },
    });
    ({ app: poller } = await createPoller(
      {
        ...api.env,
        POLL_TIMEOUT_MS: '1000',
        SCHEDULER_TICK_MS: '100',
        CATALOG_SYNC_MS: '200',
        WRITER_FLUSH_MS: '100',
      },
      QUIET,
    ));
  });

  afterAll(async () => {
    try {
      await poller?.close();
      await api?.stop();
    } finally {
      await pollEvents?.close();
      inspector?.disconnect();
      await Promise.all(responders.map((responder) => responder.stop()));
      await odoo.stop();
      await cluster?.stop();
    }
  });

  /** Slots of `serverId` that began between the start of the system and now. */
  function slotsSinceStart(serverId: number): number {
    const ms = INTERVAL_S * 1000;
    return (slotStartFor(serverId, ms, Date.now()) - slotStartFor(serverId, ms, started)) / ms + 1;
  }

  it('polls every server through the cluster and shows it online in Odoo', async () => {
    const online = await waitFor('every server online in Odoo', () => {
      const rows = odoo.records('game.server').filter((row) => row.is_online === true);
      return rows.length === SERVERS ? rows : undefined;
    });
    expect(online.map((row) => [row.id, row.players_online]).sort()).toEqual(
      serverIds.map((id, i) => [id, i + 1]).sort(),
    );
  });

  it('reports Redis up on /health/ready, and Bull Board reads both queues', async () => {
    const res = await api.request('/health/ready', { as: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ details: { redis: { status: 'up' } } });
    const board = await api.request('/queues/api/queues');
    expect(board.status).toBe(200);
    const { queues } = (await board.json()) as { queues: { name: string }[] };
    expect(queues.map((queue) => queue.name).sort()).toEqual(['poll', 'report']);
  });

  it('keeps every key of the queue prefix, the writer lease included, in the slot of its hash tag', async () => {
    const keysByNode = new Map<Redis, string[]>();
    for await (const { node, keys } of prefixKeys(inspector, prefix)) {
      keysByNode.set(node, [...(keysByNode.get(node) ?? []), ...keys]);
    }
    // One master of the three holds them all.
    expect(keysByNode.size).toBe(1);
    const keys = [...keysByNode.values()].flat();
    expect(keys).toEqual(
      expect.arrayContaining([
        `${prefix}:poll:meta`,
        `${prefix}:report:meta`,
        `${prefix}:report-writer:lease`,
      ]),
    );
    const slots = await Promise.all(keys.map((key) => inspector.cluster('KEYSLOT', key)));
    expect(new Set(slots)).toEqual(new Set([tagSlot]));
  });

  it('queries each server once per interval slot: one query per poll job, one job per slot', async () => {
    await waitFor(
      'three polls of every server',
      () => responders.every((responder) => responder.statusRequests >= 3),
      { timeoutMs: INTERVAL_S * 1000 * 5 },
    );
    const jobsOf = (id: number | undefined) =>
      queriedJobs.filter((jobId) => jobId.startsWith(`poll-${id}-`));
    // Read while no poll is in flight: then every query a responder answered is one job's.
    await waitFor('as many queries as poll jobs that queried, for every server', () =>
      responders.every((responder, i) => responder.statusRequests === jobsOf(serverIds[i]).length),
    );
    // Job ids are made of server and slot: no slot had two jobs, and no job ran twice.
    serverIds.forEach((id) => {
      const jobs = jobsOf(id);
      expect(new Set(jobs).size, `server ${id}`).toBe(jobs.length);
      expect(jobs.length, `server ${id}`).toBeLessThanOrEqual(slotsSinceStart(id));
    });
  });

  it('stops polling a server deleted through the API, and goes on polling the others', async () => {
    const [deleted, ...kept] = responders.map((responder, i) => ({ responder, id: serverIds[i] }));
    if (!deleted) throw new Error('no server to delete');
    expect((await api.request(`/servers/${deleted.id}`, { method: 'DELETE' })).status).toBe(204);
    // A poll already in flight may still finish; after a catalog sync nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seen = deleted.responder.statusRequests;
    const keptSeen = kept.map(({ responder }) => responder.statusRequests);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_S * 1000 * 2));
    expect(deleted.responder.statusRequests).toBe(seen);
    kept.forEach(({ responder, id }, i) =>
      expect(responder.statusRequests, `server ${id}`).toBeGreaterThan(keptSeen[i] ?? Infinity),
    );
  });
});

describe('a cluster configuration', () => {
  it('is refused at start when the queue prefix has no hash tag, saying how to fix it', async () => {
    const start = createPoller(
      {
        POLLER_ROLES: 'worker',
        REDIS_MODE: 'cluster',
        REDIS_URL: 'redis://127.0.0.1:7000',
        QUEUE_PREFIX: 'gss',
      },
      QUIET,
    );
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(
      /QUEUE_PREFIX has no hash tag, and REDIS_MODE=cluster needs one.*QUEUE_PREFIX=\{gss\}/,
    );
  });
});
