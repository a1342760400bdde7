/*
 * npm run bench:api — the API's list latency with 10,000 servers in Odoo (the stand-in).
 *
 * Three threads, so the figures are the API's and not a shared event loop's: the Odoo
 * stand-in (seeded with 10,000 servers and a day of 15-minute stats for 100 of them), the
 * API itself (main thread, real Redis, the production settings but the rate limit), and
 * the load generator. Prints p50/p95/p99 and requests/s per scenario, and the same Odoo
 * calls made directly, to show what the API adds. Target (docs/benchmarks.md): list of 50, p95 under
 * 100 ms. Figures only; nothing here passes or fails.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ServerRepository } from '#common';
import { OdooClient } from '#odoo-client';
import { OdooStandIn } from '../test/support/odoo-stand-in.js';
import { dropPrefix, uniquePrefix } from '../test/support/test-env.js';
import {
  apiGetter,
  CHARTED,
  drive,
  type Figures,
  GAMES,
  listPage,
  type OdooInfo,
  seedFleet,
  SERVERS,
  startApi,
} from './api-load.js';

/** One request at a time shows latency; eight at a time, throughput and queueing. */
const CONCURRENCY = [1, 8] as const;
const TARGET_P95_MS = 100;
const REQUESTS_AT: Record<(typeof CONCURRENCY)[number], number> = { 1: 500, 8: 1_000 };
const ODOO_ALONE = 'Odoo alone: ServerRepository.list, no API';

interface Scenario {
  name: string;
  path: (i: number) => string;
}

const SCENARIOS: Scenario[] = [
  { name: 'list 50, by name, random page', path: listPage },
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

/** Thread 1: the Odoo stand-in, seeded like a fleet that has run for a day. */
async function runOdoo(): Promise<void> {
  const odoo = new OdooStandIn();
  await odoo.start();
  seedFleet(odoo);
  const info: OdooInfo = { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey };
  parentPort?.postMessage(info);
  // Lives until the main thread terminates it.
}

/** Thread 3: the load, against the API and, for comparison, straight against Odoo. */
async function runLoad(input: { apiUrl: string; key: string; odoo: OdooInfo }): Promise<void> {
  const get = apiGetter(input.apiUrl, input.key);
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
  const { app, url: apiUrl } = await startApi(odoo, prefix, key);
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
