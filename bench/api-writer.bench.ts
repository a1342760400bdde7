/*
 * npm run bench:api:writer — the API's list while the writer drains a backlog of offline
 * reports, against an Odoo with N workers: with the most lanes the rule allows
 * (maxWriterLanes: N - 1, at least 1) and, for contrast, with as many lanes as workers.
 *
 *   npm run bench:api:writer -- [--workers 2,3] [--polls 3] [--concurrency 1]
 *
 * The stand-in charges Odoo's measured cost (MEASURED_ODOO_COST) on N workers: a call waits
 * while all of them are busy, as on an Odoo with --workers N. It holds the fleet of bench:api
 * (10,000 servers); all of them go offline at once, `polls` polls each (3 open their outages).
 * Four threads, as in production four processes: the stand-in, the API (main thread), the
 * writer and the load, which asks for a list of 50 (`GET /servers?limit=50`, a page anywhere)
 * with `concurrency` requests in flight, first with the writer idle, then for the whole drain.
 * Prints p50/p95/p99/max of the list, the drain rate and one JSON line; target: list p95
 * under 200 ms while the writer drains with the lanes allowed. Figures only.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Queue } from 'bullmq';
import { maxWriterLanes, type ReportJobData } from '#common';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { OdooStandIn } from '../test/support/odoo-stand-in.js';
import { reportJobs, reportQueue } from '../test/support/report-queue.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../test/support/test-env.js';
import {
  apiGetter,
  drive,
  type Figures,
  listPage,
  type OdooInfo,
  seedFleet,
  SERVERS,
  startApi,
} from './api-load.js';
import { MEASURED_ODOO_COST, reports } from './writer-reports.js';

const TARGET_P95_MS = 200;
const WARM_UP = 100;
/** List requests with the writer idle, to set the drain's figures against. */
const IDLE_REQUESTS = 300;
/** No report written for this long ends the run. */
const STALL_MS = 60_000;

interface Run {
  odooWorkers: number;
  lanes: number;
  /** Whether the rule lets these lanes run on this Odoo. */
  allowed: boolean;
  reports: number;
  drainSeconds: number;
  failed: number;
  idle: Figures;
  duringDrain: Figures;
}

type Role =
  | { role: 'odoo'; workers: number }
  | { role: 'writer'; env: Record<string, string> }
  | { role: 'load'; apiUrl: string; key: string; concurrency: number };

function message<T>(thread: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
  });
}

/** Thread: the stand-in with the fleet and Odoo's cost on `workers` workers; lives until terminated. */
async function runOdoo(workers: number): Promise<void> {
  const odoo = new OdooStandIn();
  await odoo.start();
  const servers = seedFleet(odoo);
  odoo.setCost({ ...MEASURED_ODOO_COST, workers });
  const info: OdooInfo = { url: odoo.url, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey };
  parentPort?.postMessage({ info, servers });
}

/** Thread: the writer, as a poller with the writer role, until told to stop. */
async function runWriter(env: Record<string, string>): Promise<void> {
  const stop = new Promise((resolve) => parentPort?.once('message', resolve));
  const { app } = await createPoller(env, ['error']);
  parentPort?.postMessage('started');
  await stop;
  await app.close();
  parentPort?.postMessage('closed');
}

/** Thread: lists with the writer idle, then from `go` to `stop`. */
async function runLoad(apiUrl: string, key: string, concurrency: number): Promise<void> {
  const stop = new AbortController();
  const go = new Promise<void>((resolve) =>
    parentPort?.on('message', (m) => (m === 'go' ? resolve() : stop.abort())),
  );
  const get = apiGetter(apiUrl, key);
  const list = (i: number) => get(listPage(i));
  await drive('warm-up', concurrency, WARM_UP, list);
  parentPort?.postMessage(await drive('writer idle', concurrency, IDLE_REQUESTS, list));
  await go;
  const during = await drive('during the drain', concurrency, Infinity, list, stop.signal);
  parentPort?.postMessage(during);
}

/** Resolves once `total` reports are written (or failed); throws when the writer stalls. */
async function drained(queue: Queue<ReportJobData>, total: number): Promise<number> {
  let done = 0;
  let progressAt = performance.now();
  for (;;) {
    const counts = await queue.getJobCounts('completed', 'failed');
    const now = (counts['completed'] ?? 0) + (counts['failed'] ?? 0);
    if (now >= total) return counts['failed'] ?? 0;
    if (now > done) [done, progressAt] = [now, performance.now()];
    if (performance.now() - progressAt > STALL_MS) {
      throw new Error(`no report written for ${STALL_MS / 1000} s (${done} of ${total})`);
    }
    await sleep(100);
  }
}

