import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import type { RedisEnv } from './config/env.js';
import { QueueErrorLogger } from './queue-error-logger.service.js';
import { QueueName } from './queues.js';
import { redisConnection } from './redis-connection.js';

const WEEK_S = 7 * 24 * 3600;

/**
 * Both queues, with their defaults in this one place. Completed jobs are kept only
 * as long as their id must deduplicate (set per job from the poll interval); failed
 * ones for a week, bounded, so Redis memory never grows with time.
 */
@Module({})
export class QueuesModule {
  static forRoot(redis: RedisEnv): DynamicModule {
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRoot({
          connection: redisConnection(redis),
          prefix: redis.QUEUE_PREFIX,
        }),
        BullModule.registerQueue(
          {
            name: QueueName.Poll,
            defaultJobOptions: {
              // A poll job fails only on an infrastructure fault (an offline game
              // server is a report, not a failure); retry those briefly.
              attempts: 3,
              backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
              removeOnComplete: { age: 3_600, count: 100_000 },
              removeOnFail: { age: WEEK_S, count: 10_000 },
            },
          },
          {
            name: QueueName.Report,
            defaultJobOptions: {
              // The writer holds a batch and retries Odoo itself until it answers,
              // so a report never exhausts attempts while Odoo is down.
              attempts: 1,
              removeOnComplete: { age: 3_600, count: 100_000 },
              removeOnFail: { age: WEEK_S, count: 10_000 },
            },
          },
        ),
      ],
      providers: [QueueErrorLogger],
      exports: [BullModule],
    };
  }
}
