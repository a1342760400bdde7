/*
 * The whole system end to end, as separate processes: one scheduler, W poll workers, one
 * writer and the API (idle), all from dist/ on the machine's real Redis (own queue prefix,
 * dropped at the end), the Odoo stand-in charging Odoo's measured cost, and a simulated fleet
 * of N game servers on loopback (bench/e2e-fleet.ts, in child processes).
 *
 *   npm run bench:e2e -- --servers 10000 --interval 60 [--workers 1] [--intervals 3]
 *   npm run bench:e2e -- --servers 10000 --interval 60 --minutes 30      (soak)
 *
 * The first interval after start is warm-up (catalog read, connections, every server's
 * current slot enqueued at once) and is not measured; then K intervals are: every server has
 * exactly K slots starting in that window. Staleness of a report = the time Odoo committed it
 * minus the start of its server's slot (slotStartFor of its check time).
 *
 * The Odoo stand-in runs in this process: it only sleeps for its cost and keeps a few maps,
 * so its CPU (printed as `bench`) is small beside the roles'. Cost model: Odoo's as
 * measured (docs/benchmarks.md): 12 ms per call plus 0.5 ms per record, one call at a time.
 *
 * Prints figures only: nothing here passes or fails on time.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { QueueName, redisConnection, slotStartFor } from '#common';
import { AppProcess, processUsage } from '../test/support/app-process.js';
import { ROOT } from '../test/support/built.js';
import { OdooStandIn } from '../test/support/odoo-stand-in.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../test/support/test-env.js';
import {
  type FleetAnswer,
  type FleetBehaviour,
  type FleetCounts,
  type FleetProtocol,
  type FleetRequest,
  type FleetServer,
  noCounts,
} from './e2e-fleet.protocol.js';

const COST = { perCallMs: 12, perRecordMs: 0.5, workers: 1 };
const POLL_TIMEOUT_MS = 3_000;
/** A slow server answers this long after the query: near the timeout, inside it. */
const SLOW_MS = 2_500;
/** Servers per loopback address, as many game servers share one machine. */
const SERVERS_PER_ADDRESS = 256;
/** Sockets per fleet process, well under the 20,000 descriptors a process may hold. */
const SERVERS_PER_FLEET_PROCESS = 12_500;
const PROTOCOLS: readonly FleetProtocol[] = ['minecraft', 'valve', 'quake3'];
const GAME_OF: Record<FleetProtocol, string> = {
  minecraft: 'minecraft',
  valve: 'csgo',
  quake3: 'openarena',
};
/** Out of every 20 servers: one silent, one slow, one flapping, the rest answer. */
const BEHAVIOUR_OF: Record<number, FleetBehaviour> = { 0: 'silent', 1: 'slow', 2: 'flapping' };

interface Options {
  servers: number;
  intervalS: number;
  workers: number;
  intervals: number;
  minutes: number | undefined;
  concurrency: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string', default: '1000' },
      interval: { type: 'string', default: '60' },
      workers: { type: 'string', default: '1' },
      intervals: { type: 'string', default: '3' },
      minutes: { type: 'string' },
      concurrency: { type: 'string', default: '1000' },
    },
  });
  const int = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const intervalS = int('interval', values.interval, 5);
  const minutes = values.minutes === undefined ? undefined : int('minutes', values.minutes, 1);
  return {
    servers: int('servers', values.servers, 1),
    intervalS,
    workers: int('workers', values.workers, 1),
    intervals:
      minutes === undefined
        ? int('intervals', values.intervals, 1)
        : Math.max(1, Math.round((minutes * 60) / intervalS)),
    minutes,
    concurrency: int('concurrency', values.concurrency, 1),
  };
}

/** Everything started, stopped in reverse order at the end, on Ctrl-C or on error. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    await step().catch((err: unknown) => process.stderr.write(`cleanup: ${String(err)}\n`));
  }
}

// ---------------------------------------------------------------------------------------------
// The fleet
// ---------------------------------------------------------------------------------------------

/** Server i (catalog id i + 1): its address, protocol and behaviour; the OS gives its port. */
function fleetLayout(count: number): FleetServer[] {
  return Array.from({ length: count }, (_, i) => {
    const block = Math.floor(i / SERVERS_PER_ADDRESS);
    // 127.0.0.x is left to everything else on the machine.
    const address = `127.0.${10 + Math.floor(block / 254)}.${1 + (block % 254)}`;
    const protocol = PROTOCOLS[i % PROTOCOLS.length] as FleetProtocol;
    return [i + 1, address, protocol, BEHAVIOUR_OF[i % 20] ?? 'ok'];
  });
}

