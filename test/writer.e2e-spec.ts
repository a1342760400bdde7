import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import {
  offlineReport,
  onlineReport,
  QueueName,
  redisConnection,
  type ReportJobData,
  reportJobId,
} from '#common';
import { OdooClient } from '#odoo-client';
import { ensureBuilt, ROOT } from './support/built.js';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { reportJobs, reportQueue } from './support/report-queue.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

/** Reports are checked in the past, well inside the clock window Odoo accepts. */
const BASE = Date.now() - 3 * 3_600_000;

function report(serverId: number, minute: number, online = true, players = 5): ReportJobData {
  const at = new Date(BASE + minute * 60_000);
  const body = online
    ? onlineReport(serverId, at, {
        latencyMs: 20,
        playersOnline: players,
        playersMax: 20,
        bots: 0,
        playerNames: [],
        name: 'a server',
        map: null,
        version: null,
        gameMode: null,
        passwordProtected: false,
      })
    : offlineReport(serverId, at, { code: 'timeout', message: 'no answer' });
  return { ...body, slotStart: at.getTime() };
}

/** `perServer` reports a minute apart for each server, oldest first. */
function backlog(servers: readonly number[], perServer: number): ReportJobData[] {
  return Array.from({ length: perServer }, (_, minute) =>
    servers.map((id) => report(id, minute, minute % 7 !== 3, minute % 11)),
  ).flat();
}

const sumOf = (rows: readonly Record<string, unknown>[], field: string): number =>
  rows.reduce((n, row) => n + (row[field] as number), 0);

/** One test's world: a stand-in with servers, a fresh queue prefix, writers on demand. */
class WriterWorld {
  readonly odoo = new OdooStandIn();
  readonly prefix = uniquePrefix('writer');
  readonly queue = reportQueue(this.prefix);
  private readonly apps: INestApplicationContext[] = [];
  private readonly children: ChildProcess[] = [];
  servers: number[] = [];
  url = '';

  async start(servers: number): Promise<this> {
    this.url = await this.odoo.start();
    this.servers = this.odoo.seed(
      'game.server',
      Array.from({ length: servers }, (_, i) => ({
        name: `server-${i}`,
        game: 'minecraft',
        host: '127.0.0.1',
        port: 40_000 + i,
      })),
    );
    return this;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      REDIS_URL,
      QUEUE_PREFIX: this.prefix,
      ODOO_URL: this.url,
      ODOO_DB: this.odoo.db,
      ODOO_LOGIN: this.odoo.login,
      ODOO_API_KEY: this.odoo.apiKey,
      ODOO_TIMEOUT_MS: '2000',
      POLLER_ROLES: 'writer',
      WRITER_FLUSH_MS: '100',
      ...extra,
    };
  }

  async writer(extra: Record<string, string> = {}): Promise<INestApplicationContext> {
    const { app } = await createPoller(this.env(extra), QUIET);
    this.apps.push(app);
    return app;
  }

  /** The compiled poller as its own process, which a test may kill outright. */
  writerProcess(): ChildProcess {
    const child = spawn(process.execPath, [resolve(ROOT, 'dist/apps/poller/src/main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...this.env() },
      stdio: 'ignore',
    });
    this.children.push(child);
    return child;
  }

  async enqueue(reports: readonly ReportJobData[], idPrefix = ''): Promise<void> {
    await this.queue.addBulk(reportJobs(reports, idPrefix));
  }

  async settled(count: number): Promise<{ completed: number; failed: number }> {
    return waitFor(
      `${count} reports completed or failed`,
      async () => {
        const counts = await this.queue.getJobCounts('completed', 'failed');
        return (counts['completed'] ?? 0) + (counts['failed'] ?? 0) >= count
          ? { completed: counts['completed'] ?? 0, failed: counts['failed'] ?? 0 }
          : undefined;
      },
      { timeoutMs: 45_000 },
    );
  }

  applyCalls() {
    return this.odoo.calls.filter((c) => c.method === 'apply_status_reports');
  }

  /** Polls counted in the stat buckets: one per report applied, if none is lost or doubled. */
  bucketPolls(): number {
    return sumOf(this.odoo.records('game.server.stat'), 'polls');
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(this.apps.map((app) => app.close()));
    await this.queue.close();
    await this.odoo.stop();
    await dropPrefix(this.prefix);
  }
}

