import type { INestApplicationContext } from '@nestjs/common';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import {
  JobName,
  type PollJobData,
  QueueName,
  pollJobId,
  redisConnection,
  reportJobId,
  slotStartFor,
} from '#common';
import { startQuake3Responder } from './support/quake3-responder.js';
import { QUIET, REDIS_URL, dropPrefix, uniquePrefix } from './support/test-env.js';
import type { UdpResponder } from './support/udp-responder.js';

const INTERVAL_S = 10;

describe('poll worker', () => {
  const prefix = uniquePrefix('poll-worker');
  const connection = redisConnection(REDIS_URL);
  let poller: INestApplicationContext;
  let responder: UdpResponder;
  let pollQueue: Queue<PollJobData>;
  let reportQueue: Queue;
  let pollEvents: QueueEvents;

  beforeAll(async () => {
    responder = await startQuake3Responder({
      info: { sv_hostname: 'expiry', mapname: 'q3dm1' },
      players: [],
    });
    pollQueue = new Queue(QueueName.Poll, { connection, prefix });
    reportQueue = new Queue(QueueName.Report, { connection, prefix });
    pollEvents = new QueueEvents(QueueName.Poll, { connection, prefix });
    await pollEvents.waitUntilReady();
    ({ app: poller } = await createPoller(
      { POLLER_ROLES: 'worker', REDIS_URL, QUEUE_PREFIX: prefix, POLL_TIMEOUT_MS: '1000' },
      QUIET,
    ));
  });

  afterAll(async () => {
    await poller?.close();
    await pollEvents?.close();
    await pollQueue?.close();
    await reportQueue?.close();
    await responder?.stop();
    await dropPrefix(prefix);
  });

  const enqueue = async (serverId: number, slotStart: number): Promise<unknown> => {
    const job = await pollQueue.add(
      JobName.PollServer,
      {
        serverId,
        game: 'openarena',
        host: responder.address,
        port: responder.port,
        slotStart,
        intervalS: INTERVAL_S,
      },
      { jobId: pollJobId(serverId, slotStart) },
    );
    return job.waitUntilFinished(pollEvents, 10_000);
  };

  it('skips a job whose slot is over without querying the server or reporting', async () => {
    const slotStart = slotStartFor(7, INTERVAL_S * 1000, Date.now()) - INTERVAL_S * 1000;
    const before = responder.received;
    expect(await enqueue(7, slotStart)).toEqual({ expired: true });
    expect(responder.received).toBe(before);
    expect(await reportQueue.getJob(reportJobId(7, slotStart))).toBeUndefined();
  });

  it('polls a job of the current slot and hands its report to the writer', async () => {
    const slotStart = slotStartFor(8, INTERVAL_S * 1000, Date.now());
    const before = responder.received;
    expect(await enqueue(8, slotStart)).toEqual({ online: true });
    expect(responder.received).toBe(before + 1);
    expect((await reportQueue.getJob(reportJobId(8, slotStart)))?.data).toMatchObject({
      serverId: 8,
      online: true,
      slotStart,
    });
  });
});
