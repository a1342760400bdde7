/* The report queue as poll workers fill it, for tests and benches that feed a writer directly. */
import { Queue } from 'bullmq';
import {
  JobName,
  QueueName,
  type RedisTarget,
  redisConnection,
  type ReportJobData,
  reportJobId,
} from '#common';
import { REDIS_URL } from './test-env.js';

/** The report queue under `prefix` (on the tests' Redis unless another is given). */
export function reportQueue(prefix: string, redis: RedisTarget = REDIS_URL): Queue<ReportJobData> {
  return new Queue<ReportJobData>(QueueName.Report, { connection: redisConnection(redis), prefix });
}

/**
 * The queue entries for `reports`, with the poll worker's job ids (after `idPrefix`, for a test
 * that queues a report twice); kept once done, so they can be counted.
 */
export function reportJobs(reports: readonly ReportJobData[], idPrefix = '') {
  return reports.map((data) => ({
    name: JobName.ApplyReport,
    data,
    opts: { jobId: `${idPrefix}${reportJobId(data.serverId, data.slotStart)}`, attempts: 1 },
  }));
}
