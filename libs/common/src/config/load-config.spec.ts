import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ApiEnv, OdooEnv, PollerEnv, PollerRolesEnv, RedisEnv } from './env.js';
import { ConfigError, ConfigReader, validateEnv } from './load-config.js';

describe('validateEnv', () => {
  it('fills defaults when variables are absent', () => {
    expect(validateEnv(PollerRolesEnv, {}).POLLER_ROLES).toEqual(['scheduler', 'worker', 'writer']);
    expect(validateEnv(PollerEnv, {}).POLL_CONCURRENCY).toBe(200);
    expect(validateEnv(ApiEnv, {}).PORT).toBe(3000);
  });

  it('converts numbers and comma lists from strings', () => {
    expect(validateEnv(PollerRolesEnv, { POLLER_ROLES: 'worker, writer' }).POLLER_ROLES).toEqual([
      'worker',
      'writer',
    ]);
    expect(validateEnv(PollerEnv, { POLL_TIMEOUT_MS: '1500' }).POLL_TIMEOUT_MS).toBe(1500);
  });

  it('names every bad variable in one error', () => {
    const run = () =>
      validateEnv(PollerEnv, {
        WRITER_BATCH_SIZE: 'many',
        POLL_TIMEOUT_MS: 'soon',
        POLL_CONCURRENCY: '0',
      });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (err) {
      const message = (err as ConfigError).message;
      expect(message).toContain('WRITER_BATCH_SIZE');
      expect(message).toContain('POLL_TIMEOUT_MS');
      expect(message).toContain('POLL_CONCURRENCY');
    }
  });

  it('rejects an unknown poller role', () => {
    expect(() => validateEnv(PollerRolesEnv, { POLLER_ROLES: 'worker,cook' })).toThrow(
      /POLLER_ROLES/,
    );
  });

  it('reports required Odoo variables that are missing', () => {
    expect(() => validateEnv(OdooEnv, { ODOO_URL: 'not a url' })).toThrow(
      /ODOO_URL[\s\S]*ODOO_DB[\s\S]*ODOO_LOGIN[\s\S]*ODOO_API_KEY/,
    );
  });

  it('reads NAME_FILE as the value of NAME, trimmed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gss-config-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'key'), 'secret-key\n');
    const sut = validateEnv(OdooEnv, {
      ODOO_URL: 'http://odoo:8069',
      ODOO_DB: 'gss',
      ODOO_LOGIN: 'svc',
      ODOO_API_KEY: 'ignored',
      ODOO_API_KEY_FILE: join(dir, 'key'),
    });
    expect(sut.ODOO_API_KEY).toBe('secret-key');
  });

  it('says so when NAME_FILE cannot be read', () => {
    expect(() => validateEnv(RedisEnv, { REDIS_URL_FILE: '/nonexistent/file' })).toThrow(
      /REDIS_URL_FILE: cannot read/,
    );
  });
});

describe('ConfigReader', () => {
  it('collects the problems of several namespaces before failing', () => {
    const sut = new ConfigReader({ REDIS_URL: 'http://wrong-scheme', PORT: '70000' });
    const redis = sut.read(RedisEnv);
    const api = sut.read(ApiEnv);
    expect(redis).toBeUndefined();
    expect(api).toBeUndefined();
    expect(() => sut.assertValid(redis, api)).toThrow(/REDIS_URL[\s\S]*PORT/);
  });

  it('gives back what it read when everything is valid', () => {
    const sut = new ConfigReader({});
    const [redis] = sut.assertValid(sut.read(RedisEnv));
    expect(redis.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
