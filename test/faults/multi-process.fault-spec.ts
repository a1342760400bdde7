import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../support/app-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait-for.js';
import { FaultSystem, sleepUntil } from './support/fault-system.js';

const SERVERS = 60;
const WORKERS = 3;
const SLOTS = 4;
/** A worker that took less than this share of the polls would not be sharing the work. */
const LEAST_SHARE = 0.1;

/** The sum of a metric's samples (every label set) on a poller's Prometheus endpoint. */
async function metricSum(metricsPort: number, metric: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Starts a poller with `roles` and its metrics on a port of its own, to watch it apart. */
async function startWatched(
  system: FaultSystem,
  roles: string,
  label: string,
): Promise<{ app: AppProcess; metricsPort: number }> {
  const metricsPort = await freePort();
  const app = await system.startPoller(
    roles,
    { METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1' },
    label,
  );
  return { app, metricsPort };
}

/**
 * Several poller processes on one Redis, configured alike (only the metrics port differs, to
 * watch each worker): one scheduler, three poll workers, two writers of which the lease lets
 * one write. Every server must be polled exactly once per slot, and the workers must all
 * take part.
 */
describe('several poller processes share one Redis', () => {
  let system: FaultSystem;

  beforeAll(async () => {
    system = await FaultSystem.start({ name: 'multi', servers: SERVERS, intervalS: 2 });
  });
  afterAll(() => system?.stop());

  it('polls every server exactly once per slot with the polls spread over three workers', async () => {
    const workers = [];
    for (let i = 0; i < WORKERS; i++)
      workers.push(await startWatched(system, 'worker', `worker-${i}`));
    const writers = [
      await startWatched(system, 'writer', 'writer-a'),
      await startWatched(system, 'writer', 'writer-b'),
    ];
    const scheduler = await system.startPoller('scheduler');

    const from = Date.now() + system.intervalMs;
    const to = from + SLOTS * system.intervalMs;
    await sleepUntil(to);
    const slots = system.slots(from, to);
    await system.settle(slots, 15_000);
    const account = system.account(`${WORKERS} workers, 2 writers, 1 scheduler`, slots);
    expect(account.examples).toEqual([]);
    expect(account).toMatchObject({
      expected: SERVERS * SLOTS,
      applied: SERVERS * SLOTS,
      lost: 0,
      duplicated: 0,
    });

    // With no scheduler the counts stop moving once the last jobs (taken at once, each done
    // within the poll timeout) are polled and written: then each worker's own count, the game
    // servers' and Odoo's can be compared exactly.
    await scheduler.stop('SIGTERM');
    await new Promise((wake) => setTimeout(wake, 1_000));
    const queries = (): number => [...system.queriesPerServer().values()].reduce((a, b) => a + b);
    await waitFor(
      'every query made so far applied in Odoo',
      () => system.applied().length === queries(),
    );
    const perWorker = await Promise.all(
      workers.map((w) => metricSum(w.metricsPort, 'gss_polls_total')),
    );
    const cpu = await Promise.all(workers.map((w) => w.app.usage()));
    const batches = await Promise.all(
      writers.map((w) => metricSum(w.metricsPort, 'gss_writer_batch_size_count')),
    );
    const total = queries();
    console.log(
      `multi-process: ${total} polls; per worker ${perWorker.join(' / ')}; worker CPU s ${cpu.map((u) => u.cpuS.toFixed(2)).join(' / ')}; writer batches ${batches.join(' / ')}`,
    );
    expect(perWorker.reduce((a, b) => a + b)).toBe(total);
    for (const polls of perWorker) expect(polls).toBeGreaterThanOrEqual(LEAST_SHARE * total);
    // The lease lets one writer write; the other only stands by.
    expect(batches.filter((n) => n > 0)).toHaveLength(1);

    expect(system.bucketMismatches()).toEqual([]);
    await system.stopPollers();
    expect(system.queryMismatches()).toEqual([]);
  });
});
