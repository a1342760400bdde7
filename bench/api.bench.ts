/*
 * npm run bench:api — the API's list latency with 10,000 servers in Odoo (the stand-in).
 *
 * Three threads, so the figures are the API's and not a shared event loop's: the Odoo
 * stand-in (seeded with 10,000 servers and a day of 15-minute stats for 100 of them), the
 * API itself (main thread, real Redis, the production settings but the rate limit), and
 * the load generator. Prints p50/p95/p99 and requests/s per scenario, and the same Odoo
 * calls made directly, to show what the API adds. Target (DESIGN.md): list of 50, p95 under
 * 100 ms. Figures only; nothing here passes or fails.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ServerRepository } from '#common';
import { OdooClient, toOdooDatetime } from '#odoo-client';
import { createApi } from '../apps/api/src/api.app.js';
import { OdooStandIn } from '../test/support/odoo-stand-in.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../test/support/test-env.js';

const SERVERS = 10_000;
const CHARTED = 100;
/** One request at a time shows latency; eight at a time, throughput and queueing. */
const CONCURRENCY = [1, 8] as const;
const TARGET_P95_MS = 100;
const REQUESTS_AT: Record<(typeof CONCURRENCY)[number], number> = { 1: 500, 8: 1_000 };
const ODOO_ALONE = 'Odoo alone: ServerRepository.list, no API';
const GAMES = ['minecraft', 'mbe', 'counterstrike2', 'rust', 'valheim', 'openarena'];

interface OdooInfo {
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

interface Scenario {
  name: string;
  path: (i: number) => string;
}

interface Figures {
  name: string;
  concurrency: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  perSecond: number;
  errors: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'list 50, by name, random page',
    path: (i) => `/servers?limit=50&offset=${(i * 7_919) % (SERVERS - 50)}`,
  },
  {
    name: 'list 50, game + online, by players desc',
    path: (i) => `/servers?limit=50&game=${GAMES[i % GAMES.length]}&online=true&sort=-players`,
  },
  {
    name: 'list 50, text search',
    path: (i) => `/servers?limit=50&q=srv-0${i % 10}`,
  },
  { name: 'get one', path: (i) => `/servers/${1 + ((i * 7_919) % SERVERS)}` },
  {
    name: 'history, 24 h in hours',
    path: (i) => `/servers/${1 + (i % CHARTED)}/history?bucket=1h`,
  },
  { name: 'stats, per game and total', path: () => '/stats' },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `one` `count` times with `concurrency` in flight; latencies in ms. */
async function drive(
  name: string,
  concurrency: number,
  count: number,
  one: (i: number) => Promise<boolean>,
): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
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
    requests: count,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    perSecond: count / seconds,
    errors,
  };
}

