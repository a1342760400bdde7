/*
 * The report writer against a real Odoo: how fast a backlog drains with each number of writer
 * lanes, and whether every report landed exactly once. Point it at a database kept for tests:
 * each run creates its own servers (`bench-writer-<n>`), writes their status and statistics,
 * and deletes them at the end (Odoo keeps their deletion records for the catalog sync).
 *
 *   npm run bench:writer:odoo -- --url http://127.0.0.1:8069 --db gss --login gss-service \
 *     --api-key-file key [--servers 2000] [--reports 20000] [--lanes 1,2,4] [--batch 500]
 *     [--protocol auto|json2|jsonrpc]
 *
 * Lanes help only if Odoo serves calls in parallel (--workers N with N >= lanes, or the
 * threaded server). Real Redis (TEST_REDIS_URL or the local one), with a queue prefix of its
 * own. Prints figures only.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { OdooClient } from '#odoo-client';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../test/support/test-env.js';
import { reports, runWriterBench, serverRows } from './writer-reports.js';
import { reportJobs, reportQueue } from '../test/support/report-queue.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    db: { type: 'string' },
    login: { type: 'string' },
    'api-key-file': { type: 'string' },
    servers: { type: 'string', default: '2000' },
    reports: { type: 'string', default: '20000' },
    lanes: { type: 'string', default: '1,2,4' },
    batch: { type: 'string', default: '500' },
    protocol: { type: 'string', default: 'auto' },
  },
});

/** No report written for this long ends the run. */
const STALL_MS = 120_000;

interface LaneRun {
  lanes: number;
  seconds: number;
  /** Polls counted in the servers' statistics: one per report applied. */
  polls: number;
  /** Servers whose last applied report is their newest one. */
  newest: number;
  failedJobs: number;
}

async function runLanes(
  client: OdooClient,
  odooEnv: Record<string, string>,
  lanes: number,
  run: number,
): Promise<LaneRun> {
  const serverCount = Number(args.servers);
  const total = Number(args.reports);
  const servers = await client.create(
    'game.server',
    serverRows(serverCount, `bench-writer-${run}`),
  );
  const prefix = uniquePrefix('bench-writer-odoo');
  const queue = reportQueue(prefix);
  try {
    const backlog = reports(servers, total, Date.now() - 6 * 3_600_000);
    for (let i = 0; i < backlog.length; i += 5_000) {
      await queue.addBulk(reportJobs(backlog.slice(i, i + 5_000)));
    }
    const started = performance.now();
    const { app: writer } = await createPoller(
      {
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        ...odooEnv,
        POLLER_ROLES: 'writer',
        WRITER_BATCH_SIZE: args.batch ?? '500',
        WRITER_FLUSH_MS: '200',
        WRITER_LANES: String(lanes),
      },
      ['error'],
    );
    let counts: Record<string, number>;
    let done = 0;
    let progressAt = performance.now();
    do {
      await sleep(50);
      counts = await queue.getJobCounts('completed', 'failed');
      const now = (counts.completed ?? 0) + (counts.failed ?? 0);
      if (now > done) [done, progressAt] = [now, performance.now()];
      // The writer holds its batch while Odoo fails: say so rather than wait for ever.
      if (performance.now() - progressAt > STALL_MS) {
        await writer.close();
        throw new Error(
          `no report written for ${STALL_MS / 1000} s (${done} of ${total}); see Odoo`,
        );
      }
    } while (done < total);
    const seconds = (performance.now() - started) / 1000;
    await writer.close();

    const newestAt = new Map<number, number>();
    for (const r of backlog) newestAt.set(r.serverId, Date.parse(r.checkedAt));
    const stats = await client.searchReadAll<{ id: number; polls: number }>(
      'game.server.stat',
      [['server_id', 'in', servers]],
      { fields: ['polls'] },
    );
    const rows = await client.searchReadAll<{ id: number; last_report_ms: number }>(
      'game.server',
      [['id', 'in', servers]],
      { fields: ['last_report_ms'] },
    );
    return {
      lanes,
      seconds,
      polls: stats.reduce((sum, s) => sum + s.polls, 0),
      newest: rows.filter((row) => row.last_report_ms === newestAt.get(row.id)).length,
      failedJobs: counts.failed ?? 0,
    };
  } finally {
    await queue.close();
    await dropPrefix(prefix);
    await client.unlink('game.server', servers);
  }
}

async function main(): Promise<void> {
  const { url, db, login } = args;
  const keyFile = args['api-key-file'];
  if (!url || !db || !login || !keyFile) {
    throw new Error('give --url, --db, --login and --api-key-file of the Odoo to measure');
  }
  const protocol = args.protocol as 'auto' | 'json2' | 'jsonrpc';
  const apiKey = readFileSync(keyFile, 'utf8').trim();
  const client = new OdooClient({ url, db, login, apiKey, protocol, timeoutMs: 60_000 });
  const odooEnv = {
    ODOO_URL: url,
    ODOO_DB: db,
    ODOO_LOGIN: login,
    ODOO_API_KEY: apiKey,
    ODOO_PROTOCOL: protocol,
  };
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const lanesList = (args.lanes ?? '1').split(',').map(Number);
  out(
    `writer bench against ${url} (${db}, ${protocol}): ${args.reports} reports queued for ${args.servers} new ` +
      `servers before the writer starts, batch ${args.batch}, real Redis (${REDIS_URL})`,
  );
  out();
  const widths = [6, 8, 10, 10, 10, 14, 8];
  const row = (cells: (string | number)[]) =>
    cells.map((cell, i) => String(cell).padStart(widths[i] ?? 10)).join('  ');
  out(row(['lanes', 'reports', 'seconds', 'reports/s', 'x 1 lane', 'polls counted', 'newest']));
  let first: number | undefined;
  try {
    for (const [run, lanes] of lanesList.entries()) {
      const r = await runLanes(client, odooEnv, lanes, run);
      const rate = Number(args.reports) / r.seconds;
      first ??= rate;
      out(
        row([
          lanes,
          args.reports ?? '',
          r.seconds.toFixed(1),
          rate.toFixed(0),
          (rate / first).toFixed(2),
          r.polls,
          `${r.newest}/${args.servers}`,
        ]) + (r.failedJobs > 0 ? `  (${r.failedJobs} failed jobs)` : ''),
      );
    }
  } finally {
    client.close();
  }
}

runWriterBench(main);
