import { setTimeout as sleep } from 'node:timers/promises';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import {
  JobName,
  NotifyEnv,
  type NotifyJobData,
  notifyJobId,
  OdooEnv,
  odooOutageLog,
  type OutageLog,
  QueueName,
  RedisEnv,
  createRedisClient,
  queueErrorListener,
  redisConnection,
  redisIsDown,
} from '#common';
import type { OdooCallOptions } from '#odoo-client';
import { DeliveryRepository, type DeliveryResult, odooTime } from './delivery.repository.js';
import { NotifyResults } from './notify-results.js';
import { NotifySender } from './notify-sender.js';

/** Deliveries listed per Odoo call. */
const LIST_PAGE = 500;
/**
 * Every this many listings the list starts again from the first pending delivery, to queue any
 * Redis lost (a restart without its data): a minute at the default NOTIFY_POLL_MS.
 */
const RESCAN_EVERY = 30;
/** How often results are written back to Odoo. */
const FLUSH_MS = 1_000;
/** The flush at shutdown waits at most this long for Odoo, inside the process's stop deadline. */
const LAST_FLUSH_MS = 3_000;
/**
 * A sender that dies mid-send loses its job after this long, and another notifier sends it
 * again; a live one renews its lock while it sends. Twice a send's time limit, at least 5 s.
 */
const MIN_LOCK_MS = 5_000;
/** Completed jobs are kept this long, so their id keeps a listed delivery from being queued again. */
const KEEP_DONE_S = 24 * 3_600;
const KEEP_FAILED_S = 7 * 24 * 3_600;
const FIRST_BACKOFF_MS = 2_000;
/** A message whose delivery cannot be read from Odoo waits this long, without losing a try. */
const ODOO_RETRY_MS = 2_000;

/**
 * Sends what Odoo's notification rules route to channels. Odoo writes a pending delivery per
 * event and channel in the transaction that applied the reports; this role lists them, queues
 * one job each (its id built from the delivery, so it is queued once however many notifiers
 * list it), and a job reads its delivery again from Odoo, sends it and records the result, which
 * a flusher writes back to Odoo. Tries back off from 2 s, doubling up to NOTIFY_MAX_BACKOFF_MS;
 * a 429 waits the Retry-After the receiver gave, for every message to that channel, without
 * counting as a try; an answer that will never change (a deleted webhook, a refused body) fails
 * at once with its reason. A notifier killed mid-send can cause one thing: the messages it was
 * sending are sent again by another notifier once their lock expires (at most once more each).
 * Redis restarted without its data loses nothing either: the listing starts again from the
 * first pending delivery every RESCAN_EVERY listings.
 */