/** Thread 1: the Odoo stand-in, seeded like a fleet that has run for a day. */
async function runOdoo(): Promise<void> {
  const odoo = new OdooStandIn();
  await odoo.start();
  const now = Date.now();
  odoo.seed(
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
  const info: OdooInfo = { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey };
  parentPort?.postMessage(info);
  // Lives until the main thread terminates it.
}

/** Thread 3: the load, against the API and, for comparison, straight against Odoo. */
async function runLoad(input: { apiUrl: string; key: string; odoo: OdooInfo }): Promise<void> {
  const headers = { 'X-API-Key': input.key };
  const get = async (path: string) => {
    const res = await fetch(`${input.apiUrl}${path}`, { headers });
    await res.arrayBuffer();
    return res.ok;
  };
  const client = new OdooClient({ ...input.odoo, protocol: 'json2', timeoutMs: 30_000 });
  // The repository the API's list uses, without the API around it.
  const servers = new ServerRepository(client);
  const odooAlone = async (i: number) => {
    await servers.list({ limit: 50, offset: (i * 7_919) % (SERVERS - 50) });
    return true;
  };
  await drive('warm-up', 4, 200, (i) => get(`/servers?limit=50&offset=${i}`));
  const results: Figures[] = [];
  for (const concurrency of CONCURRENCY) {
    const count = REQUESTS_AT[concurrency];
    for (const scenario of SCENARIOS) {
      const n = scenario.name.startsWith('stats') ? count / 5 : count;
      results.push(await drive(scenario.name, concurrency, n, (i) => get(scenario.path(i))));
    }
    results.push(await drive(ODOO_ALONE, concurrency, count, odooAlone));
  }
  client.close();
  parentPort?.postMessage(results);
}

/** Main thread: the API, started as main.ts starts it. */
async function main(): Promise<void> {
  const file = new URL(import.meta.url);
  const odooThread = new Worker(file, { workerData: { role: 'odoo' } });
  const odoo = await new Promise<OdooInfo>((resolve, reject) => {
    odooThread.once('message', resolve);
    odooThread.once('error', reject);
  });
  const prefix = uniquePrefix('bench-api');
  const key = randomBytes(32).toString('hex');
  const { app } = await createApi(
    {
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      ODOO_URL: odoo.url,
      ODOO_DB: odoo.db,
      ODOO_LOGIN: odoo.login,
      ODOO_API_KEY: odoo.apiKey,
      ODOO_PROTOCOL: 'json2',
      API_KEYS: `bench:viewer:${key}`,
      // The load comes from one key; the bench measures latency, not the limiter.
      API_RATE_LIMIT: '1000000',
      // Request lines cost time in production too; they go to a sink here, not the terminal.
      LOG_LEVEL: 'info',
    },
    undefined,
    { write: () => undefined },
  );
  await app.listen(0, '127.0.0.1');
  const apiUrl = await app.getUrl();
  try {
    const loadThread = new Worker(file, {
      workerData: { role: 'load', apiUrl, key, odoo },
    });
    const results = await new Promise<Figures[]>((resolve, reject) => {
      loadThread.once('message', resolve);
      loadThread.once('error', reject);
    });
    await loadThread.terminate();
    print(results);
  } finally {
    await app.close();
    await odooThread.terminate();
    await dropPrefix(prefix);
  }
}

function print(results: Figures[]): void {
  const ms = (v: number) => v.toFixed(1).padStart(7);
  process.stdout.write(
    `\nAPI with ${SERVERS.toLocaleString('en')} servers in the Odoo stand-in (JSON-2); ` +
      `Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}); ` +
      `stand-in, API and load each on its own thread\n`,
  );
  for (const concurrency of CONCURRENCY) {
    process.stdout.write(
      `\n${concurrency} request${concurrency === 1 ? '' : 's'} in flight\n` +
        `${'scenario'.padEnd(44)} ${'requests'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'req/s'.padStart(7)} errors\n`,
    );
    for (const r of results.filter((f) => f.concurrency === concurrency)) {
      process.stdout.write(
        `${r.name.padEnd(44)} ${String(r.requests).padStart(8)} ${ms(r.p50)} ${ms(r.p95)} ${ms(r.p99)} ${r.perSecond.toFixed(0).padStart(7)} ${r.errors}\n`,
      );
    }
    const list = results.find(
      (f) => f.concurrency === concurrency && f.name === SCENARIOS[0]?.name,
    );
    const alone = results.find((f) => f.concurrency === concurrency && f.name === ODOO_ALONE);
    if (list && alone) {
      process.stdout.write(
        `list of 50: p95 ${list.p95.toFixed(1)} ms, target ${TARGET_P95_MS} ms ` +
          `${list.p95 < TARGET_P95_MS ? 'met' : 'MISSED'}; the same list without the API takes ` +
          `${alone.p95.toFixed(1)} ms at p95; the API adds ` +
          `${(list.p50 - alone.p50).toFixed(1)} ms at p50\n`,
      );
    }
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `bench:api failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  });
} else {
  const data = workerData as { role: 'odoo' | 'load' } & Parameters<typeof runLoad>[0];
  void (data.role === 'odoo' ? runOdoo() : runLoad(data));
}
