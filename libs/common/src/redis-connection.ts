import { Logger } from '@nestjs/common';
import { createIORedisClient, RedisConnection, type RedisOptions } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import { type RedisEnv, redisDatabase } from './config/env.js';
import { OutageLog } from './logging/outage-log.js';

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
    const client = typeof url === 'string' ? new Redis(url, rest) : new Redis(rest);
    return watched(client, `${client.options.host ?? 'localhost'}:${client.options.port ?? 6379}`);
  }
  const { retryStrategy, ...perNode } = rest;
  const seeds = clusterNodes.map((node) => `${node.host}:${node.port}`).join(', ');
  return watched(
    new Cluster(clusterNodes, {
      // Every node connection gets the credentials, TLS and retry rules; its host and port
      // come from the cluster's slot map and win over the seed's in these options.
      redisOptions: perNode,
      clusterRetryStrategy: retryStrategy,
      // Connect by the name a node is announced with, not an address resolved here, so that
      // TLS checks the certificate against that name (managed clusters announce DNS names).
      dnsLookup: (address, lookedUp) => lookedUp(null, address),
    }),
    `cluster ${seeds}`,
  );
}

/**
 * One OutageLog per Redis address this process talks to, fed by every client of it: a queue,
 * a worker and its blocking connection all fail together when Redis goes, and say so once.
 */
const outages = new Map<string, OutageLog>();

/**
 * Every client reports its failures here and nowhere else: ioredis emits an error on each
 * reconnect attempt (every 2 s at most), and BullMQ passes each on to its queues and workers,
 * which ignore connection errors (see isConnectionError) so they are not told twice.
 */
function watched<T extends Redis | Cluster>(client: T, address: string): T {
  let outage = outages.get(address);
  if (!outage) {
    outage = new OutageLog(new Logger('Redis'), `Redis at ${address}`);
    outages.set(address, outage);
  }
  const log = outage;
  let reason = 'connection lost';
  client.on('error', (err: Error) => {
    reason = describeConnectionError(err);
  });
  client.on('reconnecting', (delay: unknown) => {
    log.failed(reason, typeof delay === 'number' ? delay : 0);
  });
  client.on('ready', () => log.recovered());
  return client;
}

/** Whether any Redis of this process is failing now: a close then forces rather than waits. */
export function redisIsDown(): boolean {
  for (const outage of outages.values()) if (outage.down) return true;
  return false;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * An error that only says Redis is unreachable. Those are logged once, by the connection's
 * OutageLog; a queue's or worker's error listener skips them and logs anything else.
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && CONNECTION_CODES.has(code)) return true;
  return /^(Connection is closed|connect ETIMEDOUT|Stream isn't writeable|Reached the max retries)/.test(
    err.message,
  );
}

/** The reason in a person's words, without the stack: `connection refused (ECONNREFUSED)`. */
function describeConnectionError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ENOTFOUND: 'name not found',
    EAI_AGAIN: 'name lookup failed',
  };
  const said = code ? words[code] : undefined;
  return said ? `${said} (${code})` : err.message;
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

/** The same error message is repeated at most this often by one queue or worker. */
const REPEAT_AFTER_MS = 60_000;

/**
 * An `error` listener for a BullMQ queue or worker. Without one, BullMQ prints each error
 * to stderr as a raw object with its stack. Connection errors are the connection's to report
 * (once, with backoff); anything else is logged, the same message at most once a minute.
 */
export function queueErrorListener(
  logger: { warn(message: string): void },
  what: string,
): (err: Error) => void {
  let last = { message: '', at: 0 };
  return (err) => {
    if (isConnectionError(err)) return;
    const now = Date.now();
    if (err.message === last.message && now - last.at < REPEAT_AFTER_MS) return;
    last = { message: err.message, at: now };
    logger.warn(`${what}: ${err.message}`);
  };
}