async function run(
  odooWorkers: number,
  lanes: number,
  polls: number,
  concurrency: number,
): Promise<Run> {
  const file = new URL(import.meta.url);
  const start = (data: Role) => new Worker(file, { workerData: data });
  const odooThread = start({ role: 'odoo', workers: odooWorkers });
  const threads = [odooThread];
  const { info, servers } = await message<{ info: OdooInfo; servers: number[] }>(odooThread);
  const prefix = uniquePrefix('bench-api-writer');
  const queue = reportQueue(prefix);
  const key = randomBytes(32).toString('hex');
  const api = await startApi(info, prefix, key);
  try {
    const backlog = reports(servers, servers.length * polls, Date.now() - 3_600_000, {
      offline: true,
    });
    for (let i = 0; i < backlog.length; i += 5_000) {
      await queue.addBulk(reportJobs(backlog.slice(i, i + 5_000)));
    }
    const load = start({ role: 'load', apiUrl: api.url, key, concurrency });
    threads.push(load);
    const idle = await message<Figures>(load);

    const allowed = lanes <= maxWriterLanes(odooWorkers);
    const writer = start({
      role: 'writer',
      env: {
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        ODOO_URL: info.url,
        ODOO_DB: info.db,
        ODOO_LOGIN: info.login,
        ODOO_API_KEY: info.apiKey,
        ODOO_PROTOCOL: 'json2',
        POLLER_ROLES: 'writer',
        WRITER_BATCH_SIZE: '500',
        WRITER_FLUSH_MS: '200',
        WRITER_LANES: String(lanes),
        // What the rule forbids can only run if the writer is told of a worker Odoo lacks.
        ODOO_WORKERS: String(allowed ? odooWorkers : lanes + 1),
      },
    });
    threads.push(writer);
    await message(writer);
    const started = performance.now();
    load.postMessage('go');
    const failed = await drained(queue, backlog.length);
    const drainSeconds = (performance.now() - started) / 1000;
    const duringDrain = message<Figures>(load);
    load.postMessage('stop');
    const closed = message(writer);
    writer.postMessage('stop');
    await closed;
    return {
      odooWorkers,
      lanes,
      allowed,
      reports: backlog.length,
      drainSeconds,
      failed,
      idle,
      duringDrain: await duringDrain,
    };
  } finally {
    await api.app.close();
    await queue.close();
    for (const thread of threads) await thread.terminate();
    await dropPrefix(prefix);
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      workers: { type: 'string', default: '2,3' },
      polls: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '1' },
    },
  });
  const workerCounts = (args.workers ?? '2,3').split(',').map(Number);
  const polls = Number(args.polls);
  const concurrency = Number(args.concurrency);
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(
    `API list while the writer drains ${(SERVERS * polls).toLocaleString('en')} offline reports ` +
      `(${SERVERS.toLocaleString('en')} servers x ${polls} polls); stand-in ` +
      `${MEASURED_ODOO_COST.perCallMs} ms/call + ${MEASURED_ODOO_COST.perRecordMs} ms/record on ` +
      `N workers; ${concurrency} list request${concurrency === 1 ? '' : 's'} in flight; ` +
      `Node ${process.version}, ${cpus().length} cores`,
  );
  const head = ['workers', 'lanes', 'rule', 'reports/s', 'list', 'requests', 'p50 ms'];
  const widths = [7, 5, 8, 9, 16, 8, 7, 7, 7, 7];
  const row = (cells: (string | number)[]) =>
    out(cells.map((c, i) => String(c).padStart(widths[i] ?? 7)).join('  '));
  out();
  row([...head, 'p95 ms', 'p99 ms', 'max ms']);
  const runs: Run[] = [];
  for (const workers of workerCounts) {
    for (const lanes of [maxWriterLanes(workers), workers]) {
      const r = await run(workers, lanes, polls, concurrency);
      runs.push(r);
      const figures = (f: Figures) =>
        [f.requests, f.p50, f.p95, f.p99, f.max].map((v) =>
          Number.isInteger(v) ? v : v.toFixed(0),
        );
      const rule = r.allowed ? 'allowed' : 'refused';
      row([workers, lanes, rule, '', 'writer idle', ...figures(r.idle)]);
      row([
        workers,
        lanes,
        rule,
        (r.reports / r.drainSeconds).toFixed(0),
        'during the drain',
        ...figures(r.duringDrain),
      ]);
      if (r.failed > 0 || r.idle.errors + r.duringDrain.errors > 0) {
        out(`  ${r.failed} reports failed, ${r.idle.errors + r.duringDrain.errors} list errors`);
      }
    }
  }
  out();
  for (const r of runs.filter((run) => run.allowed)) {
    const p95 = r.duringDrain.p95;
    out(
      `--workers ${r.odooWorkers}, ${r.lanes} lane${r.lanes === 1 ? '' : 's'} (the most allowed): ` +
        `list p95 ${p95.toFixed(0)} ms during the drain, target ${TARGET_P95_MS} ms ` +
        `${p95 < TARGET_P95_MS ? 'met' : 'MISSED'}`,
    );
  }
  const ms = (v: number) => Math.round(v * 10) / 10;
  out(
    JSON.stringify({
      bench: 'api-writer',
      servers: SERVERS,
      polls,
      concurrency,
      cost: MEASURED_ODOO_COST,
      runs: runs.map((r) => ({
        odooWorkers: r.odooWorkers,
        lanes: r.lanes,
        allowed: r.allowed,
        reports: r.reports,
        failed: r.failed,
        drainPerSecond: Math.round(r.reports / r.drainSeconds),
        ...Object.fromEntries(
          (['idle', 'duringDrain'] as const).map((k) => [
            k,
            {
              requests: r[k].requests,
              p50: ms(r[k].p50),
              p95: ms(r[k].p95),
              p99: ms(r[k].p99),
              max: ms(r[k].max),
              errors: r[k].errors,
            },
          ]),
        ),
      })),
    }),
  );
}

if (isMainThread) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(
        `bench:api:writer failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
} else {
  const data = workerData as Role;
  switch (data.role) {
    case 'odoo':
      void runOdoo(data.workers);
      break;
    case 'writer':
      void runWriter(data.env);
      break;
    case 'load':
      void runLoad(data.apiUrl, data.key, data.concurrency);
      break;
  }
}
