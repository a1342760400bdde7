import { randomBytes } from 'node:crypto';
import type { LogLevel } from '@nestjs/common';
import { Redis } from 'ioredis';

/** The machine's real Redis; every test run gets its own queue prefix on it. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Nest log levels for apps started inside tests: only what may explain a failure. */
export const QUIET: LogLevel[] = ['error', 'warn'];

export function uniquePrefix(name: string): string {
  return `gss-test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key of a test's queue prefix, so runs leave nothing behind. */
export async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
