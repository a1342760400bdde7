import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { observeOdooCalls, OdooCallMetrics, QueueName } from '#common';
import { OdooClient } from '#odoo-client';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Job states counted per queue (the names BullMQ's getJobCounts takes). */
const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;
/** A scrape never waits longer than this for Redis; a Redis outage shows as missing samples. */
const REDIS_SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The API's Prometheus figures, in a registry of its own (so several apps can live in one
 * process, as in the tests): HTTP requests, queue depth and the age of the oldest waiting
 * job per queue (read from Redis at scrape time), and Odoo call latency and errors.
 */
@Injectable()
export class ApiMetrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(QueueName.Poll) pollQueue: Queue,
    @InjectQueue(QueueName.Report) reportQueue: Queue,
    private readonly odoo: OdooClient,
  ) {
    this.queues = [pollQueue, reportQueue];
    this.requests = new Counter({
      name: 'gss_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'gss_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    const odooMetrics = new OdooCallMetrics(this.registry);
    observeOdooCalls(this.odoo, (call) => odooMetrics.observe(call));
    const queues = this.queues;
    new Gauge({
      name: 'gss_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await Promise.all(
          queues.map((queue) => withTimeout(queue.getJobCounts(...JOB_STATES))),
        );
        queues.forEach((queue, i) => {
          for (const [state, n] of Object.entries(counts[i] ?? {})) {
            this.set({ queue: queue.name, state }, n);
          }
        });
      },
    });
    new Gauge({
      name: 'gss_queue_oldest_waiting_age_seconds',
      help: 'Age of the oldest job waiting for a worker, 0 when none waits',
      labelNames: ['queue'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const oldest = await Promise.all(
          queues.map((queue) => withTimeout(queue.getJobs(['wait'], 0, 0, true))),
        );
        const now = Date.now();
        queues.forEach((queue, i) => {
          const jobs = oldest[i];
          if (!jobs) return;
          const job = jobs[0];
          this.set({ queue: queue.name }, job ? Math.max(0, now - job.timestamp) / 1000 : 0);
        });
      },
    });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}

/** Redis commands wait for a reconnect; a scrape must not. Undefined when Redis is too slow. */
async function withTimeout<T>(pending: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), REDIS_SCRAPE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([pending.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
