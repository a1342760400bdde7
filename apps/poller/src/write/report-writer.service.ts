import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import {
  OdooEnv,
  odooOutageLog,
  type OutageLog,
  PollerEnv,
  QueueName,
  RedisEnv,
  type ReportJobData,
  ServerRepository,
  createRedisClient,
  queueErrorListener,
  redisConnection,
  redisIsDown,
} from '#common';
import { OdooError } from '#odoo-client';
import { WriterLease } from './writer-lease.js';

/**
 * Locks of the jobs in hand are renewed every KEEP_ALIVE_MS, so they outlive any Odoo call;
 * a writer that dies loses them after LOCK_MS and the stalled check (every STALLED_CHECK_MS)
 * hands its batch to another writer.
 */
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;
/** The lease on writing, renewed like the locks; a standby takes over this long after a death. */
const LEASE_MS = 10_000;
const KEEP_ALIVE_MS = 3_000;
/** How often a new lease holder looks whether another writer's reports have come back. */
const HELD_CHECK_MS = 250;
/**
 * BullMQ fails a job that came back from a dead worker more often than this; a report must
 * never be lost that way (its replay is harmless), so the bound only stops an endless loop.
 */
const MAX_STALLED = 1_000;
/**
 * Fetches in flight while a batch fills. Each is a round trip; under load (a busy Redis, a
 * busy machine) 50 at a time made collecting 500 reports slower than Odoo writing them:
 * at 50,000 servers a minute the writer managed ~600 reports/s of the 833 needed.
 */
const FETCHES_IN_FLIGHT = 250;
/** Pause between fetches while a batch fills: longer would add to staleness, shorter to Redis. */
const FILL_WAIT_MS = 100;
/**
 * Retries of a batch Odoo did not take: 0.5 s doubling up to 10 s, jittered. A failed attempt
 * costs Odoo next to nothing, and a short cap means little catch-up delay once it is back.
 */
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

/** Jobs fetched together under one lock token. */
interface Batch {
  jobs: Job<ReportJobData>[];
  token: string;
}

/** What became of a report, kept as its job's return value. */
export type ReportOutcome =
  /** In a batch Odoo committed (applied, or ignored there as not newer than its last). */
  | 'committed'
  /** Its server no longer exists in Odoo. */
  | 'dropped';

/**
 * Moves reports from the report queue into Odoo in batches: one RPC per batch, and a report
 * is acknowledged only after Odoo has committed it. While Odoo is down, slow or failing, the
 * writer keeps its batch and retries it with capped, jittered backoff (the reports behind it
 * wait in Redis, in order). A replayed batch is harmless: Odoo ignores a report not newer than
 * the one it already applied. Reports for servers that no longer exist are dropped; a report
 * Odoo refuses as malformed is isolated by splitting its batch and failed on its own, so it
 * never blocks the others.
 *
 * One writer writes at a time (a lease in Redis); more writer processes stand by. Two writers
 * draining a backlog side by side would commit a server's newer reports before its older ones,
 * which Odoo then ignores, so those polls would be missing from the stat buckets; and they
 * would race to create the same bucket rows. Odoo, not the writer, bounds the throughput; an
 * Odoo with several workers is used by WRITER_LANES calls at once, each on other servers.
 */
