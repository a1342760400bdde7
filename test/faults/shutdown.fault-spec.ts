import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineReport, SHUTDOWN_DEADLINE_MS } from '#common';
import { AppProcess, type AppName } from '../support/app-process.js';
import { ensureBuilt } from '../support/built.js';
import { reportJobs, reportQueue } from '../support/report-queue.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/test-env.js';

/** Values that must never appear in any line a process prints. */
const ODOO_KEY = 'odoo-key-never-logged-7f3a';
const API_KEY = 'api-key-never-logged-0c9d1e';
const REDIS_PASSWORD = 'redis-pw-never-logged-51b2';

/** A loopback port the OS handed out and took back: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  await new Promise((closed) => server.close(closed));
  return port;
}

/** An "Odoo" that takes connections and never answers: every call hangs until its timeout. */
async function silentOdoo(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((closed) => server.close(closed));
    },
  };
}

interface Role {
  label: string;
  app: AppName;
  env: NodeJS.ProcessEnv;
}

const ROLES: Role[] = [
  { label: 'scheduler', app: 'poller', env: { POLLER_ROLES: 'scheduler' } },
  { label: 'worker', app: 'poller', env: { POLLER_ROLES: 'worker' } },
  { label: 'writer', app: 'poller', env: { POLLER_ROLES: 'writer' } },
  { label: 'notifier', app: 'poller', env: { POLLER_ROLES: 'notifier' } },
  { label: 'api', app: 'api', env: { PORT: '0', API_HOST: '127.0.0.1' } },
];

/**
 * Every line the process printed is one JSON object; none is a stack frame; no secret shows.
 * Returns the parsed lines.
 */
function checkedLines(sut: AppProcess): { level: number; msg: string }[] {
  const lines = sut.log.split('\n').filter((line) => line.trim() !== '');
  for (const line of lines) {
    expect(line, 'a line that is not JSON').toMatch(/^\{.*\}$/);
    expect(line).not.toMatch(/^\s+at /);
  }
  for (const secret of [ODOO_KEY, API_KEY, REDIS_PASSWORD]) expect(sut.log).not.toContain(secret);
  return lines.map((line) => JSON.parse(line) as { level: number; msg: string });
}

/**
 * SIGTERM ends every process within SHUTDOWN_DEADLINE_MS, whatever Redis and Odoo do, and a
 * dependency that is down is one log line (with its address and the retry delay), not a line
 * or a stack trace per reconnect attempt.
 */
describe('clean shutdown whatever is down', () => {
  const prefix = uniquePrefix('shutdown');
  const common = (redisUrl: string, odooUrl: string): NodeJS.ProcessEnv => ({
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    ODOO_URL: odooUrl,
    ODOO_DB: 'gss',
    ODOO_LOGIN: 'gss-service',
    ODOO_API_KEY: ODOO_KEY,
    ODOO_PROTOCOL: 'json2',
    ODOO_TIMEOUT_MS: '60000',
    API_KEYS: `ops:admin:${API_KEY}`,
    LOG_LEVEL: 'info',
  });

  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => dropPrefix(prefix));

  describe.each(ROLES)('$label', ({ app, env }) => {
    it('with Redis unreachable: one line naming Redis and the retry, then exits 0 on SIGTERM', async () => {
      const redisPort = await closedPort();
      const odoo = await silentOdoo();
      const sut = await AppProcess.start(app, {
        ...common(`redis://:${REDIS_PASSWORD}@127.0.0.1:${redisPort}`, odoo.url),
        ...env,
      });
      try {
        await sut.waitForOutput(new RegExp(`Redis at 127\\.0\\.0\\.1:${redisPort}`), 10_000);
        // Several reconnect attempts (every 0.2-2 s) go by.
        await sleep(5_000);
        const stopped = performance.now();
        const exit = await sut.stop('SIGTERM', 15_000);
        const tookMs = performance.now() - stopped;
        expect(exit).toEqual({ code: 0, signal: null });
        expect(tookMs).toBeLessThan(SHUTDOWN_DEADLINE_MS);
        const lines = checkedLines(sut);
        const redisLines = lines.filter((line) => line.msg.startsWith('Redis at'));
        expect(redisLines).toHaveLength(1);
        expect(redisLines[0]?.msg).toMatch(
          new RegExp(
            `^Redis at 127\\.0\\.0\\.1:${redisPort}: connection refused \\(ECONNREFUSED\\); retrying in \\d+ ms$`,
          ),
        );
      } finally {
        await sut.kill();
        await odoo.close();
      }
    }, 60_000);

    it('with Odoo taking calls and never answering: exits on SIGTERM within the deadline', async () => {
      const odoo = await silentOdoo();
      if (env.POLLER_ROLES === 'writer') {
        // A report to write, so the writer has an Odoo call in flight when the signal comes.
        const queue = reportQueue(prefix);
        const at = new Date(Date.now() - 60_000);
        await queue.addBulk(
          reportJobs([
            {
              ...offlineReport(1, at, { code: 'timeout', message: 'no answer' }),
              slotStart: at.getTime(),
            },
          ]),
        );
        await queue.close();
      }
      const sut = await AppProcess.start(app, { ...common(REDIS_URL, odoo.url), ...env });
      try {
        await sleep(3_000);
        const exit = await sut.stop('SIGTERM', 15_000);
        // 0 when the close finished, 1 when the deadline cut a call to Odoo short; never SIGKILL.
        expect(exit.signal).toBeNull();
        const lines = checkedLines(sut);
        if (exit.code === 1) {
          expect(lines.at(-1)?.msg).toMatch(/^not stopped 8 s after SIGTERM/);
        } else {
          expect(exit.code).toBe(0);
        }
      } finally {
        await sut.kill();
        await odoo.close();
      }
    }, 60_000);
  });

  it('a second SIGTERM ends a process at once', async () => {
    const odoo = await silentOdoo();
    const queue = reportQueue(prefix);
    const at = new Date(Date.now() - 60_000);
    await queue.addBulk(
      reportJobs([
        {
          ...offlineReport(2, at, { code: 'timeout', message: 'no answer' }),
          slotStart: at.getTime(),
        },
      ]),
    );
    await queue.close();
    const sut = await AppProcess.start('poller', {
      ...common(REDIS_URL, odoo.url),
      POLLER_ROLES: 'writer',
    });
    try {
      // The writer's call to the silent Odoo holds the first close open.
      await sleep(3_000);
      const exited = sut.exited;
      process.kill(sut.pid, 'SIGTERM');
      await sleep(500);
      expect(sut.running).toBe(true);
      process.kill(sut.pid, 'SIGTERM');
      expect(await exited).toEqual({ code: 1, signal: null });
      expect(checkedLines(sut).at(-1)?.msg).toBe(
        'SIGTERM again: exiting without waiting for the close',
      );
    } finally {
      await sut.kill();
      await odoo.close();
    }
  }, 60_000);
});
