import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { IsInt } from 'class-validator';
import {
  ApiEnv,
  ApiKeysEnv,
  NotifyEnv,
  OdooEnv,
  PollerEnv,
  PollerRolesEnv,
  RedisEnv,
} from './env.js';
import { ConfigError, ConfigReader, validateEnv } from './load-config.js';

/** The problems of the ConfigError `run` throws. */
function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

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

  it('runs the notifier only when asked for by name', () => {
    expect(validateEnv(PollerRolesEnv, {}).POLLER_ROLES).not.toContain('notifier');
    expect(validateEnv(PollerRolesEnv, { POLLER_ROLES: 'notifier' }).POLLER_ROLES).toEqual([
      'notifier',
    ]);
    expect(validateEnv(NotifyEnv, { NOTIFY_CONCURRENCY: '4' }).NOTIFY_CONCURRENCY).toBe(4);
    expect(() => validateEnv(NotifyEnv, { NOTIFY_ATTEMPTS: '0' })).toThrow(/NOTIFY_ATTEMPTS/);
  });

  it('names every bad variable in one error, once each, with its value and what is wrong', () => {
    expect(
      problemsOf(() =>
        validateEnv(PollerEnv, {
          WRITER_BATCH_SIZE: 'many',
          POLL_TIMEOUT_MS: '1.5',
          POLL_CONCURRENCY: '0',
        }),
      ),
    ).toEqual([
      'POLL_TIMEOUT_MS: "1.5" is not a whole number',
      'POLL_CONCURRENCY: "0" is not between 1 and 20000',
      'WRITER_BATCH_SIZE: "many" is not a whole number',
    ]);
  });

  it('says which values a variable takes, and which schemes a URL', () => {
    expect(
      problemsOf(() =>
        validateEnv(OdooEnv, {
          ODOO_URL: 'ftp://odoo',
          ODOO_DB: 'gss',
          ODOO_LOGIN: 'svc',
          ODOO_API_KEY: 'k',
          ODOO_PROTOCOL: 'xmlrpc',
        }),
      ),
    ).toEqual([
      'ODOO_URL: "ftp://odoo" is not a URL (http:// or https://)',
      'ODOO_PROTOCOL: "xmlrpc" is not one of auto, json2, jsonrpc',
    ]);
  });

  it('says a required variable is not set, once, whatever rules it has', () => {
    expect(problemsOf(() => validateEnv(OdooEnv, { ODOO_URL: 'http://odoo:8069' }))).toEqual([
      'ODOO_DB: not set',
      'ODOO_LOGIN: not set',
      'ODOO_API_KEY: not set',
    ]);
  });

  it('never shows a secret, nor the password in a URL', () => {
    const problems = problemsOf(() =>
      validateEnv(ApiKeysEnv, { API_KEYS: 'admin:admin:tooshort-secret' }),
    );
    const redis = problemsOf(() =>
      validateEnv(RedisEnv, { REDIS_URL: 'http://u:hunter22@r:6379' }),
    );

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^API_KEYS must list name:role:key entries/);
    expect(problems[0]).not.toContain('tooshort-secret');
    expect(redis).toEqual([
      'REDIS_URL: "http://u:***@r:6379" is not a URL (redis:// or rediss://)',
    ]);
  });

  it('keeps a rule that depends on another variable for a value of the right kind', () => {
    expect(problemsOf(() => validateEnv(PollerEnv, { WRITER_LANES: 'two' }))).toEqual([
      'WRITER_LANES: "two" is not a whole number',
    ]);
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

  it('says so when NAME_FILE cannot be read, and nothing more of NAME', () => {
    const problems = problemsOf(() =>
      validateEnv(OdooEnv, {
        ODOO_URL: 'http://odoo:8069',
        ODOO_DB: 'gss',
        ODOO_LOGIN: 'svc',
        ODOO_API_KEY_FILE: '/nonexistent/file',
      }),
    );

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ODOO_API_KEY_FILE: cannot read \/nonexistent\/file/);
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

  it('reports a variable read by two namespaces once', () => {
    class AlsoReadsPort {
      @IsInt()
      PORT: number = 80;
    }
    const sut = new ConfigReader({ PORT: 'eighty' });
    const read = [sut.read(ApiEnv), sut.read(AlsoReadsPort), sut.read(ApiEnv)];

    expect(problemsOf(() => sut.assertValid(...read))).toEqual([
      'PORT: "eighty" is not a whole number',
    ]);
  });

  it('gives back what it read when everything is valid', () => {
    const sut = new ConfigReader({});
    const [redis] = sut.assertValid(sut.read(RedisEnv));
    expect(redis.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
