import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ApiEnv, RedisEnv } from './env.js';
import { ConfigError, ConfigReader, validateEnv } from './load-config.js';

const CLUSTER = { REDIS_MODE: 'cluster', REDIS_URL: 'redis://10.0.0.1:7000' };

describe('RedisEnv', () => {
  it('defaults to one Redis on localhost with no extra nodes and no password', () => {
    const sut = validateEnv(RedisEnv, {});
    expect(sut).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_MODE: 'single',
      REDIS_CLUSTER_NODES: [],
      QUEUE_PREFIX: 'gss',
    });
    expect(sut.REDIS_PASSWORD).toBeUndefined();
  });

  it('accepts a cluster with a hash-tagged prefix and host:port seed nodes, IPv6 included', () => {
    const sut = validateEnv(RedisEnv, {
      ...CLUSTER,
      REDIS_CLUSTER_NODES: 'redis-2.internal:7001, [fd00::3]:7002',
      QUEUE_PREFIX: '{gss}',
    });
    expect(sut.REDIS_CLUSTER_NODES).toEqual(['redis-2.internal:7001', '[fd00::3]:7002']);
  });

  it('accepts a hash tag anywhere in the prefix, as Redis reads the first one', () => {
    expect(validateEnv(RedisEnv, { ...CLUSTER, QUEUE_PREFIX: 'prod{gss}' }).QUEUE_PREFIX).toBe(
      'prod{gss}',
    );
  });

  it.each(['gss', '{}gss', 'gss}{'])(
    'refuses the cluster prefix %s (no non-empty hash tag) and says which prefix to use',
    (prefix) => {
      expect(() => validateEnv(RedisEnv, { ...CLUSTER, QUEUE_PREFIX: prefix })).toThrow(
        /QUEUE_PREFIX has no hash tag, and REDIS_MODE=cluster needs one.*use e\.g\. QUEUE_PREFIX=\{gss\}/,
      );
    },
  );

  it('takes a prefix without a hash tag on a single Redis', () => {
    expect(validateEnv(RedisEnv, { QUEUE_PREFIX: 'gss' }).QUEUE_PREFIX).toBe('gss');
  });

  it('refuses seed nodes on a single Redis, and seed nodes that are not host:port', () => {
    expect(() => validateEnv(RedisEnv, { REDIS_CLUSTER_NODES: '10.0.0.2:7000' })).toThrow(
      /REDIS_CLUSTER_NODES is only read with REDIS_MODE=cluster/,
    );
    expect(() =>
      validateEnv(RedisEnv, { ...CLUSTER, QUEUE_PREFIX: '{gss}', REDIS_CLUSTER_NODES: '10.0.0.2' }),
    ).toThrow(/REDIS_CLUSTER_NODES entries must be host:port/);
  });

  it('refuses a database other than 0 on a cluster, and a URL holding more than a database', () => {
    expect(validateEnv(RedisEnv, { REDIS_URL: 'redis://10.0.0.1:6379/2' }).REDIS_URL).toBe(
      'redis://10.0.0.1:6379/2',
    );
    expect(() =>
      validateEnv(RedisEnv, {
        ...CLUSTER,
        REDIS_URL: 'redis://10.0.0.1:7000/2',
        QUEUE_PREFIX: '{gss}',
      }),
    ).toThrow(/REDIS_URL may hold only a database number/);
    expect(() => validateEnv(RedisEnv, { REDIS_URL: 'redis://10.0.0.1:6379/?family=6' })).toThrow(
      /REDIS_URL may hold only a database number/,
    );
  });

  it('refuses an unknown mode', () => {
    expect(() => validateEnv(RedisEnv, { REDIS_MODE: 'sentinel' })).toThrow(/REDIS_MODE/);
  });

  it('reads the password from REDIS_PASSWORD_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gss-redis-env-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'password'), 's3cret\n');
    expect(
      validateEnv(RedisEnv, { REDIS_PASSWORD_FILE: join(dir, 'password') }).REDIS_PASSWORD,
    ).toBe('s3cret');
  });

  it('lists every Redis problem together with those of other namespaces', () => {
    const sut = new ConfigReader({
      REDIS_MODE: 'cluster',
      REDIS_URL: 'redis://10.0.0.1:7000/3',
      REDIS_CLUSTER_NODES: 'nowhere',
      QUEUE_PREFIX: 'gss',
      PORT: '70000',
    });
    const read = [sut.read(RedisEnv), sut.read(ApiEnv)];
    expect(() => sut.assertValid(...read)).toThrow(ConfigError);
    expect(() => sut.assertValid(...read)).toThrow(
      /REDIS_URL[\s\S]*REDIS_CLUSTER_NODES[\s\S]*QUEUE_PREFIX[\s\S]*PORT/,
    );
  });
});
