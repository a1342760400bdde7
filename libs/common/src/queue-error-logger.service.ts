import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { QueueName } from './queues.js';
import { queueErrorListener } from './redis-connection.js';

/** Listens to both queues of every app, so none of their errors reaches stderr raw. */
@Injectable()
export class QueueErrorLogger implements OnModuleInit {
  private readonly logger = new Logger('Queues');
  private readonly queues: Queue[];

  constructor(
    @InjectQueue(QueueName.Poll) pollQueue: Queue,
    @InjectQueue(QueueName.Report) reportQueue: Queue,
  ) {
    this.queues = [pollQueue, reportQueue];
  }

  onModuleInit(): void {
    for (const queue of this.queues) {
      queue.on('error', queueErrorListener(this.logger, `queue ${queue.name}`));
    }
  }
}
