import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from './support/app-process.js';
import { ensureBuilt } from './support/built.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from './support/test-env.js';

describe('apps started as their own processes', () => {
  const prefix = uniquePrefix('app-process');

  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => dropPrefix(prefix));

  it('a poll worker starts, shows its CPU and memory, and exits by itself on SIGTERM', async () => {
    const worker = await AppProcess.start('poller', {
      POLLER_ROLES: 'worker',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
    });
    try {
      const usage = await worker.usage();
      expect(usage.cpuS).toBeGreaterThan(0);
      expect(usage.rssMb).toBeGreaterThan(10);
      expect(usage.peakRssMb).toBeGreaterThanOrEqual(usage.rssMb);
    } finally {
      // Code 0 is a clean close; 1 an overrun deadline, SIGKILL a hang.
      expect(await worker.stop('SIGTERM', 10_000)).toEqual({ code: 0, signal: null });
    }
  });

  it('a process that cannot start rejects with what it printed', async () => {
    await expect(
      AppProcess.start('poller', { POLLER_ROLES: 'juggler', REDIS_URL, QUEUE_PREFIX: prefix }),
    ).rejects.toThrow(/exited \(code 1\)[\s\S]*POLLER_ROLES/);
  });
});
