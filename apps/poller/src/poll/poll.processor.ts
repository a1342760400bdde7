import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import {
  type PollJobData,
  PollerEnv,
  QueueName,
  RedisEnv,
  queueErrorListener,
  redisConnection,
  redisIsDown,
} from '#common';
import { PollService } from './poll.service.js';

/**
 * Floor of a poll job's lock. A worker renews its locks every half lock; a worker whose CPU is
 * saturated (a thousand queries in flight on a busy machine) was seen by bench:e2e to miss
 * 3 s renewals, so its live jobs were declared stalled and polled twice. 15 s rides that out
 * and still returns a dead worker's jobs within about 22 s, inside a 60 s slot.
 */
const MIN_LOCK_MS = 15_000;

/**
 * How long a poll job stays locked to its worker, and how often workers look for jobs whose
 * worker died (BullMQ's stalled check). A live worker renews its locks, so the lock only
 * decides how soon a dead worker's jobs come back. With BullMQ's 30 s they would come back
 * once their slot is over and be skipped: a killed worker would cost every report it held.
 * Twice the query timeout (a job is one query plus one Redis write) keeps a live worker's
 * renewals well ahead of expiry; the dead worker's jobs are back within lock + check.
 */
export function pollLockTimings(pollTimeoutMs: number): {
  lockDuration: number;
  stalledInterval: number;
} {
  const lockDuration = Math.max(2 * pollTimeoutMs, MIN_LOCK_MS);
  return { lockDuration, stalledInterval: lockDuration / 2 };
}

/**
 * Thin adapter from the poll queue to PollService. The BullMQ worker is built here rather than
 * by `@Processor`, whose options are fixed when the class loads: its lock timings and
 * concurrency come from the configuration (Nest's maintainers point to BullMQ's own Worker
 * for options read at run time).
 */
@Injectable()
export class PollProcessor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PollProcessor.name);
  private worker: Worker<PollJobData> | undefined;

  constructor(
    private readonly polls: PollService,
    private readonly env: PollerEnv,
    private readonly redis: RedisEnv,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<PollJobData>(QueueName.Poll, (job) => this.process(job), {
      connection: redisConnection(this.redis),
      prefix: this.redis.QUEUE_PREFIX,
      concurrency: this.env.POLL_CONCURRENCY,
      ...pollLockTimings(this.env.POLL_TIMEOUT_MS),
    });
    this.worker.on('failed', (job, err) => this.onFailed(job, err));
    this.worker.on('error', queueErrorListener(this.logger, 'poll worker'));
  }

  /**
   * Before the queues close (on shutdown), so jobs in hand still hand their reports over.
   * With Redis down they cannot, and a graceful close would wait for Redis forever: the
   * worker is closed at once, and its jobs come back to another worker as stalled.
   */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close(redisIsDown());
  }

  async process(job: Job<PollJobData>): Promise<{ online: boolean } | { expired: true }> {
    const report = await this.polls.poll(job.data);
    return report ? { online: report.online } : { expired: true };
  }

  private onFailed(job: Job<PollJobData> | undefined, err: Error): void {
    this.logger.error(`poll job ${job?.id ?? '?'} failed: ${err.message}`);
  }
}
