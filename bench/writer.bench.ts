/*
 * The report writer against the Odoo stand-in with Odoo's measured cost, through real Redis:
 * reports/s written, RPCs per report, batch sizes and report latency (enqueued to committed in
 * Odoo), for several batch sizes on one backlog, then at two steady production rates.
 *
 *   npm run bench:writer
 *
 * Cost model: Odoo's measured cost (MEASURED_ODOO_COST), one call at a time. Prints figures
 * only: nothing here passes or fails on time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createPoller } from '../apps/poller/src/poller.app.js';
import type { ReportJobData } from '#common';
import { OdooStandIn } from '../test/support/odoo-stand-in.js';
import {
  MEASURED_ODOO_COST,
  percentile,
  reports,
  runWriterBench,
  serverRows,
} from './writer-reports.js';
import { reportJobs, reportQueue } from '../test/support/report-queue.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../test/support/test-env.js';

const COST = { ...MEASURED_ODOO_COST, workers: 1 };
const SERVERS = 2_000;
const BACKLOG = 20_000;
/** Batch size 1 costs one call per report: a smaller backlog keeps the run short. */
const BACKLOG_OF_ONE = 2_000;
const BATCH_SIZES = [1, 50, 200, 500];
/** Writer lanes, each run against an Odoo with one worker more (the most lanes it allows). */
const LANES = [1, 2, 4];
/** 10,000 and 50,000 servers polled once a minute: the design's floor and goal. */
const STEADY_RATES = [167, 833];
const STEADY_SECONDS = 15;

interface RunFigures {
  label: string;
  reports: number;
  seconds: number;
  rpcs: number;
  batches: number[];
  latenciesMs: number[];
}

/** One writer process against a fresh stand-in and queue prefix; `produce` feeds the queue. */
async function run(
  label: string,
  writerEnv: Record<string, string>,
  produce: (
    enqueue: (reports: ReportJobData[]) => Promise<void>,
    servers: readonly number[],
  ) => Promise<void>,
  startWriterFirst: boolean,
  odooWorkers = COST.workers,
): Promise<RunFigures> {
  const odoo = new OdooStandIn();
  const url = await odoo.start();
  odoo.setCost({ ...COST, workers: odooWorkers });
  const servers = odoo.seed('game.server', serverRows(SERVERS, 's'));
  const prefix = uniquePrefix('bench-writer');
  const queue = reportQueue(prefix);
  const enqueuedAt = new Map<string, number>();
  const latenciesMs: number[] = [];
  let seen = 0;
  odoo.onCommit((call) => {
    if (call.method !== 'apply_status_reports') return;
    const now = Date.now();
    const applied = odoo.appliedReports();
    for (; seen < applied.length; seen++) {
      const r = applied[seen]!;
      const at = enqueuedAt.get(`${String(r.server_id)}@${String(r.checked_at_ms)}`);
      if (at !== undefined) latenciesMs.push(now - at);
    }
  });
  const enqueue = async (reports: ReportJobData[]): Promise<void> => {
    const at = Date.now();
    for (const r of reports) enqueuedAt.set(`${r.serverId}@${Date.parse(r.checkedAt)}`, at);
    await queue.addBulk(reportJobs(reports));
  };
  const env = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ODOO_URL: url,
    ODOO_DB: odoo.db,
    ODOO_LOGIN: odoo.login,
    ODOO_API_KEY: odoo.apiKey,
    POLLER_ROLES: 'writer',
    ...writerEnv,
  };
  let writer;
  let started: number;
  if (startWriterFirst) {
    ({ app: writer } = await createPoller(env, ['error']));
    started = Date.now();
    await produce(enqueue, servers);
  } else {
    await produce(enqueue, servers);
    started = Date.now();
    ({ app: writer } = await createPoller(env, ['error']));
  }
  const total = enqueuedAt.size;
  while (odoo.appliedReports().length < total) await sleep(20);
  const seconds = (Date.now() - started) / 1000;
  await writer.close();
  await queue.close();
  await odoo.stop();
  await dropPrefix(prefix);
  const calls = odoo.calls.filter((c) => c.method === 'apply_status_reports' && c.ok);
  return {
    label,
    reports: total,
    seconds,
    rpcs: calls.length,
    batches: calls.map((c) => c.recordCount),
    latenciesMs,
  };
}

function distribution(batches: readonly number[]): string {
  const bins: [string, (n: number) => boolean][] = [
    ['1', (n) => n === 1],
    ['2-49', (n) => n >= 2 && n < 50],
    ['50-199', (n) => n >= 50 && n < 200],
    ['200-499', (n) => n >= 200 && n < 500],
    ['500+', (n) => n >= 500],
  ];
  return bins
    .map(([name, test]) => `${name}:${batches.filter(test).length}`)
    .filter((bin) => !bin.endsWith(':0'))
    .join(' ');
}

function row(cells: (string | number)[], widths: number[]): string {
  return cells.map((cell, i) => String(cell).padStart(widths[i] ?? 10)).join('  ');
}

