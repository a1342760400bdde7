/*
 * The Redis half of a backup, as docs/operations.md gives it for the compose environment
 * (Redis with an append-only file): BGREWRITEAOF, wait until the rewrite has ended, copy the
 * folder `appendonlydir`. A Redis started on that copy holds the work that was on its way
 * (BullMQ's queues of reports and messages), job for job, and nothing written after the copy.
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { JobName, QueueName, notifyJobId, reportJobId } from '#common';
import { PrivateRedis } from './support/private-redis.js';
import { waitFor } from './support/wait-for.js';

const PREFIX = 'gss';

/** The ids and data of every job waiting in `name`, sorted by id. */
async function waitingJobs(url: string, name: QueueName): Promise<[string, unknown][]> {
  const queue = new Queue(name, { connection: { url }, prefix: PREFIX });
  try {
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    return jobs
      .map((job): [string, unknown] => [job.id ?? '', job.data])
      .sort(([a], [b]) => a.localeCompare(b));
  } finally {
    await queue.close();
  }
}

describe('a Redis backup by its append-only folder', () => {
  const started: PrivateRedis[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((redis) => redis.stop()));
  });

  it('brings back the reports and messages on their way, and nothing written after the copy', async () => {
    const live = await PrivateRedis.start({ appendOnly: true });
    started.push(live);
    const reports = new Queue(QueueName.Report, { connection: { url: live.url }, prefix: PREFIX });
    const notify = new Queue(QueueName.Notify, { connection: { url: live.url }, prefix: PREFIX });
    const slot = Date.UTC(2026, 11, 7, 6, 0);
    try {
      for (let serverId = 1; serverId <= 40; serverId++) {
        await reports.add(
          JobName.ApplyReport,
          { serverId, online: serverId % 4 !== 0, slotStart: slot },
          { jobId: reportJobId(serverId, slot) },
        );
      }
      for (let delivery = 1; delivery <= 5; delivery++) {
        await notify.add(
          JobName.SendNotification,
          { deliveryId: delivery },
          { jobId: notifyJobId(delivery), delay: 60_000 },
        );
      }

      // The procedure: a rewrite, its end, a copy of the folder.
      const admin = new Redis(live.url);
      try {
        await admin.bgrewriteaof();
        await waitFor('the append-only rewrite to end', async () => {
          const info = await admin.info('persistence');
          return /aof_rewrite_in_progress:0/u.test(info) && /aof_rewrite_scheduled:0/u.test(info);
        });
      } finally {
        admin.disconnect();
      }
      const copy = await mkdtemp(join(tmpdir(), 'gss-redis-backup-'));
      await cp(join(live.dataDir ?? '', 'appendonlydir'), join(copy, 'appendonlydir'), {
        recursive: true,
      });
      await reports.add(JobName.ApplyReport, { serverId: 99, slotStart: slot }, { jobId: 'after' });

      const restored = await PrivateRedis.start({ appendOnly: true, dataDir: copy });
      started.push(restored);

      const before = await waitingJobs(live.url, QueueName.Report);
      expect(before).toHaveLength(41);
      expect(await waitingJobs(restored.url, QueueName.Report)).toEqual(
        before.filter(([id]) => id !== 'after'),
      );
      expect(await waitingJobs(restored.url, QueueName.Notify)).toEqual(
        await waitingJobs(live.url, QueueName.Notify),
      );
      expect(await waitingJobs(restored.url, QueueName.Notify)).toHaveLength(5);
    } finally {
      await reports.close();
      await notify.close();
    }
  });
});
