import { describe, expect, it } from 'vitest';
import { RedisEnv } from './config/env.js';
import { validateEnv } from './config/load-config.js';
import { redisConnection } from './redis-connection.js';

describe('redisConnection', () => {
  it('reads host, port and database from a redis:// URL, without TLS', () => {
    const sut = redisConnection('redis://redis.internal:6380/2');
    expect(sut).toMatchObject({ host: 'redis.internal', port: 6380, db: 2 });
    expect(sut.tls).toBeUndefined();
    expect(sut.clusterNodes).toBeUndefined();
  });

  it('defaults to port 6379 and database 0', () => {
    expect(redisConnection('redis://127.0.0.1')).toMatchObject({ port: 6379, db: 0 });
  });

  it('waits for a reconnect instead of failing a command, and retries with a backoff capped at 2 s', () => {
    const sut = redisConnection('redis://127.0.0.1:6379');
    expect(sut.maxRetriesPerRequest).toBeNull();
    expect([1, 5, 10, 1_000].map((times) => sut.retryStrategy?.(times))).toEqual([
      200, 1_000, 2_000, 2_000,
    ]);
  });

  it('turns rediss:// into TLS and takes the user and the decoded password from the URL', () => {
    const sut = redisConnection('rediss://svc:p%40ss@cache.example.test:6380');
    expect(sut).toMatchObject({ tls: {}, username: 'svc', password: 'p@ss', port: 6380 });
  });

  it('lets REDIS_PASSWORD replace the password of the URL', () => {
    const env = validateEnv(RedisEnv, {
      REDIS_URL: 'rediss://svc:old@cache.example.test:6380',
      REDIS_PASSWORD: 'from-secret',
    });
    expect(redisConnection(env)).toMatchObject({ username: 'svc', password: 'from-secret' });
  });

  it('seeds a cluster from the URL node and REDIS_CLUSTER_NODES, with the URL credentials and TLS', () => {
    const env = validateEnv(RedisEnv, {
      REDIS_MODE: 'cluster',
      REDIS_URL: 'rediss://:pw@[fd00::1]:7000',
      REDIS_CLUSTER_NODES: 'node-2.test:7001,[fd00::3]:7002',
      QUEUE_PREFIX: '{gss}',
    });
    const sut = redisConnection(env);
    expect(sut.clusterNodes).toEqual([
      { host: 'fd00::1', port: 7000 },
      { host: 'node-2.test', port: 7001 },
      { host: 'fd00::3', port: 7002 },
    ]);
    expect(sut).toMatchObject({ tls: {}, password: 'pw', maxRetriesPerRequest: null });
    // A cluster has database 0 only; SELECT is refused there.
    expect(sut.db).toBeUndefined();
  });
});
