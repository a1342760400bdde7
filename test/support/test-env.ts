import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { LogLevel } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { createRedisClient, type RedisTarget } from '#common';

/** The machine's real Redis; every test run gets its own queue prefix on it. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Nest log levels for apps started inside tests: only what may explain a failure. */
export const QUIET: LogLevel[] = ['error', 'warn'];

export function uniquePrefix(name: string): string {
  return `gss-test-${name}-${randomBytes(4).toString('hex')}`;
}

/**
 * The keys under a queue prefix, batch by batch, with the node that holds them. SCAN walks one
 * node: on a cluster, each master holds its own share of the keys.
 */
export async function* prefixKeys(
  client: Redis | Cluster,
  prefix: string,
): AsyncGenerator<{ node: Redis; keys: string[] }> {
  if (client instanceof Cluster && client.status !== 'ready') await once(client, 'ready');
  for (const node of client instanceof Cluster ? client.nodes('master') : [client]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) yield { node, keys };
    } while (cursor !== '0');
  }
}

/** Deletes every key of a test's queue prefix, so runs leave nothing behind. */
export async function dropPrefix(prefix: string, redis: RedisTarget = REDIS_URL): Promise<void> {
  const client = createRedisClient(redis);
  try {
    for await (const { node, keys } of prefixKeys(client, prefix)) {
      // One key per command: a cluster refuses a multi-key DEL whose keys span slots.
      await keys.reduce((batch, key) => batch.unlink(key), node.pipeline()).exec();
    }
  } finally {
    client.disconnect();
  }
}
