/* What the API benches share: the fleet in the Odoo stand-in, the API as main.ts starts it, the load. */
import { createApi } from '../apps/api/src/api.app.js';
import { toOdooDatetime } from '#odoo-client';
import type { OdooStandIn } from '../test/support/odoo-stand-in.js';
import { REDIS_URL } from '../test/support/test-env.js';

export const SERVERS = 10_000;
/** Servers with a day of 15-minute stats, for the history scenarios. */
export const CHARTED = 100;
export const GAMES = ['minecraft', 'mbe', 'counterstrike2', 'rust', 'valheim', 'openarena'];

/** What a thread needs to reach the stand-in on another thread. */
export interface OdooInfo {
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

export interface Figures {
  name: string;
  concurrency: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  perSecond: number;
  errors: number;
}

/** A list of 50 by name at a page spread over the whole catalog: the API's commonest call. */
export const listPage = (i: number): string =>
  `/servers?limit=50&offset=${(i * 7_919) % (SERVERS - 50)}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `one` `count` times (or until `stop`) with `concurrency` in flight; latencies in ms. */
export async function drive(
  name: string,
  concurrency: number,
  count: number,
  one: (i: number) => Promise<boolean>,
  stop?: AbortSignal,
): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && !stop?.aborted) {
        const i = next++;
        const t0 = performance.now();
        if (!(await one(i))) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    concurrency,
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    perSecond: latencies.length / seconds,
    errors,
  };
}

/** Seeds a fleet that has run for a day: SERVERS servers, CHARTED of them with stats and public. */
export function seedFleet(odoo: OdooStandIn): number[] {
  const now = Date.now();
  const servers = odoo.seed(
    'game.server',
    Array.from({ length: SERVERS }, (_, i) => {
      const online = i % 10 !== 0;
      return {
        name: `srv-${String(i + 1).padStart(5, '0')}`,
        game: GAMES[i % GAMES.length],
        host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        port: 25_565,
        is_online: online,
        players_online: online ? i % 64 : 0,
        players_max: 64,
        latency_ms: online ? 5 + (i % 40) : 0,
        map_name: online ? 'world' : false,
        last_checked: toOdooDatetime(now - (i % 60) * 1000),
        consecutive_failures: online ? 0 : 3,
        // The charted ones are on the public page.
        published: i < CHARTED,
        public_slug: i < CHARTED ? `srv-${String(i + 1).padStart(5, '0')}` : false,
      };
    }),
  );
  const quarter = 15 * 60_000;
  const first = Math.floor(now / quarter) * quarter - 96 * quarter;
  odoo.seed(
    'game.server.stat',
    Array.from({ length: CHARTED * 96 }, (_, n) => {
      const server = 1 + (n % CHARTED);
      return {
        server_id: server,
        game: GAMES[(server - 1) % GAMES.length],
        bucket_start: toOdooDatetime(first + Math.floor(n / CHARTED) * quarter),
        bucket_minutes: 15,
        polls: 15,
        polls_online: 14,
        players_sum: 14 * (n % 50),
        players_peak: n % 50,
        latency_sum: 14 * 20,
      };
    }),
  );
  return servers;
}

/** The API on 127.0.0.1, with the production settings but the rate limit; resolves its URL. */
export async function startApi(odoo: OdooInfo, prefix: string, viewerKey: string) {
  const { app } = await createApi(
    {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ODOO_URL: odoo.url,
      ODOO_DB: odoo.db,
      ODOO_LOGIN: odoo.login,
      ODOO_API_KEY: odoo.apiKey,
      ODOO_PROTOCOL: 'json2',
      API_KEYS: `bench:viewer:${viewerKey}`,
      // The load comes from one key and one address; the bench measures latency, not the limiter.
      API_RATE_LIMIT: '1000000',
      PUBLIC_RATE_LIMIT: '1000000',
      PUBLIC_CACHE_S: '10',
      // Request lines cost time in production too; they go to a sink here, not the terminal.
      LOG_LEVEL: 'info',
    },
    undefined,
    { write: () => undefined },
  );
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

/** A GET of the API with a key: true when it answered 2xx, the body read to the end. */
export function apiGetter(apiUrl: string, key: string): (path: string) => Promise<boolean> {
  const headers = { 'X-API-Key': key };
  return async (path) => {
    const res = await fetch(`${apiUrl}${path}`, { headers });
    await res.arrayBuffer();
    return res.ok;
  };
}
