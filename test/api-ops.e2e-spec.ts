import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobName, QueueName, redisConnection, type ServerView } from '#common';
import { MetricsServer } from '../apps/poller/src/metrics/metrics.server.js';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { freePort } from './support/ports.js';
import { QUIET, REDIS_URL } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

/** The value of one sample in Prometheus text, e.g. `name{a="b"}`; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const jsonBody = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * What an operator relies on: poll now through the real worker and writer, readiness of
 * Redis and Odoo, Prometheus figures of the API and of the poller, and rate limits per key.
 */
describe('API operations', () => {
  describe('poll now, through a real worker and writer, and the poller metrics', () => {
    let sut: ApiHarness;
    let poller: INestApplicationContext;
    let responder: MinecraftResponder;
    let metricsUrl: string;

    beforeAll(async () => {
      responder = await startMinecraftResponder({
        players: 6,
        maxPlayers: 30,
        motd: 'Poll me now',
      });
      sut = await startApi({ name: 'api-poll-now' });
      // No scheduler: a server is queried only when asked to.
      ({ app: poller } = await createPoller(
        {
          ...sut.env,
          POLLER_ROLES: 'worker,writer',
          POLL_TIMEOUT_MS: '1000',
          WRITER_FLUSH_MS: '50',
          METRICS_PORT: '0',
          METRICS_HOST: '127.0.0.1',
        },
        QUIET,
      ));
      metricsUrl = `http://127.0.0.1:${poller.get(MetricsServer).port}/metrics`;
    });

    afterAll(async () => {
      await poller?.close();
      await sut?.stop();
      await responder?.stop();
    });

    const create = async (body: Record<string, unknown>) => {
      const res = await sut.request('/servers', jsonBody(body));
      expect(res.status).toBe(201);
      return (await res.json()) as ServerView;
    };
    const odooRow = (id: number) => sut.odoo.records('game.server').find((r) => r.id === id);

    it('queries a server at once, under a job id no slot job can have, and Odoo gets its status', async () => {
      const server = await create({
        name: 'Now',
        game: 'minecraft',
        host: '127.0.0.1',
        port: responder.port,
      });
      expect(odooRow(server.id)?.last_checked).toBe(false);

      const res = await sut.request(`/servers/${server.id}/poll`, { method: 'POST' });

      expect(res.status).toBe(202);
      const body = (await res.json()) as { jobId: string; serverId: number };
      expect(body.serverId).toBe(server.id);
      expect(body.jobId).toMatch(new RegExp(`^poll-now-${server.id}-\\d+$`));
      // Slot jobs are poll-<server>-<slot start>: two numbers, never a word in between.
      expect(body.jobId).not.toMatch(/^poll-\d+-\d+$/);
      const row = await waitFor('the server online in Odoo', () => {
        const r = odooRow(server.id);
        return r?.is_online === true ? r : undefined;
      });
      expect(row).toMatchObject({ players_online: 6, players_max: 30, motd: 'Poll me now' });
    });

    it('counts polls by game and outcome, their duration, batch sizes and Odoo calls in the poller', async () => {
      const port = await freePort();
      const down = await create({ name: 'Down', game: 'minecraft', host: '127.0.0.1', port });
      await sut.request(`/servers/${down.id}/poll`, { method: 'POST' });
      await waitFor(
        'the down server checked',
        () => odooRow(down.id)?.last_error_code === 'refused',
      );

      const text = await (await fetch(metricsUrl)).text();

      expect(
        sample(text, 'gss_polls_total{game="minecraft",outcome="online"}'),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'gss_polls_total{game="minecraft",outcome="refused"}')).toBe(1);
      expect(sample(text, 'gss_poll_duration_seconds_count{game="minecraft",online="false"}')).toBe(
        1,
      );
      expect(sample(text, 'gss_writer_batch_size_sum')).toBeGreaterThanOrEqual(2);
      expect(
        sample(
          text,
          'gss_odoo_call_duration_seconds_count{model="game.server",method="apply_status_reports"}',
        ),
      ).toBeGreaterThanOrEqual(1);
      expect(text).toContain('process_resident_memory_bytes');
    });

    it('serves nothing but /metrics on the poller port', async () => {
      const res = await fetch(metricsUrl.replace('/metrics', '/other'));

      expect(res.status).toBe(404);
      await res.text();
    });

    it('answers 409 for an archived server and 404 for an unknown one', async () => {
      const server = await create({
        name: 'Archived',
        game: 'minecraft',
        host: '127.0.0.1',
        port: 1,
      });
      await sut.request(`/servers/${server.id}`, jsonBody({ active: false }, 'PATCH'));

      expect((await sut.request(`/servers/${server.id}/poll`, { method: 'POST' })).status).toBe(
        409,
      );
      expect((await sut.request('/servers/987654/poll', { method: 'POST' })).status).toBe(404);
    });
  });

  describe('API metrics', () => {
    let sut: ApiHarness;
    let pollQueue: Queue;

    beforeAll(async () => {
      sut = await startApi({ name: 'api-metrics' });
      pollQueue = new Queue(QueueName.Poll, {
        connection: redisConnection(REDIS_URL),
        prefix: sut.prefix,
      });
    });

    afterAll(async () => {
      await pollQueue?.close();
      await sut?.stop();
    });

    const scrape = async () => {
      const res = await sut.request('/metrics', { as: null });
      expect(res.headers.get('content-type')).toContain('text/plain');
      return res.text();
    };

    it('counts requests by route pattern and status, never by concrete URL', async () => {
      await sut.request('/servers/123456');
      await sut.request('/servers/123457');
      await sut.request('/nowhere/1');
      await sut.request('/queues', { as: null });

      const text = await scrape();

      expect(
        sample(text, 'gss_http_requests_total{method="GET",route="/servers/:id",status="404"}'),
      ).toBe(2);
      expect(
        sample(text, 'gss_http_requests_total{method="GET",route="unmatched",status="404"}'),
      ).toBe(1);
      expect(
        sample(text, 'gss_http_requests_total{method="GET",route="/queues",status="401"}'),
      ).toBe(1);
      expect(text).not.toContain('123456');
      expect(
        sample(
          text,
          'gss_http_request_duration_seconds_count{method="GET",route="/servers/:id",status="404"}',
        ),
      ).toBe(2);
    });

    it('shows queue depth per state and the age of the oldest waiting job', async () => {
      const data = {
        serverId: 1,
        game: 'minecraft',
        host: '127.0.0.1',
        port: 1,
        slotStart: 0,
        intervalS: 60,
      };
      // Nothing works this queue here, so the jobs wait; the first one is a minute old.
      await pollQueue.add(JobName.PollServer, data, {
        jobId: 'old',
        timestamp: Date.now() - 60_000,
      });
      await pollQueue.add(JobName.PollServer, data, { jobId: 'new' });

      const text = await scrape();

      expect(sample(text, 'gss_queue_jobs{queue="poll",state="waiting"}')).toBe(2);
      expect(sample(text, 'gss_queue_jobs{queue="report",state="waiting"}')).toBe(0);
      expect(
        sample(text, 'gss_queue_oldest_waiting_age_seconds{queue="poll"}'),
      ).toBeGreaterThanOrEqual(60);
      expect(sample(text, 'gss_queue_oldest_waiting_age_seconds{queue="report"}')).toBe(0);
    });

    it('times Odoo calls and counts their failures by kind', async () => {
      await sut.request('/servers?limit=1');
      sut.odoo.failNext(1, 'access');
      await sut.request('/servers/1');

      const text = await scrape();

      expect(
        sample(
          text,
          'gss_odoo_call_duration_seconds_count{model="game.server",method="search_read"}',
        ),
      ).toBeGreaterThanOrEqual(2);
      expect(
        sample(
          text,
          'gss_odoo_call_errors_total{model="game.server",method="search_read",kind="access"}',
        ),
      ).toBe(1);
    });
  });

  describe('health', () => {
    let sut: ApiHarness;

    beforeAll(async () => {
      sut = await startApi({ name: 'api-health' });
    });

    afterAll(async () => {
      await sut?.stop();
    });

    it('is ready when Redis and Odoo answer', async () => {
      const res = await sut.request('/health/ready', { as: null });

      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        details: {
          redis: { status: 'up' },
          odoo: { status: 'up', version: '19.0', protocol: 'json2' },
        },
      });
    });

    it('is not ready while Odoo is down, says why in the error shape, and is ready again after', async () => {
      await sut.odoo.setDown(true);
      try {
        const res = await sut.request('/health/ready', { as: null });
        expect(res.status).toBe(503);
        const body = (await res.json()) as {
          statusCode: number;
          fields: unknown[];
          details: Record<string, unknown>;
        };
        expect(body).toMatchObject({
          statusCode: 503,
          fields: [],
          details: { error: { odoo: { status: 'down' } }, info: { redis: { status: 'up' } } },
        });
        expect((await sut.request('/health/live', { as: null })).status).toBe(200);
      } finally {
        await sut.odoo.setDown(false);
      }
      await waitFor(
        'ready again',
        async () => (await sut.request('/health/ready', { as: null })).status === 200,
      );
    });

    it('is not ready without Redis, and still live', async () => {
      const noRedis = await startApi({
        name: 'api-health-no-redis',
        odoo: sut.odoo,
        env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
      });
      try {
        const ready = await noRedis.request('/health/ready', { as: null });
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({
          details: { error: { redis: { status: 'down' } }, info: { odoo: { status: 'up' } } },
        });
        expect((await noRedis.request('/health/live', { as: null })).status).toBe(200);
      } finally {
        await noRedis.stop();
      }
    });
  });

  describe('rate limits', () => {
    let sut: ApiHarness;

    beforeAll(async () => {
      sut = await startApi({
        name: 'api-rate',
        env: { API_RATE_LIMIT: '3', API_RATE_WINDOW_S: '600' },
      });
    });

    afterAll(async () => {
      await sut?.stop();
    });

    it('answers 429 in the error shape once a key has used its limit, while other keys go on', async () => {
      for (let i = 0; i < 3; i++)
        expect((await sut.request('/games', { as: 'viewer' })).status).toBe(200);

      const limited = await sut.request('/games', { as: 'viewer' });

      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await limited.json()).toMatchObject({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Too many requests: at most 3 per 600 s per key',
        fields: [],
      });
      expect((await sut.request('/games', { as: 'admin' })).status).toBe(200);
    });

    it('counts requests without a valid key per client address, so keys cannot be guessed fast', async () => {
      for (let i = 0; i < 3; i++) {
        expect(
          (await sut.request('/games', { as: null, headers: { 'X-API-Key': `guess-${i}` } }))
            .status,
        ).toBe(401);
      }

      expect(
        (await sut.request('/games', { as: null, headers: { 'X-API-Key': 'guess-3' } })).status,
      ).toBe(429);
    });

    it('never limits the probes and the metrics', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await sut.request('/health/live', { as: null })).status).toBe(200);
        expect((await sut.request('/metrics', { as: null })).status).toBe(200);
      }
    });
  });
});
