/*
 * The cost curve over several bench:e2e runs: reads their outputs (the JSON line each ends
 * with), sorts them by fleet size and workers, and prints one row per run with the cost per
 * server, so a glance shows whether it stays flat as the fleet grows.
 *
 *   npm run --silent bench:e2e -- --servers 10000 > runs/10k.txt
 *   npm run bench:e2e:curve -- runs/*.txt
 */
import { readFileSync } from 'node:fs';

interface Run {
  servers: number;
  interval_s: number;
  workers: number;
  polled_per_interval: number;
  staleness_p95_s: number;
  rpc_per_report: number;
  double_polls: number;
  failed_jobs: number;
  peak_rss_mb: Record<string, number>;
  cpu_s_per_1000_polls: Record<string, number>;
  redis_used_mb: number;
  redis_cmds_per_poll: number;
}

const REQUIRED = ['servers', 'workers', 'cpu_s_per_1000_polls', 'redis_used_mb'] as const;

function runsIn(file: string): Run[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Run)
    .filter((run) => REQUIRED.every((key) => key in run));
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run bench:e2e:curve -- <bench:e2e output file>...\n');
  process.exit(2);
}
const runs = files.flatMap(runsIn).sort((a, b) => a.servers - b.servers || a.workers - b.workers);
if (runs.length === 0) {
  process.stderr.write('no bench:e2e result line in those files\n');
  process.exit(1);
}

/** The bench's own process and Redis are not roles of ours; Redis is shown on its own. */
const roleCpu = (run: Run): number =>
  Object.entries(run.cpu_s_per_1000_polls)
    .filter(([label]) => label !== 'bench' && label !== 'redis')
    .reduce((sum, [, s]) => sum + s, 0);
const rssPer1000 = (run: Run): number =>
  Object.entries(run.peak_rss_mb)
    .filter(([label]) => label !== 'bench')
    .reduce((sum, [, mb]) => sum + mb, 0) /
  (run.servers / 1000);

const columns: [string, (run: Run) => string][] = [
  ['servers', (r) => String(r.servers)],
  ['workers', (r) => String(r.workers)],
  ['polled', (r) => `${((r.polled_per_interval / r.servers) * 100).toFixed(1)} %`],
  ['p95 s', (r) => `${r.staleness_p95_s} / ${r.interval_s + 10}`],
  ['RPC/report', (r) => r.rpc_per_report.toFixed(4)],
  ['double', (r) => String(r.double_polls)],
  ['failed', (r) => String(r.failed_jobs)],
  ['CPU s/1k polls (ours)', (r) => roleCpu(r).toFixed(3)],
  ['CPU s/1k polls (Redis)', (r) => (r.cpu_s_per_1000_polls['redis'] ?? NaN).toFixed(3)],
  ['Redis cmds/poll', (r) => r.redis_cmds_per_poll.toFixed(0)],
  ['Redis MB/1k servers', (r) => (r.redis_used_mb / (r.servers / 1000)).toFixed(2)],
  ['peak RSS MB/1k servers', (r) => rssPer1000(r).toFixed(1)],
];
const cells = runs.map((run) => columns.map(([, cell]) => cell(run)));
const widths = columns.map(([head], i) =>
  Math.max(head.length, ...cells.map((row) => (row[i] ?? '').length)),
);
const row = (values: readonly string[]) =>
  values.map((v, i) => v.padStart(widths[i] ?? 0)).join('  ');
process.stdout.write(`${row(columns.map(([head]) => head))}\n`);
for (const values of cells) process.stdout.write(`${row(values)}\n`);

const smallest = runs[0] as Run;
const largest = runs.at(-1) as Run;
process.stdout.write(
  `\nfrom ${smallest.servers} to ${largest.servers} servers: CPU per poll (ours) x${(roleCpu(largest) / roleCpu(smallest)).toFixed(2)}, Redis MB per server x${(largest.redis_used_mb / largest.servers / (smallest.redis_used_mb / smallest.servers)).toFixed(2)} (1.00 is flat, below it falls)\n`,
);
