import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import {
  PollerEnv,
  QueueName,
  RedisEnv,
  type ReportJobData,
  ServerRepository,
  redisConnection,
} from '#common';

/** Long enough for an Odoo call under its own timeout; locks are renewed while a batch waits. */
const LOCK_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Moves reports from the report queue into Odoo in batches: one RPC per batch, and
 * a report is acknowledged only after Odoo has committed it. While Odoo is down or
 * failing, the writer keeps its batch and retries it with capped, jittered backoff
 * (the reports behind it wait in Redis, in order); nothing is dropped but reports
 * for servers that no longer exist. A replayed batch is harmless: Odoo ignores a
 * report not newer than the one it already applied.
 */
@Injectable()
export class ReportWriter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReportWriter.name);
  private worker: Worker<ReportJobData> | undefined;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisEnv,
    private readonly env: PollerEnv,
    private readonly servers: ServerRepository,
  ) {}

  onApplicationBootstrap(): void {
    // No processor: batches are fetched by hand, which BullMQ's open-source worker allows.
    this.worker = new Worker<ReportJobData>(QueueName.Report, null, {
      connection: redisConnection(this.redis.REDIS_URL),
      prefix: this.redis.QUEUE_PREFIX,
      lockDuration: LOCK_MS,
      drainDelay: 1,
    });
    this.worker.on('error', (err) => this.logger.warn(`report worker: ${err.message}`));
    // Manual fetching does not start the stalled-job check by itself; it is what
    // recovers the batch of a writer that died holding it.
    void this.worker
      .startStalledCheckTimer()
      .catch((err: unknown) => this.logger.warn(`stalled check: ${String(err)}`));
    this.loop = this.run(this.worker);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.worker?.close();
  }

  private async run(worker: Worker<ReportJobData>): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const token = randomUUID();
      let batch: Job<ReportJobData>[];
      try {
        batch = await this.collect(worker, token, signal);
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn(`cannot fetch reports: ${(err as Error).message}`);
        await sleep(1_000, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (batch.length > 0) await this.write(batch, token, signal);
    }
  }

  /** Up to WRITER_BATCH_SIZE jobs, waiting at most WRITER_FLUSH_MS after the first. */
  private async collect(
    worker: Worker<ReportJobData>,
    token: string,
    signal: AbortSignal,
  ): Promise<Job<ReportJobData>[]> {
    const first = await worker.getNextJob(token, { block: true });
    if (!first) return [];
    const batch = [first];
    const deadline = Date.now() + this.env.WRITER_FLUSH_MS;
    while (batch.length < this.env.WRITER_BATCH_SIZE && !signal.aborted) {
      const next = await worker.getNextJob(token, { block: false });
      if (next) {
        batch.push(next);
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(25, left));
    }
    return batch;
  }

  private async write(
    batch: Job<ReportJobData>[],
    token: string,
    signal: AbortSignal,
  ): Promise<void> {
    // Odoo applies each server's reports in time order; sending them sorted keeps that cheap.
    const reports = batch
      .map((job) => job.data)
      .sort((a, b) => a.serverId - b.serverId || a.checkedAt.localeCompare(b.checkedAt));
    for (let attempt = 1; ; attempt++) {
      let applied: number;
      try {
        const result = await this.servers.applyReports(reports);
        if (result.missing.length > 0) {
          this.logger.log(
            `dropped reports for servers no longer in Odoo: ${result.missing.join(', ')}`,
          );
        }
        applied = result.applied;
      } catch (err) {
        if (signal.aborted) {
          // Hand the batch back now instead of waiting for its locks to expire.
          await Promise.allSettled(batch.map((job) => job.moveToWait(token)));
          return;
        }
        const delay =
          Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 10)) * (0.5 + Math.random() / 2);
        this.logger.warn(
          `Odoo did not take ${batch.length} reports (attempt ${attempt}, retry in ${Math.round(delay)} ms): ${(err as Error).message}`,
        );
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        await Promise.allSettled(batch.map((job) => job.extendLock(token, LOCK_MS)));
        continue;
      }
      // Odoo has committed. If an ack is lost (Redis gone, lock expired), the job comes
      // back as stalled and its replay changes nothing in Odoo.
      const acks = await Promise.allSettled(
        batch.map((job) => job.moveToCompleted(applied, token, false)),
      );
      const lost = acks.filter((a) => a.status === 'rejected').length;
      if (lost > 0)
        this.logger.warn(
          `${lost} of ${batch.length} reports applied but not acknowledged; they will be replayed`,
        );
      return;
    }
  }
}
