/*
 * npm run bench:api — the API's list latency with 10,000 servers in Odoo (the stand-in), and
 * the public page under a crowd: 1,000 requests/s for 30 s, with the Odoo calls it made.
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
import { setTimeout as sleep } from 'node:timers/promises';
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
/** The public page's crowd: requests per second, for how long, and its mix of pages. */
const PUBLIC_RATE = 1_000;
const PUBLIC_SECONDS = 30;
const PUBLIC_CACHE_S = 10;
const PUBLIC_PAGES = [
  '/public/servers',
  '/public',
  '/public/servers/srv-00001/badge.svg',
  '/public/servers',
  '/public/servers/srv-00002/card',
];

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
  // Then answers how many public_status calls it received; lives until terminated.
  parentPort?.on('message', () =>
    parentPort?.postMessage(odoo.calls.filter((c) => c.method === 'public_status').length),
  );
}

/**
 * Sends `rate` requests a second for `seconds`, whatever the answers take (a crowd does not
 * wait for the previous player's page); each latency runs from its send time.
 */
async function openLoop(
  name: string,
  rate: number,
  seconds: number,
  one: (i: number) => Promise<boolean>,
): Promise<Figures> {
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (sent < due) {
      const i = sent++;
      const t0 = performance.now();
      const request: Promise<void> = one(i)
        .then(
          (ok) => {
            if (!ok) errors++;
          },
          () => {
            errors++;
          },
        )
        .finally(() => {
          latencies.push(performance.now() - t0);
          inFlight.delete(request);
        });
      inFlight.add(request);
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    name,
    concurrency: 0,
    requests: latencies.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: latencies.at(-1) ?? NaN,
    perSecond: latencies.length / elapsed,
    errors,
  };
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
  // Then the crowd on the public page, once the main thread has counted Odoo's calls so far.
  await new Promise((resolve) => parentPort?.once('message', resolve));
  const publicGet = async (i: number) => {
    const res = await fetch(`${input.apiUrl}${PUBLIC_PAGES[i % PUBLIC_PAGES.length] ?? '/public'}`);
    await res.arrayBuffer();
    return res.ok;
  };
  parentPort?.postMessage(await openLoop('public page', PUBLIC_RATE, PUBLIC_SECONDS, publicGet));
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
    const next = <T>(worker: Worker, ask?: boolean) =>
      new Promise<T>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
        if (ask) worker.postMessage('next');
      });
    const results = await next<Figures[]>(loadThread);
    print(results);
    const callsBefore = await next<number>(odooThread, true);
    const crowd = await next<Figures>(loadThread, true);
    const calls = (await next<number>(odooThread, true)) - callsBefore;
    await loadThread.terminate();
    printPublic(crowd, calls);
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

function printPublic(crowd: Figures, odooCalls: number): void {
  const periods = Math.ceil(PUBLIC_SECONDS / PUBLIC_CACHE_S);
  process.stdout.write(
    `\nPublic page, no key: ${PUBLIC_RATE.toLocaleString('en')} requests/s for ${PUBLIC_SECONDS} s ` +
      `(page, JSON, badge, card), ${CHARTED} published servers, PUBLIC_CACHE_S=${PUBLIC_CACHE_S}\n` +
      `${crowd.requests.toLocaleString('en')} answered (${crowd.perSecond.toFixed(0)}/s), ` +
      `${crowd.errors} errors; p50 ${crowd.p50.toFixed(1)} ms, p95 ${crowd.p95.toFixed(1)} ms, ` +
      `p99 ${crowd.p99.toFixed(1)} ms, max ${crowd.max.toFixed(1)} ms\n` +
      `Odoo calls: ${odooCalls} in ${PUBLIC_SECONDS} s (at most one per ${PUBLIC_CACHE_S} s period: ` +
      `${periods}${odooCalls <= periods + 1 ? '' : ' EXCEEDED'})\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'api-public',
      rate: PUBLIC_RATE,
      seconds: PUBLIC_SECONDS,
      requests: crowd.requests,
      perSecond: Math.round(crowd.perSecond),
      errors: crowd.errors,
      p50Ms: Number(crowd.p50.toFixed(1)),
      p95Ms: Number(crowd.p95.toFixed(1)),
      p99Ms: Number(crowd.p99.toFixed(1)),
      odooCalls,
      cacheS: PUBLIC_CACHE_S,
    })}\n`,
  );
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
