import type { Cluster, Redis } from 'ioredis';
import type { DeliveryResult } from './delivery.repository.js';

/** Results written back per Odoo call at most. */
const RESULTS_PER_CALL = 200;

/**
 * Delivery results waiting to be written to Odoo, kept in Redis (a hash by delivery id) so a
 * notifier that restarts, or Odoo that is down for an hour, loses none of them. A newer result
 * of a delivery replaces its older one; one is removed only if it is still the one written
 * back, so a result that came in meanwhile is kept. Several notifiers may write the same
 * result back: Odoo never changes a delivery already sent or failed.
 */
export class NotifyResults {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly key: string,
  ) {}

  async add(result: DeliveryResult): Promise<void> {
    await this.redis.hset(this.key, String(result.id), JSON.stringify(result));
  }

  /** Up to RESULTS_PER_CALL results, with the raw values `remove` needs. */
  async take(): Promise<{ results: DeliveryResult[]; raw: Map<number, string> }> {
    const all = await this.redis.hgetall(this.key);
    const raw = new Map<number, string>();
    for (const [id, value] of Object.entries(all)) {
      if (raw.size >= RESULTS_PER_CALL) break;
      raw.set(Number(id), value);
    }
    return { results: [...raw.values()].map((v) => JSON.parse(v) as DeliveryResult), raw };
  }

  /** Removes the results written back, unless a newer one replaced them. */
  async remove(raw: ReadonlyMap<number, string>): Promise<void> {
    for (const [id, value] of raw) {
      await this.redis.eval(REMOVE_IF_SAME, 1, this.key, String(id), value);
    }
  }
}

const REMOVE_IF_SAME = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;
