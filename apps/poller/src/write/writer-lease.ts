import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

// Compare-and-act on the token, so a writer never renews or frees a lease another one holds.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * The right to write reports, held by one writer process at a time: a Redis key holding this
 * process's token, which expires unless renewed. A writer that dies loses it after `ttlMs`,
 * and a standby takes over. Every command touches that one key, so it runs on a Redis Cluster
 * too, where the key (named after the hash-tagged queue prefix) shares the queues' slot.
 */
export class WriterLease {
  private readonly token = randomUUID();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes the lease if it is free, or renews it if it is already ours; false if another holds it. */
  async hold(): Promise<boolean> {
    const taken = await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    return taken === 'OK' || (await this.renew());
  }

  /** Extends the lease if it is still ours. */
  async renew(): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key, this.token, this.ttlMs)) === 1;
  }

  /** Frees the lease now (if ours), so a standby need not wait for it to expire. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.token);
  }
}
