import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '#common';
import { ensureBuilt, runDist } from './support/built.js';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { freePort } from './support/ports.js';

const QUERY = 'apps/poller/src/query.js';

/** The compiled commands as an operator runs them: exit codes, output, configuration errors. */
describe('commands', () => {
  let responder: MinecraftResponder;

  beforeAll(async () => {
    await ensureBuilt();
    responder = await startMinecraftResponder({ players: 4, maxPlayers: 16, motd: 'Query me' });
  });

  afterAll(async () => {
    await responder?.stop();
  });

  it('query prints one JSON line and exits 0 for a server that answers', async () => {
    const sut = await runDist(QUERY, ['minecraft', `127.0.0.1:${responder.port}`]);
    expect(sut.code).toBe(0);
    const lines = sut.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0] ?? '') as StatusReport;
    expect(report).toMatchObject({
      online: true,
      playersOnline: 4,
      playersMax: 16,
      name: 'Query me',
      error: null,
    });
  });

  it('query exits 1 with the reason for a server that does not answer', async () => {
    const port = await freePort();
    const sut = await runDist(QUERY, ['minecraft', `127.0.0.1:${port}`, '--timeout', '1000']);
    expect(sut.code).toBe(1);
    expect(JSON.parse(sut.stdout) as StatusReport).toMatchObject({
      online: false,
      error: { code: 'refused' },
    });
  });

  it('query exits 2 with the usage on bad arguments', async () => {
    const sut = await runDist(QUERY, ['pong', '127.0.0.1:1']);
    expect(sut.code).toBe(2);
    expect(sut.stdout).toBe('');
    expect(sut.stderr).toContain('usage:');
  });

  it('the poller exits 1 at start naming every bad variable', async () => {
    const sut = await runDist('apps/poller/src/main.js', [], {
      REDIS_URL: 'http://not-redis',
      POLLER_ROLES: 'scheduler,baker',
      POLL_TIMEOUT_MS: 'soon',
      ODOO_URL: 'not a url',
    });
    expect(sut.code).toBe(1);
    // The start failure is a log line, on stdout like every other.
    const output = sut.stdout + sut.stderr;
    for (const name of [
      'REDIS_URL',
      'POLLER_ROLES',
      'POLL_TIMEOUT_MS',
      'ODOO_URL',
      'ODOO_DB',
      'ODOO_LOGIN',
      'ODOO_API_KEY',
    ]) {
      expect(output).toContain(name);
    }
  });

  it('the api exits 1 at start naming every bad variable and never prints a secret', async () => {
    const sut = await runDist('apps/api/src/main.js', [], {
      ODOO_URL: 'http://127.0.0.1:1',
      ODOO_DB: 'gss',
      ODOO_LOGIN: 'svc',
      ODOO_API_KEY: 'top-secret-key',
      API_KEYS: 'ops:root:top-secret-api-key',
      PORT: '99999',
    });
    expect(sut.code).toBe(1);
    const output = sut.stdout + sut.stderr;
    expect(output).toContain('PORT');
    expect(output).toContain('API_KEYS');
    expect(output).not.toContain('top-secret-key');
    expect(output).not.toContain('top-secret-api-key');
  });

  it('a pure poll worker needs no Odoo settings', async () => {
    const sut = await runDist('apps/poller/src/main.js', [], {
      POLLER_ROLES: 'worker',
      POLL_TIMEOUT_MS: 'soon',
    });
    expect(sut.code).toBe(1);
    const output = sut.stdout + sut.stderr;
    expect(output).toContain('POLL_TIMEOUT_MS');
    expect(output).not.toContain('ODOO_URL');
  });
});