async function main(): Promise<void> {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(
    `writer bench: stand-in ${COST.perCallMs} ms/call + ${COST.perRecordMs} ms/report, ${COST.workers} Odoo worker, real Redis (${REDIS_URL}), ${SERVERS} servers`,
  );
  const from = Date.now() - 6 * 3_600_000;

  const backlogRuns: (RunFigures & { batch: number })[] = [];
  for (const batch of BATCH_SIZES) {
    const count = batch === 1 ? BACKLOG_OF_ONE : BACKLOG;
    const figures = await run(
      `batch ${batch}`,
      { WRITER_BATCH_SIZE: String(batch), WRITER_FLUSH_MS: '200' },
      (enqueue, servers) => enqueueAll(enqueue, reports(servers, count, from)),
      false,
    );
    backlogRuns.push({ ...figures, batch });
  }

  const widths = [6, 8, 10, 12, 10, 10, 10];
  out();
  out('backlog drain (all reports queued before the writer starts; latency includes the wait)');
  out(
    row(['batch', 'reports', 'reports/s', 'RPCs/report', 'mean size', 'p50 ms', 'p95 ms'], widths),
  );
  for (const r of backlogRuns) {
    out(
      row(
        [
          r.batch,
          r.reports,
          (r.reports / r.seconds).toFixed(0),
          (r.rpcs / r.reports).toFixed(4),
          (r.reports / r.rpcs).toFixed(1),
          percentile(r.latenciesMs, 50),
          percentile(r.latenciesMs, 95),
        ],
        widths,
      ),
    );
  }
  out();
  out('batch sizes sent (calls per bin)');
  for (const r of backlogRuns)
    out(`  batch ${String(r.batch).padStart(3)}: ${distribution(r.batches)}`);
  const one = backlogRuns[0]!;
  out();
  out('ratios against batch size 1');
  out(row(['batch', 'reports/s x', 'RPCs x'], [6, 12, 10]));
  for (const r of backlogRuns) {
    out(
      row(
        [
          r.batch,
          (r.reports / r.seconds / (one.reports / one.seconds)).toFixed(1),
          (r.rpcs / r.reports / (one.rpcs / one.reports)).toFixed(4),
        ],
        [6, 12, 10],
      ),
    );
  }

  out();
  out('lanes: the same backlog, batch 500, against an Odoo with one worker more than lanes');
  out(row(['lanes', 'reports/s', 'x 1 lane', 'RPCs/report'], [6, 10, 10, 12]));
  let oneLane: number | undefined;
  for (const lanes of LANES) {
    const r = await run(
      `lanes ${lanes}`,
      {
        WRITER_BATCH_SIZE: '500',
        WRITER_FLUSH_MS: '200',
        WRITER_LANES: String(lanes),
        ODOO_WORKERS: String(lanes + 1),
      },
      (enqueue, servers) => enqueueAll(enqueue, reports(servers, BACKLOG, from)),
      false,
      lanes + 1,
    );
    const rate = r.reports / r.seconds;
    oneLane ??= rate;
    out(
      row(
        [lanes, rate.toFixed(0), (rate / oneLane).toFixed(2), (r.rpcs / r.reports).toFixed(4)],
        [6, 10, 10, 12],
      ),
    );
  }

  out();
  out(
    `steady production for ${STEADY_SECONDS} s (batch 500, flush 1000 ms; latency = enqueued to committed)`,
  );
  out(
    row(
      ['rate/s', 'reports', 'RPCs/report', 'mean size', 'p50 ms', 'p95 ms'],
      [6, 8, 12, 10, 10, 10],
    ),
  );
  for (const rate of STEADY_RATES) {
    const perTick = Math.round(rate / 10);
    const r = await run(
      `steady ${rate}`,
      { WRITER_BATCH_SIZE: '500', WRITER_FLUSH_MS: '1000' },
      async (enqueue, servers) => {
        const all = reports(servers, perTick * 10 * STEADY_SECONDS, from);
        // Ten small enqueues a second, as poll workers hand over their reports.
        for (let i = 0; i < all.length; i += perTick) {
          const tick = Date.now();
          await enqueue(all.slice(i, i + perTick));
          await sleep(Math.max(0, 100 - (Date.now() - tick)));
        }
      },
      true,
    );
    out(
      row(
        [
          rate,
          r.reports,
          (r.rpcs / r.reports).toFixed(4),
          (r.reports / r.rpcs).toFixed(1),
          percentile(r.latenciesMs, 50),
          percentile(r.latenciesMs, 95),
        ],
        [6, 8, 12, 10, 10, 10],
      ),
    );
  }
}

async function enqueueAll(
  enqueue: (reports: ReportJobData[]) => Promise<void>,
  all: ReportJobData[],
): Promise<void> {
  for (let i = 0; i < all.length; i += 5_000) await enqueue(all.slice(i, i + 5_000));
}

runWriterBench(main);