@Injectable()
export class ReportWriter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReportWriter.name);
  private worker: Worker<ReportJobData> | undefined;
  private redisClient: Redis | Cluster | undefined;
  /** The report queue, to see whether reports are held by another writer. */
  private queue: Queue<ReportJobData> | undefined;
  private lease: WriterLease | undefined;
  private leading = false;
  /** Batches in hand (one being written, the next being collected): the keep-alive renews them. */
  private readonly held = new Set<Batch>();
  private keepAlive: NodeJS.Timeout | undefined;
  /** Acknowledgements of the last batch Odoo took, running while the next one is collected. */
  private acking: Promise<void> = Promise.resolve();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly odooOutage: OutageLog;

  constructor(
    private readonly redis: RedisEnv,
    private readonly env: PollerEnv,
    private readonly servers: ServerRepository,
    odoo: OdooEnv,
  ) {
    this.odooOutage = odooOutageLog(this.logger, odoo);
  }

  onApplicationBootstrap(): void {
    const connection = redisConnection(this.redis);
    // No processor: batches are fetched by hand, which BullMQ's open-source worker allows.
    this.worker = new Worker<ReportJobData>(QueueName.Report, null, {
      connection,
      prefix: this.redis.QUEUE_PREFIX,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: MAX_STALLED,
      drainDelay: 1,
    });
    this.worker.on('error', queueErrorListener(this.logger, 'report worker'));
    // Manual fetching does not start the stalled-job check by itself; it is what
    // recovers the batch of a writer that died holding it.
    void this.worker
      .startStalledCheckTimer()
      .catch((err: unknown) => this.logger.warn(`stalled check: ${String(err)}`));
    this.queue = new Queue<ReportJobData>(QueueName.Report, {
      connection,
      prefix: this.redis.QUEUE_PREFIX,
    });
    this.queue.on('error', queueErrorListener(this.logger, 'report queue'));
    this.redisClient = createRedisClient(this.redis);
    this.redisClient.on('error', queueErrorListener(this.logger, 'writer lease'));
    this.lease = new WriterLease(
      this.redisClient,
      `${this.redis.QUEUE_PREFIX}:${QueueName.Report}-writer:lease`,
      LEASE_MS,
    );
    this.keepAlive = setInterval(() => void this.renew(), KEEP_ALIVE_MS);
    this.loop = this.run(this.worker, this.lease);
  }

  /**
   * Hands back what it holds and lets go of the lease. With Redis down none of that can
   * happen, and waiting for it would hang the close: the writer then stops at once, and what
   * it held comes back to a writer once its locks expire (a replay Odoo ignores if applied).
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.keepAlive);
    const force = redisIsDown();
    if (!force) {
      await this.loop;
      await this.acking;
      await this.lease?.release().catch(() => undefined);
    }
    await this.worker?.close(force);
    await this.queue?.close();
    this.redisClient?.disconnect();
  }

  /**
   * Batches go to Odoo one at a time and in order, but the next one is collected while Odoo
   * writes the current one: collecting 500 reports is hundreds of Redis round trips, and done
   * in turn with the Odoo call it held the writer to ~600 reports/s on a busy machine, below
   * the 833/s of 50,000 servers a minute.
   */
  private async run(worker: Worker<ReportJobData>, lease: WriterLease): Promise<void> {
    const signal = this.stopping.signal;
    let next: Promise<Batch> | undefined;
    while (!signal.aborted) {
      if (!this.leading) {
        // A batch collected ahead is kept if the lease comes straight back (it is the oldest
        // in hand; after Redis lost its data it exists nowhere else), else handed back.
        this.leading = await lease.hold().catch(() => false);
        if (!this.leading) {
          await this.handBack(next);
          next = undefined;
          await sleep(KEEP_ALIVE_MS, undefined, { signal }).catch(() => undefined);
          continue;
        }
        await this.awaitReportsHeldElsewhere(signal);
      }
      let batch: Batch;
      try {
        batch = await (next ?? this.collect(worker, signal));
      } catch (err) {
        next = undefined;
        if (signal.aborted) break;
        this.logger.warn(`cannot fetch reports: ${(err as Error).message}`);
        await sleep(1_000, undefined, { signal }).catch(() => undefined);
        continue;
      }
      next = undefined;
      if (batch.jobs.length === 0) continue;
      if (!signal.aborted) {
        next = this.collect(worker, signal);
        // Its failure is handled where it is awaited, next round.
        next.catch(() => undefined);
      }
      try {
        await this.deliverInLanes(batch.jobs, batch.token, signal);
      } finally {
        this.held.delete(batch);
      }
    }
    await this.handBack(next);
  }

  /**
   * A writer that died held its batch and the next one it was collecting; their reports come
   * back to the head of the queue once their locks expire (the stalled check). Written after
   * newer reports of the same servers, Odoo would ignore them as not newer and those polls
   * would be missing from the stat buckets. So a writer that takes the lease first waits for
   * no report to be held elsewhere: at most a lock's life and two checks, then it goes on.
   */
  private async awaitReportsHeldElsewhere(signal: AbortSignal): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    const deadline = Date.now() + LOCK_MS + 2 * STALLED_CHECK_MS;
    let announced = false;
    while (!signal.aborted) {
      const active = await queue.getActiveCount().catch(() => 0);
      // Counted after the queue: a job this writer fetched meanwhile lowers the figure, never raises it.
      const held = active - [...this.held].reduce((n, batch) => n + batch.jobs.length, 0);
      if (held <= 0) return;
      if (Date.now() >= deadline) {
        this.logger.warn(`${held} reports are still held by another writer; writing the rest`);
        return;
      }
      if (!announced) {
        this.logger.log(`${held} reports held by a previous writer go first: waiting for them`);
        announced = true;
      }
      await sleep(HELD_CHECK_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Returns a batch collected ahead to the queue now, rather than when its locks expire. */
  private async handBack(pending: Promise<Batch> | undefined): Promise<void> {
    const batch = await pending?.catch(() => undefined);
    if (!batch) return;
    await Promise.allSettled(batch.jobs.map((job) => job.moveToWait(batch.token)));
    this.held.delete(batch);
  }

  /** Renews the lease and the locks of the batches in hand. */
  private async renew(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      await Promise.all(
        [...this.held].map((held) =>
          worker
            .extendJobLocks(
              held.jobs.map((job) => job.id ?? ''),
              held.jobs.map(() => held.token),
              LOCK_MS,
            )
            .catch((err: unknown) => this.logger.warn(`cannot renew report locks: ${String(err)}`)),
        ),
      );
    }
    if (this.leading && this.lease) {
      this.leading = await this.lease.renew().catch(() => false);
      if (!this.leading) this.logger.warn('lost the writer lease; standing by');
    }
  }

  /**
   * Up to WRITER_BATCH_SIZE x WRITER_LANES jobs: the batch goes when it is full or when its
   * oldest report has been queued for WRITER_FLUSH_MS. Timed from the queueing, not from the
   * fetch, the flush bounds how long any report waits for its batch (reports queued during the
   * previous Odoo call are not made to wait a whole flush more), so the wait can be long enough
   * to fill batches at fleet rates: one RPC per 200 reports or better from 10,000 servers a
   * minute.
   */
  private async collect(worker: Worker<ReportJobData>, signal: AbortSignal): Promise<Batch> {
    const token = randomUUID();
    const first = await worker.getNextJob(token, { block: true });
    if (!first) return { jobs: [], token };
    const batch = [first];
    const held = { jobs: batch, token };
    this.held.add(held);
    // A producer's clock ahead of ours must not stretch the wait.
    const deadline = Math.min(first.timestamp, Date.now()) + this.env.WRITER_FLUSH_MS;
    const size = this.env.WRITER_BATCH_SIZE * this.env.WRITER_LANES;
    let wanted = FETCHES_IN_FLIGHT;
    while (batch.length < size && !signal.aborted) {
      // Several fetches in flight: one round trip each, one after the other, would cost a
      // backlog more time in Redis than in Odoo. Each fetch takes the oldest waiting job.
      wanted = Math.min(wanted, size - batch.length);
      const fetched = await Promise.allSettled(
        Array.from({ length: wanted }, () => worker.getNextJob(token, { block: false })),
      );
      const jobs = fetched.flatMap((f) =>
        f.status === 'fulfilled' && f.value !== undefined ? [f.value] : [],
      );
      batch.push(...jobs);
      if (fetched.some((f) => f.status === 'rejected')) {
        // Write what is in hand rather than leave it locked until the stalled check.
        this.logger.warn('cannot fetch more reports; writing the batch as it is');
        break;
      }
      if (jobs.length === wanted) {
        wanted = FETCHES_IN_FLIGHT;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      // Each empty fetch is a Redis round trip for nothing: while the queue is slower than
      // the fetches, ask for about what the last wait brought in.
      wanted = Math.max(1, jobs.length * 2);
      await sleep(Math.min(FILL_WAIT_MS, left));
    }
    return held;
  }

  /**
   * Writes a batch in parts of at most WRITER_BATCH_SIZE reports, WRITER_LANES of them at
   * once. A server's reports all go in one part, so parts never touch the same rows in Odoo
   * and each server's reports stay in order; the next batch starts once every part is in.
   */
  private async deliverInLanes(
    jobs: Job<ReportJobData>[],
    token: string,
    signal: AbortSignal,
  ): Promise<void> {
    const parts = partsByServer(jobs, this.env.WRITER_BATCH_SIZE);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let part = parts[next++]; part; part = parts[next++]) {
        await this.deliver(part, token, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.env.WRITER_LANES, parts.length) }, lane));
  }

  /**
   * Writes `jobs` in one RPC, retrying until Odoo commits it, then acknowledges them. A batch
   * Odoo refuses as malformed is split in two and each half delivered on its own, down to the
   * single report at fault, which fails after a second refusal (the first may have been a race
   * in Odoo, e.g. on a new bucket row).
   */
  private async deliver(
    jobs: Job<ReportJobData>[],
    token: string,
    signal: AbortSignal,
  ): Promise<void> {
    // Odoo applies each server's reports in time order; sending them sorted keeps that cheap.
    const reports = jobs
      .map((job) => job.data)
      .sort((a, b) => a.serverId - b.serverId || a.checkedAt.localeCompare(b.checkedAt));
    let refusals = 0;
    for (let attempt = 1; ; attempt++) {
      let missing: ReadonlySet<number>;
      try {
        const result = await this.servers.applyReports(reports);
        this.odooOutage.recovered();
        missing = new Set(result.missing);
        if (missing.size > 0) {
          this.logger.log(
            `dropped reports for servers no longer in Odoo: ${result.missing.join(', ')}`,
          );
        }
      } catch (err) {
        if (err instanceof OdooError && err.kind === 'validation') {
          if (jobs.length > 1) {
            const half = Math.ceil(jobs.length / 2);
            await this.deliver(jobs.slice(0, half), token, signal);
            await this.deliver(jobs.slice(half), token, signal);
            return;
          }
          if (++refusals >= 2) {
            await this.refuse(jobs, token, err);
            return;
          }
        }
        if (signal.aborted) {
          // Hand the batch back now instead of waiting for its locks to expire.
          await Promise.allSettled(jobs.map((job) => job.moveToWait(token)));
          return;
        }
        const delay =
          Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(attempt - 1, 10)) *
          (0.5 + Math.random() / 2);
        // Down, slow or conflicting is Odoo's weather; refused (key, rights, addon) needs a person.
        this.odooOutage.failed(
          `did not take ${jobs.length} reports: ${(err as Error).message}`,
          delay,
          err instanceof OdooError && !err.retryable,
        );
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        continue;
      }
      // One batch's acknowledgements at a time, but not in the way of the next batch.
      const previous = this.acking;
      this.acking = previous.then(() => this.acknowledge(jobs, token, missing));
      return;
    }
  }

  /**
   * Marks reports Odoo has committed as done. If an ack is lost (Redis gone, lock expired),
   * the job comes back as stalled and its replay changes nothing in Odoo.
   */
  private async acknowledge(
    jobs: Job<ReportJobData>[],
    token: string,
    missing: ReadonlySet<number>,
  ): Promise<void> {
    const acks = await Promise.allSettled(
      jobs.map((job) =>
        job.moveToCompleted(
          (missing.has(job.data.serverId) ? 'dropped' : 'committed') satisfies ReportOutcome,
          token,
          false,
        ),
      ),
    );
    const lost = acks.filter((a) => a.status === 'rejected').length;
    if (lost > 0) {
      this.logger.warn(
        `${lost} of ${jobs.length} reports applied but not acknowledged; they will be replayed`,
      );
    }
  }

  /** Fails a report Odoo will never take; it stays in the failed set for a person to look at. */
  private async refuse(jobs: Job<ReportJobData>[], token: string, err: OdooError): Promise<void> {
    for (const job of jobs) {
      this.logger.error(
        `Odoo refuses report ${job.id ?? '?'} of server ${job.data.serverId}: ${err.message}`,
      );
      await job
        .moveToFailed(err, token, false)
        .catch((e: unknown) =>
          this.logger.warn(`cannot fail report ${job.id ?? '?'}: ${String(e)}`),
        );
    }
  }
}

/**
 * `jobs` cut into parts of at most `size`, each holding all of its servers' reports (a server
 * with more than `size` reports in the batch gets a part of its own, over the size).
 */
export function partsByServer<T extends { data: { serverId: number } }>(
  jobs: readonly T[],
  size: number,
): T[][] {
  const byServer = new Map<number, T[]>();
  for (const job of jobs) {
    const own = byServer.get(job.data.serverId);
    if (own) own.push(job);
    else byServer.set(job.data.serverId, [job]);
  }
  const parts: T[][] = [];
  let part: T[] = [];
  for (const own of byServer.values()) {
    if (part.length > 0 && part.length + own.length > size) {
      parts.push(part);
      part = [];
    }
    part.push(...own);
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
