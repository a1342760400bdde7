import { createIORedisClient, RedisConnection, type RedisOptions } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { type RedisEnv, redisDatabase } from './config/env.js';

/** Where Redis is. A bare URL stands for one Redis (tests, benchmarks, tools). */
export type RedisTarget =
  Pick<RedisEnv, 'REDIS_URL' | 'REDIS_MODE' | 'REDIS_CLUSTER_NODES' | 'REDIS_PASSWORD'> | string;

interface NodeAddress {
  host: string;
  port: number;
}

/** BullMQ passes its options on to the client factory untouched; `clusterNodes` selects a cluster. */
export type RedisConnectionOptions = RedisOptions & { clusterNodes?: NodeAddress[] };

/**
 * Reconnects go on forever with a short capped backoff: after a Redis restart (or a whole
 * cluster unreachable for a while) every process comes back by itself.
 */
const reconnectDelay = (times: number): number => Math.min(times * 200, 2_000);

/**
 * BullMQ's `connection` option, for one Redis or a cluster. Workers block on Redis, so a
 * command waits for the reconnect instead of failing after N retries.
 *
 * BullMQ opens every connection of a Queue, Worker or QueueEvents from these options through
 * the client factory below, and closes what it opened; a cluster client is no exception.
 * Given a Cluster instance instead, BullMQ would use it as shared and never close it.
 */
export function redisConnection(target: RedisTarget): RedisConnectionOptions {
  const env = typeof target === 'string' ? singleRedis(target) : target;
  const url = new URL(env.REDIS_URL);
  const seed = { host: unbracket(url.hostname), port: Number(url.port || 6379) };
  const options: RedisConnectionOptions = {
    ...seed,
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelay,
  };
  const username = decodeURIComponent(url.username);
  const password = env.REDIS_PASSWORD ?? decodeURIComponent(url.password);
  if (username) options.username = username;
  if (password) options.password = password;
  // Node checks the server's certificate against its CAs (NODE_EXTRA_CA_CERTS adds a private one).
  if (url.protocol === 'rediss:') options.tls = {};
  if (env.REDIS_MODE === 'cluster') {
    options.clusterNodes = [seed, ...env.REDIS_CLUSTER_NODES.map(parseNode)];
  } else {
    options.db = redisDatabase(env.REDIS_URL) ?? 0;
  }
  return options;
}

/** A client of the caller's own, one Redis or a cluster, behaving as BullMQ's do; the caller closes it. */
export function createRedisClient(target: RedisTarget): Redis | Cluster {
  return openClient(redisConnection(target));
}

function openClient(options: RedisConnectionOptions): Redis | Cluster {
  const { clusterNodes, url, ...rest } = options;
  if (!clusterNodes) {
    // Options not made by redisConnection open as BullMQ's default factory would open them.
    return typeof url === 'string' ? new Redis(url, rest) : new Redis(rest);
  }
  const { retryStrategy, ...perNode } = rest;
  return new Cluster(clusterNodes, {
    // Every node connection gets the credentials, TLS and retry rules; its host and port
    // come from the cluster's slot map and win over the seed's in these options.
    redisOptions: perNode,
    clusterRetryStrategy: retryStrategy,
    // Connect by the name a node is announced with, not an address resolved here, so that
    // TLS checks the certificate against that name (managed clusters announce DNS names).
    dnsLookup: (address, lookedUp) => lookedUp(null, address),
  });
}

function singleRedis(url: string): Exclude<RedisTarget, string> {
  return {
    REDIS_URL: url,
    REDIS_MODE: 'single',
    REDIS_CLUSTER_NODES: [],
    REDIS_PASSWORD: undefined,
  };
}

/** `host:port` as REDIS_CLUSTER_NODES lists it; an IPv6 host is in brackets. */
function parseNode(entry: string): NodeAddress {
  const colon = entry.lastIndexOf(':');
  return { host: unbracket(entry.slice(0, colon)), port: Number(entry.slice(colon + 1)) };
}

function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

// Process-wide: every BullMQ connection in this process opens through openClient. Options
// that are not ours open as they would without it.
RedisConnection.clientFactory = (options) => createIORedisClient(openClient(options));
