import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QueueName } from '#common';

/** While Redis is away the queues fail every reconnect attempt; one line a minute is enough. */
const REPEAT_AFTER_MS = 60_000;

/**
 * Logs Redis connection errors of the API's queues as JSON log lines. Without a listener
 * BullMQ prints each one to stderr as a raw object, every couple of seconds.
 */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger('Redis');
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(QueueName.Poll) pollQueue: Queue,
    @InjectQueue(QueueName.Report) reportQueue: Queue,
  ) {
    this.queues = [pollQueue, reportQueue];
  }

  onModuleInit(): void {
    for (const queue of this.queues) {
      let last = { message: '', at: 0 };
      queue.on('error', (err: Error) => {
        const now = Date.now();
        if (err.message === last.message && now - last.at < REPEAT_AFTER_MS) return;
        last = { message: err.message, at: now };
        this.logger.warn(`queue ${queue.name}: ${err.message}`);
      });
    }
  }
}