describe('report writer', () => {
  let world: WriterWorld;

  afterEach(async () => {
    await world?.stop();
  });

  it('writes a backlog of 5,000 reports at one RPC per 500, each counted once in its bucket', async () => {
    world = await new WriterWorld().start(100);
    await world.enqueue(backlog(world.servers, 50));

    await world.writer({ WRITER_BATCH_SIZE: '500' });
    const settled = await world.settled(5_000);

    const calls = world.applyCalls();
    expect(settled).toEqual({ completed: 5_000, failed: 0 });
    expect(calls.length).toBeLessThanOrEqual(5_000 / 200);
    expect(sumOf(calls as unknown as Record<string, unknown>[], 'recordCount')).toBe(5_000);
    expect(calls.every((c) => c.ok)).toBe(true);
    expect(world.odoo.appliedReports()).toHaveLength(5_000);
    expect(world.bucketPolls()).toBe(5_000);
  });

  it('writes a backlog in lanes of whole servers at once, each report counted once and in order', async () => {
    world = await new WriterWorld().start(100);
    // An Odoo with three workers (two lanes leave one free), each call long enough for the
    // lanes to meet in it.
    world.odoo.setCost({ perCallMs: 50, workers: 3 });
    await world.enqueue(backlog(world.servers, 20));

    await world.writer({ WRITER_BATCH_SIZE: '100', WRITER_LANES: '2', ODOO_WORKERS: '3' });
    const settled = await world.settled(2_000);

    const calls = world.applyCalls();
    expect(settled).toEqual({ completed: 2_000, failed: 0 });
    expect(world.odoo.mostAtOnce('apply_status_reports')).toBe(2);
    expect(calls.every((c) => c.ok && c.recordCount <= 100)).toBe(true);
    // A server's report applied after a newer one would be ignored, not applied or counted.
    expect(world.odoo.appliedReports()).toHaveLength(2_000);
    expect(world.bucketPolls()).toBe(2_000);
  });

  it('changes nothing when batches Odoo already committed are replayed', async () => {
    world = await new WriterWorld().start(10);
    const reports = backlog(world.servers, 3);
    await world.enqueue(reports);
    await world.writer();
    await world.settled(30);
    const before = {
      servers: world.odoo.records('game.server'),
      stats: world.odoo.records('game.server.stat'),
      outages: world.odoo.records('game.server.outage'),
    };

    await world.enqueue(reports, 'replay-');
    await world.settled(60);

    expect(world.odoo.records('game.server')).toEqual(before.servers);
    expect(world.odoo.records('game.server.stat')).toEqual(before.stats);
    expect(world.odoo.records('game.server.outage')).toEqual(before.outages);
    expect(world.odoo.appliedReports()).toHaveLength(30);
    expect(world.bucketPolls()).toBe(30);
  });

  it('never lets an older report overwrite a newer status', async () => {
    world = await new WriterWorld().start(1);
    const [id] = world.servers as [number];
    await world.writer();

    await world.enqueue([report(id, 10, true, 9)]);
    await world.settled(1);
    await world.enqueue([report(id, 5, false)]);
    await world.settled(2);

    expect(world.odoo.records('game.server')[0]).toMatchObject({
      is_online: true,
      players_online: 9,
      last_checked: new Date(BASE + 10 * 60_000).toISOString().slice(0, 19).replace('T', ' '),
      consecutive_failures: 0,
    });
    expect(world.bucketPolls()).toBe(1);
  });

  it('drops the reports of a deleted server, completing them as dropped, and writes the rest', async () => {
    world = await new WriterWorld().start(2);
    const [kept, deleted] = world.servers as [number, number];
    const client = new OdooClient({
      url: world.url,
      db: world.odoo.db,
      login: world.odoo.login,
      apiKey: world.odoo.apiKey,
      protocol: 'auto',
      timeoutMs: 2_000,
    });
    await client.unlink('game.server', [deleted]);
    client.close();
    await world.enqueue([report(kept, 1), report(deleted, 1), report(deleted, 2)]);

    await world.writer();
    await world.settled(3);

    const outcome = async (serverId: number, minute: number) =>
      (await world.queue.getJob(reportJobId(serverId, BASE + minute * 60_000)))
        ?.returnvalue as unknown;
    expect(await outcome(kept, 1)).toBe('committed');
    expect(await outcome(deleted, 1)).toBe('dropped');
    expect(await outcome(deleted, 2)).toBe('dropped');
    expect(world.odoo.appliedReports().map((r) => r.server_id)).toEqual([kept]);
  });

  it('fails only the report Odoo refuses, and writes the others of its batch', async () => {
    world = await new WriterWorld().start(20);
    const good = backlog(world.servers, 1);
    const future = new Date(Date.now() + 3_600_000);
    const refused = { ...report(world.servers[0]!, 1), checkedAt: future.toISOString() };
    await world.enqueue([...good.slice(0, 7), refused, ...good.slice(7)]);

    await world.writer();
    const settled = await world.settled(21);

    const failed = await world.queue.getFailed();
    expect(settled).toEqual({ completed: 20, failed: 1 });
    expect(failed.map((job) => job.data.checkedAt)).toEqual([future.toISOString()]);
    expect(failed[0]?.failedReason).toContain('checked_at must not be more than 10 minutes');
    expect(world.odoo.appliedReports()).toHaveLength(20);
    // Halving the batch finds the one at fault in a few calls, not one call per report.
    expect(world.applyCalls().length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(21)) + 2);
  });

  it('keeps bucket counts exact with two writers: one writes, the other stands by and takes over', async () => {
    world = await new WriterWorld().start(50);
    await world.enqueue(backlog(world.servers, 40));
    const options = { WRITER_BATCH_SIZE: '100' };

    const [first] = await Promise.all([world.writer(options), world.writer(options)]);
    await world.settled(500);
    // Whichever was writing, closing one leaves the other to finish.
    await first.close();
    const settled = await world.settled(2_000);

    expect(settled).toEqual({ completed: 2_000, failed: 0 });
    expect(world.odoo.appliedReports()).toHaveLength(2_000);
    expect(world.bucketPolls()).toBe(2_000);
  });

  it('writes the reports a dead writer held before newer ones, so none is ignored as not newer', async () => {
    world = await new WriterWorld().start(1);
    const [server] = world.servers as [number];
    await world.enqueue([report(server, 0)]);
    // A writer that took the report and died: its lock is never renewed.
    const dead = new Worker<ReportJobData>(QueueName.Report, null, {
      connection: redisConnection(REDIS_URL),
      prefix: world.prefix,
      lockDuration: 1_000,
    });
    const taken = await dead.getNextJob('dead-writer');
    await dead.close(true);
    expect(taken?.data.slotStart).toBe(report(server, 0).slotStart);
    await world.enqueue([report(server, 1)]);

    await world.writer();
    const settled = await world.settled(2);

    expect(settled).toEqual({ completed: 2, failed: 0 });
    expect(world.odoo.appliedReports().map((r) => r.checked_at_ms)).toEqual(
      [0, 1].map((minute) => report(server, minute).slotStart),
    );
    expect(world.bucketPolls()).toBe(2);
  });

  it('replays a batch whose writer was killed after Odoo committed it, changing nothing', async () => {
    await ensureBuilt();
    world = await new WriterWorld().start(10);
    await world.enqueue(backlog(world.servers, 5));
    const child = world.writerProcess();
    const exited = new Promise((done) => child.once('exit', done));
    let appliedAtKill = -1;
    world.odoo.onCommit((call, answer) => {
      if (call.method !== 'apply_status_reports' || appliedAtKill >= 0) return;
      // Odoo has committed; the writer dies before it can hear so and acknowledge.
      appliedAtKill = world.odoo.appliedReports().length;
      child.kill('SIGKILL');
      answer.hangUp();
    });
    await exited;
    const polls = world.bucketPolls();
    const servers = world.odoo.records('game.server');

    await world.writer();
    const settled = await world.settled(50);

    expect(appliedAtKill).toBe(50);
    expect(settled).toEqual({ completed: 50, failed: 0 });
    expect(world.applyCalls().length).toBeGreaterThanOrEqual(2);
    expect(world.odoo.appliedReports()).toHaveLength(50);
    expect(world.bucketPolls()).toBe(polls);
    expect(polls).toBe(50);
    expect(world.odoo.records('game.server')).toEqual(servers);
  });
});