class FleetProcess {
  private readonly waiting: ((answer: FleetAnswer) => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.on('message', (answer: FleetAnswer) => this.waiting.shift()?.(answer));
  }

  /** Starts a fleet process serving `servers`, with the port each was given, in order. */
  static async start(
    servers: FleetServer[],
    intervalMs: number,
  ): Promise<{ fleet: FleetProcess; ports: number[] }> {
    const child = fork(`${ROOT}/dist/bench/e2e-fleet.js`, [], { stdio: 'inherit' });
    const fleet = new FleetProcess(child);
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    });
    const ready = await fleet.ask({ type: 'start', servers, intervalMs, slowMs: SLOW_MS });
    if (ready.type !== 'ready') throw new Error(`fleet did not start: ${JSON.stringify(ready)}`);
    return { fleet, ports: ready.ports };
  }

  async counts(from: number, to: number): Promise<FleetCounts> {
    const answer = await this.ask({ type: 'count', from, to });
    if (answer.type !== 'counts') throw new Error(`fleet: ${JSON.stringify(answer)}`);
    return answer.counts;
  }

  private ask(request: FleetRequest): Promise<FleetAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.child.send(request, (err) => err && reject(err));
      this.child.once('exit', (code) => reject(new Error(`fleet process exited (${code})`)));
    });
  }
}