@Injectable()
export class NotifierService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NotifierService.name);
  private queue: Queue<NotifyJobData> | undefined;
  private worker: Worker<NotifyJobData> | undefined;
  private redisClient: Redis | Cluster | undefined;
  private results: NotifyResults | undefined;
  private readonly sender: NotifySender;
  private readonly stopping = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly odooOutage: OutageLog;
  /** When this process may next send to a channel (NOTIFY_CHANNEL_PACE_MS apart). */
  private readonly nextSendAt = new Map<number, number>();

  constructor(
    private readonly redis: RedisEnv,
    private readonly env: NotifyEnv,
    private readonly deliveries: DeliveryRepository,
    odoo: OdooEnv,
  ) {
    this.sender = new NotifySender(env.NOTIFY_TIMEOUT_MS);
    this.odooOutage = odooOutageLog(this.logger, odoo);
  }

  onApplicationBootstrap(): void {
    const connection = redisConnection(this.redis);
    this.queue = new Queue<NotifyJobData>(QueueName.Notify, {
      connection,
      prefix: this.redis.QUEUE_PREFIX,
      defaultJobOptions: {
        attempts: this.env.NOTIFY_ATTEMPTS,
        backoff: { type: 'notify' },
        removeOnComplete: { age: KEEP_DONE_S },
        removeOnFail: { age: KEEP_FAILED_S },
      },
    });
    this.queue.on('error', queueErrorListener(this.logger, 'notify queue'));
    this.worker = new Worker<NotifyJobData>(
      QueueName.Notify,
      (job, token) => this.process(job, token),
      {
        connection,
        prefix: this.redis.QUEUE_PREFIX,
        concurrency: this.env.NOTIFY_CONCURRENCY,
        lockDuration: Math.max(MIN_LOCK_MS, 2 * this.env.NOTIFY_TIMEOUT_MS),
        stalledInterval: Math.max(MIN_LOCK_MS, 2 * this.env.NOTIFY_TIMEOUT_MS),
        settings: { backoffStrategy: (attemptsMade: number) => this.backoffMs(attemptsMade) },
      },
    );
    this.worker.on('error', queueErrorListener(this.logger, 'notify worker'));
    this.worker.on('failed', (job, err) => void this.onFailed(job, err));
    this.redisClient = createRedisClient(this.redis);
    this.redisClient.on('error', queueErrorListener(this.logger, 'notify results'));
    this.results = new NotifyResults(this.redisClient, `${this.redis.QUEUE_PREFIX}:notify:results`);
    this.loops = [this.listLoop(this.queue), this.flushLoop(this.results)];
  }

  /** Stops listing and sending; a send in flight finishes (bounded by NOTIFY_TIMEOUT_MS). */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    const force = redisIsDown();
    await this.worker?.close(force);
    if (!force) await Promise.all(this.loops);
    await this.queue?.close();
    this.redisClient?.disconnect();
  }

  /** Tries after the first back off from 2 s, doubling, capped, with up to 25 % jitter. */
  backoffMs(attemptsMade: number): number {
    const base = Math.min(
      this.env.NOTIFY_MAX_BACKOFF_MS,
      FIRST_BACKOFF_MS * 2 ** Math.max(0, attemptsMade - 1),
    );
    return Math.round(base * (1 - Math.random() * 0.25));
  }

  // -------------------------------------------------------------------------------------------
  // Listing pending deliveries into the queue
  // -------------------------------------------------------------------------------------------

  private async listLoop(queue: Queue<NotifyJobData>): Promise<void> {
    const signal = this.stopping.signal;
    let after = 0;
    let listings = 0;
    while (!signal.aborted) {
      try {
        const page = await this.deliveries.pendingAfter(after, LIST_PAGE, { signal });
        this.odooOutage.recovered();
        if (page.length > 0) {
          await queue.addBulk(
            page.map((d) => ({
              name: JobName.SendNotification,
              data: { deliveryId: d.id, channelId: d.channel.id, summary: d.event.summary },
              opts: { jobId: notifyJobId(d.id) },
            })),
          );
          after = page[page.length - 1]?.id ?? after;
          if (page.length === LIST_PAGE) continue;
        }
        if (++listings % RESCAN_EVERY === 0) after = 0;
      } catch (err) {
        if (signal.aborted) break;
        this.odooOutage.failed(
          `cannot list notifications: ${(err as Error).message}`,
          this.env.NOTIFY_POLL_MS,
        );
      }
      await sleep(this.env.NOTIFY_POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Sending one delivery
  // -------------------------------------------------------------------------------------------

  private async process(job: Job<NotifyJobData>, token?: string): Promise<string> {
    const { deliveryId, channelId } = job.data;
    const pausedFor = await this.pausedMs(channelId);
    if (pausedFor > 0 && token) {
      await job.moveToDelayed(Date.now() + pausedFor, token);
      throw new DelayedError();
    }
    // Read again now: a delivery another notifier sent is not sent twice, and the webhook's
    // URL and secret never sit in Redis. Odoo being away costs the message no try.
    let delivery;
    try {
      delivery = await this.deliveries.pending(deliveryId, { signal: this.stopping.signal });
      this.odooOutage.recovered();
    } catch (err) {
      this.odooOutage.failed(
        `cannot read a notification: ${(err as Error).message}`,
        ODOO_RETRY_MS,
      );
      if (!token) throw err;
      await job.moveToDelayed(Date.now() + ODOO_RETRY_MS, token);
      throw new DelayedError();
    }
    if (!delivery) return 'not pending';
    await this.pace(channelId);
    const outcome = await this.sender.send(delivery);
    // Odoo's count lags by a flush; the job's count is lost with Redis: the larger is right.
    const attempts = Math.max(delivery.attempts, job.attemptsMade) + 1;
    switch (outcome.kind) {
      case 'sent':
        await this.record(deliveryId, 'sent', attempts, null);
        return 'sent';
      case 'wait':
        await this.pause(channelId, outcome.waitMs);
        await this.record(deliveryId, 'pending', attempts - 1, outcome.error);
        if (token) {
          await job.moveToDelayed(Date.now() + outcome.waitMs, token);
          throw new DelayedError();
        }
        throw new Error(outcome.error);
      case 'retry':
        await this.record(deliveryId, 'pending', attempts, outcome.error);
        throw new Error(outcome.error);
      case 'fail':
        await this.record(deliveryId, 'failed', attempts, outcome.error);
        throw new UnrecoverableError(outcome.error);
      default:
        return exhaustive(outcome);
    }
  }

  /**
   * The last try failed: the delivery is failed, with the error of that try. Its count is the
   * job's; Odoo keeps the larger of it and the count the tries already reported.
   */
  private async onFailed(job: Job<NotifyJobData> | undefined, err: Error): Promise<void> {
    if (!job || err instanceof UnrecoverableError || err.name === 'UnrecoverableError') return;
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await this.record(job.data.deliveryId, 'failed', job.attemptsMade, err.message).catch(
      (e: unknown) => this.logger.warn(`cannot record a failed notification: ${String(e)}`),
    );
  }

  private async record(
    id: number,
    state: DeliveryResult['state'],
    attempts: number,
    error: string | null,
  ): Promise<void> {
    await this.results?.add({ id, state, attempts, error, at: odooTime(Date.now()) });
  }

  /** Keeps this process's messages to one channel NOTIFY_CHANNEL_PACE_MS apart. */
  private async pace(channelId: number): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSendAt.get(channelId) ?? 0);
    this.nextSendAt.set(channelId, at + this.env.NOTIFY_CHANNEL_PACE_MS);
    if (at > now) await sleep(at - now);
  }

  private pauseKey(channelId: number): string {
    return `${this.redis.QUEUE_PREFIX}:notify:pause:${channelId}`;
  }

  /** A 429 pauses the channel for every notifier, as long as the receiver asked. */
  private async pause(channelId: number, ms: number): Promise<void> {
    await this.redisClient?.set(this.pauseKey(channelId), '1', 'PX', Math.max(1, ms));
  }

  private async pausedMs(channelId: number): Promise<number> {
    const ms = await this.redisClient?.pttl(this.pauseKey(channelId));
    return ms !== undefined && ms > 0 ? ms : 0;
  }

  // -------------------------------------------------------------------------------------------
  // Writing results back
  // -------------------------------------------------------------------------------------------

  private async flushLoop(results: NotifyResults): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      await sleep(FLUSH_MS, undefined, { signal }).catch(() => undefined);
      // One last flush after the stop, bounded: what the last sends came to reaches Odoo now,
      // or stays in Redis for the next notifier.
      await this.flush(results, signal.aborted ? { timeoutMs: LAST_FLUSH_MS } : {});
    }
  }

  /** Writes back what is waiting; on a failure the results stay in Redis for the next flush. */
  private async flush(results: NotifyResults, options: OdooCallOptions = {}): Promise<void> {
    for (;;) {
      // A Redis outage is told by the queue's own error listener.
      const taken = await results.take().catch(() => undefined);
      if (!taken || taken.results.length === 0) return;
      try {
        await this.deliveries.report(taken.results, options);
      } catch (err) {
        this.odooOutage.failed(
          `cannot write notification results: ${(err as Error).message}`,
          FLUSH_MS,
        );
        return;
      }
      this.odooOutage.recovered();
      await results.remove(taken.raw).catch(() => undefined);
    }
  }
}

function exhaustive(value: never): never {
  throw new Error(`unexpected outcome ${JSON.stringify(value)}`);
}
