import type { RedisOptions } from 'bullmq';

/**
 * BullMQ connection options for a redis:// or rediss:// URL. Workers block on
 * Redis, so a command waits for the reconnect instead of failing after N retries,
 * and reconnects go on forever with a short capped backoff: after a Redis restart
 * every process comes back by itself.
 */
export function redisConnection(redisUrl: string): RedisOptions {
  return {
    url: redisUrl,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(times * 200, 2_000),
  };
}