function addCounts(all: FleetCounts[]): FleetCounts {
  const sum = noCounts();
  for (const c of all) {
    sum.polls += c.polls;
    sum.polledSlots += c.polledSlots;
    sum.doubleSlots += c.doubleSlots;
    for (const p of PROTOCOLS) sum.byProtocol[p] += c.byProtocol[p];
  }
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Redis figures (the machine's Redis is shared: deltas over a baseline, approximate)
// ---------------------------------------------------------------------------------------------

/** A number field of an INFO section's text, 0 when absent. */
function infoNumber(info: string, name: string): number {
  return Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
}

async function redisUsedMb(redis: Redis): Promise<number> {
  return infoNumber(await redis.info('memory'), 'used_memory') / 1024 / 1024;
}

/** CPU seconds Redis has used so far (main thread and the rest, user and system). */
async function redisCpuS(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  return infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys');
}

/** Calls so far per Redis command (INFO commandstats). */
async function redisCommands(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const [, name, n] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(name ?? '', Number(n));
  }
  return calls;
}

/** Commands run between two readings, most frequent first. */
function commandsBetween(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
): [string, number][] {
  return [...after]
    .map(([name, n]): [string, number] => [name, n - (before.get(name) ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
const out = (line = ''): boolean => process.stdout.write(`${line}\n`);

interface Role {
  label: string;
  app: AppProcess;
}

interface Sample {
  at: number;
  cpuS: Map<string, number>;
  rssMb: Map<string, number>;
  redisUsedMb: number;
  redisCommands: Map<string, number>;
}

async function sample(roles: readonly Role[], redis: Redis): Promise<Sample> {
  const cpuS = new Map<string, number>();
  const rssMb = new Map<string, number>();
  const usages = await Promise.all([
    ...roles.map(async (r) => [r.label, await r.app.usage()] as const),
    (async () => ['bench', await processUsage(process.pid)] as const)(),
  ]);
  for (const [label, usage] of usages) {
    cpuS.set(label, usage.cpuS);
    rssMb.set(label, usage.rssMb);
  }
  // Not a process of ours, and shared with whatever else uses the machine's Redis.
  cpuS.set('redis', await redisCpuS(redis));
  return {
    at: Date.now(),
    cpuS,
    rssMb,
    redisUsedMb: await redisUsedMb(redis),
    redisCommands: await redisCommands(redis),
  };
}

async function sleepUntil(at: number): Promise<void> {
  const left = at - Date.now();
  if (left > 0) await sleep(left);
}

async function main(): Promise<void> {
  const opt = options();
  const intervalMs = opt.intervalS * 1000;
  const redis = new Redis(REDIS_URL);
  cleanups.push(() => redis.quit());
  const baselineUsedMb = await redisUsedMb(redis);

  const layout = fleetLayout(opt.servers);
  const odoo = new OdooStandIn();
  await odoo.start();
  cleanups.push(() => odoo.stop());
  odoo.setCost(COST);

  const fleetStarted = Date.now();
  const fleets: FleetProcess[] = [];
  const ports: number[] = [];
  for (let i = 0; i < layout.length; i += SERVERS_PER_FLEET_PROCESS) {
    const started = await FleetProcess.start(
      layout.slice(i, i + SERVERS_PER_FLEET_PROCESS),
      intervalMs,
    );
    fleets.push(started.fleet);
    ports.push(...started.ports);
  }
  odoo.seed(
    'game.server',
    layout.map(([id, host, protocol], i) => ({
      id,
      name: `bench ${id}`,
      game: GAME_OF[protocol],
      host,
      port: ports[i],
    })),
  );
  out(
    `e2e bench: ${opt.servers} servers (${fleets.length} fleet process(es), bound in ${((Date.now() - fleetStarted) / 1000).toFixed(1)} s), interval ${opt.intervalS} s, ${opt.workers} poll worker(s) x concurrency ${opt.concurrency}, ${opt.intervals} measured interval(s) after 1 of warm-up${opt.minutes ? ` (soak ${opt.minutes} min)` : ''}`,
  );
  out(
    `fleet: minecraft/A2S/quake3 in turn; per 20 servers 1 silent, 1 slow (${SLOW_MS} ms), 1 flapping; poll timeout ${POLL_TIMEOUT_MS} ms; Odoo stand-in ${COST.perCallMs} ms/call + ${COST.perRecordMs} ms/record, ${COST.workers} worker, in this process`,
  );

  // What Odoo committed, measured per (server, slot) of the measured window.
  let measureFrom = Number.POSITIVE_INFINITY;
  let measureTo = Number.POSITIVE_INFINITY;
  const staleness: number[] = [];
  /** The same, per measured interval (by the slot's start): the first may still carry the start's backlog. */
  const stalenessByInterval: number[][] = Array.from({ length: opt.intervals }, () => []);
  const applied = new Set<string>();
  let doubleReports = 0;
  let lastMeasuredAt = 0;
  let writerCalls = 0;
  let writerReports = 0;
  let otherCalls = 0;
  odoo.onCommit((call) => {
    const now = Date.now();
    const inWindow = now >= measureFrom && now < measureTo;
    if (call.method === 'apply_status_reports') {
      for (const report of call.applied ?? []) {
        const slot = slotStartFor(report.server_id, intervalMs, Number(report['checked_at_ms']));
        if (slot < measureFrom || slot >= measureTo) continue;
        const key = `${report.server_id}@${slot}`;
        if (applied.has(key)) {
          doubleReports++;
          continue;
        }
        applied.add(key);
        staleness.push(now - slot);
        stalenessByInterval[Math.floor((slot - measureFrom) / intervalMs)]?.push(now - slot);
        lastMeasuredAt = now;
      }
      if (inWindow) {
        writerCalls++;
        writerReports += call.recordCount;
      }
    } else if (inWindow) {
      otherCalls++;
    }
    // Counted here: the stand-in need not keep them for the whole run.
    odoo.clearCalls();
    odoo.clearAppliedReports();
  });

  const prefix = uniquePrefix('bench-e2e');
  cleanups.push(() => dropPrefix(prefix));
  const connection = redisConnection(REDIS_URL);
  const stalled = { poll: 0, report: 0 };
  const queues = [QueueName.Poll, QueueName.Report].map((name) => {
    const queue = new Queue(name, { connection, prefix });
    const events = new QueueEvents(name, { connection, prefix });
    events.on('stalled', () => stalled[name === QueueName.Poll ? 'poll' : 'report']++);
    cleanups.push(async () => {
      await events.close();
      await queue.close();
    });
    return queue;
  });

  const odooEnv = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ...odoo.clientEnv,
    ODOO_PROTOCOL: 'json2',
    POLL_INTERVAL_S: String(opt.intervalS),
    // The processes say they are ready at info level; they log little else at it.
    LOG_LEVEL: 'info',
  };
  const pollerEnv = {
    ...odooEnv,
    POLL_TIMEOUT_MS: String(POLL_TIMEOUT_MS),
    POLL_CONCURRENCY: String(opt.concurrency),
  };
  const roles: Role[] = [];
  const start = async (label: string, run: () => Promise<AppProcess>): Promise<void> => {
    const app = await run();
    roles.push({ label, app });
    cleanups.push(() => app.stop());
  };
  await start('writer', () =>
    AppProcess.start('poller', { ...pollerEnv, POLLER_ROLES: 'writer' }, { label: 'writer' }),
  );
  for (let w = 1; w <= opt.workers; w++) {
    await start(`worker-${w}`, () =>
      AppProcess.start(
        'poller',
        { ...pollerEnv, POLLER_ROLES: 'worker' },
        { label: `worker-${w}` },
      ),
    );
  }
  await start('api', () =>
    AppProcess.start('api', {
      ...odooEnv,
      PORT: '0',
      API_HOST: '127.0.0.1',
      API_KEYS: `bench:admin:${randomBytes(16).toString('hex')}`,
    }),
  );
  await start('scheduler', () =>
    AppProcess.start('poller', { ...pollerEnv, POLLER_ROLES: 'scheduler' }, { label: 'scheduler' }),
  );
  const startedAt = Date.now();
  measureFrom = startedAt + intervalMs;
  measureTo = measureFrom + opt.intervals * intervalMs;
  const expected = opt.servers * opt.intervals;

  await sleepUntil(measureFrom);
  const first = await sample(roles, redis);
  const samples = [first];
  out();
  out('per interval: RSS MB per process, Redis used MB over the baseline, reports applied so far');
  for (let k = 1; k <= opt.intervals; k++) {
    await sleepUntil(measureFrom + k * intervalMs);
    const s = await sample(roles, redis);
    samples.push(s);
    out(
      `  +${((s.at - startedAt) / 60_000).toFixed(1)} min  ${[...s.rssMb].map(([l, mb]) => `${l} ${mb.toFixed(0)}`).join('  ')}  redis ${(s.redisUsedMb - baselineUsedMb).toFixed(1)}  applied ${applied.size}/${expected}`,
    );
  }
  const last = samples.at(-1) as Sample;

  // Stragglers: reports of the last slots still on their way, for at most one more interval.
  for (;;) {
    const now = Date.now();
    if (applied.size >= expected) break;
    if (now > measureTo + 10_000 && now - lastMeasuredAt > 10_000) break;
    if (now > measureTo + intervalMs + 15_000) break;
    await sleep(500);
  }
  const counts = addCounts(
    await Promise.all(fleets.map((fleet) => fleet.counts(measureFrom, measureTo))),
  );
  const ended = await sample(roles, redis);
  const peakRss = new Map<string, number>();
  for (const r of roles) peakRss.set(r.label, (await r.app.usage()).peakRssMb);
  peakRss.set('bench', (await processUsage(process.pid)).peakRssMb);
  const jobCounts = await Promise.all(
    queues.map((q) => q.getJobCounts('failed', 'waiting', 'active', 'delayed')),
  );
  const failedJobs = jobCounts.reduce((n, c) => n + (c['failed'] ?? 0), 0);

  const windowS = (opt.intervals * intervalMs) / 1000;
  const polls = counts.polls;
  const sortedMs = (values: readonly number[]) => [...values].sort((a, b) => a - b);
  const sorted = sortedMs(staleness);
  const p = (q: number) => round(percentile(sorted, q) / 1000, 1);
  const p95ByInterval = stalenessByInterval.map((values) =>
    round(percentile(sortedMs(values), 95) / 1000, 1),
  );
  const cpuPer1000 = Object.fromEntries(
    [...last.cpuS].map(([label, cpu]) => [
      label,
      round(((cpu - (first.cpuS.get(label) ?? 0)) / Math.max(1, polls)) * 1000, 3),
    ]),
  );
  const peakRssMb = Object.fromEntries([...peakRss].map(([l, mb]) => [l, round(mb, 0)]));
  const redisUsed = round(last.redisUsedMb - baselineUsedMb, 1);
  const commands = commandsBetween(first.redisCommands, last.redisCommands);
  const perPoll = (n: number): number => n / Math.max(1, polls);
  const redisCmdsPerPoll = round(perPoll(commands.reduce((sum, [, n]) => sum + n, 0)), 1);
  const rpcPerReport = writerReports === 0 ? NaN : writerCalls / writerReports;
  const targetP95 = opt.intervalS + 10;

  out();
  const line = (label: string, value: string) => out(`${label.padEnd(44)}${value}`);
  line(
    'servers polled per interval (fleet)',
    `${(counts.polledSlots / opt.intervals).toFixed(0)} of ${opt.servers} (${((counts.polledSlots / expected) * 100).toFixed(1)} %)`,
  );
  line(
    'reports applied in Odoo per interval',
    `${(applied.size / opt.intervals).toFixed(0)} (missing ${expected - applied.size})`,
  );
  line(
    'polls/s',
    `${(polls / windowS).toFixed(0)} (minecraft ${counts.byProtocol.minecraft}, A2S ${counts.byProtocol.valve}, quake3 ${counts.byProtocol.quake3})`,
  );
  line(
    'staleness p50 / p95 / p99 s',
    `${p(50)} / ${p(95)} / ${p(99)} (target p95 < ${targetP95}: ratio ${(p(95) / targetP95).toFixed(2)})`,
  );
  line('staleness p95 s per measured interval', p95ByInterval.join(' / '));
  line(
    'writer RPCs per report',
    `${rpcPerReport.toFixed(4)} (${writerCalls} calls, mean batch ${(writerReports / Math.max(1, writerCalls)).toFixed(0)}; target <= 0.005: ratio ${(rpcPerReport / 0.005).toFixed(2)})`,
  );
  line('other Odoo RPCs in the window', `${otherCalls} (catalog sync, API)`);
  line(
    'CPU s per 1,000 polls',
    Object.entries(cpuPer1000)
      .map(([l, v]) => `${l} ${v}`)
      .join('  '),
  );
  line(
    'CPU % of one core over the window',
    [...last.cpuS]
      .map(
        ([l, cpu]) =>
          `${l} ${(((cpu - (first.cpuS.get(l) ?? 0)) / ((last.at - first.at) / 1000)) * 100).toFixed(0)}`,
      )
      .join('  '),
  );
  line(
    'peak RSS MB',
    Object.entries(peakRssMb)
      .map(([l, v]) => `${l} ${v}`)
      .join('  '),
  );
  line(
    'Redis used MB over baseline (steady)',
    `${redisUsed} (baseline ${baselineUsedMb.toFixed(1)}; at the end ${(ended.redisUsedMb - baselineUsedMb).toFixed(1)})`,
  );
  line(
    'Redis commands per poll (approximate)',
    `${redisCmdsPerPoll} (shared Redis: other clients count too); most: ${commands
      .slice(0, 6)
      .map(([name, n]) => `${name} ${perPoll(n).toFixed(1)}`)
      .join(', ')}`,
  );
  line(
    'failed jobs / stalled jobs',
    `${failedJobs} / poll ${stalled.poll}, report ${stalled.report}`,
  );
  line('polled twice in one slot (fleet / Odoo)', `${counts.doubleSlots} / ${doubleReports}`);
  line(
    'queues at the end (waiting, active)',
    jobCounts
      .map((c, i) => `${i === 0 ? 'poll' : 'report'} ${c['waiting'] ?? 0}, ${c['active'] ?? 0}`)
      .join('; '),
  );

  if (opt.minutes !== undefined) {
    out();
    out('soak slopes (MB/min, least squares over the measured intervals)');
    const minutes = (s: Sample) => (s.at - first.at) / 60_000;
    for (const label of last.rssMb.keys()) {
      line(
        `  ${label} RSS`,
        slope(samples.map((s) => [minutes(s), s.rssMb.get(label) ?? 0])).toFixed(3),
      );
    }
    line('  Redis used', slope(samples.map((s) => [minutes(s), s.redisUsedMb])).toFixed(3));
  }

  out(
    JSON.stringify({
      servers: opt.servers,
      interval_s: opt.intervalS,
      workers: opt.workers,
      concurrency: opt.concurrency,
      intervals: opt.intervals,
      polled_per_interval: round(counts.polledSlots / opt.intervals, 0),
      reports_missing: expected - applied.size,
      polls_per_s: round(polls / windowS, 1),
      staleness_p50_s: p(50),
      staleness_p95_s: p(95),
      staleness_p99_s: p(99),
      staleness_p95_by_interval_s: p95ByInterval,
      rpc_per_report: round(rpcPerReport, 5),
      double_polls: counts.doubleSlots,
      failed_jobs: failedJobs,
      stalled_jobs: stalled.poll + stalled.report,
      peak_rss_mb: peakRssMb,
      cpu_s_per_1000_polls: cpuPer1000,
      redis_used_mb: redisUsed,
      redis_cmds_per_poll: redisCmdsPerPoll,
    }),
  );
}

main().then(
  async () => {
    await cleanUp();
    process.exit(0);
  },
  async (err: unknown) => {
    process.stderr.write(
      `e2e bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await cleanUp();
    process.exit(1);
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`${signal}: stopping every process\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}
