import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from './support/app-process.js';
import { ensureBuilt } from './support/built.js';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from './support/test-env.js';

describe('a writer process leaves Odoo a worker for people and the API', () => {
  const prefix = uniquePrefix('writer-lanes');
  const odoo = new OdooStandIn();

  beforeAll(async () => {
    await Promise.all([ensureBuilt(), odoo.start()]);
  }, 120_000);
  afterAll(async () => {
    await odoo.stop();
    await dropPrefix(prefix);
  });

  const writerEnv = (lanes: Record<string, string>) => ({
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ...odoo.clientEnv,
    POLLER_ROLES: 'writer',
    ...lanes,
  });

  it.each([
    [{ ODOO_WORKERS: '2', WRITER_LANES: '2' }, 'WRITER_LANES=2 with ODOO_WORKERS=2', 1],
    [{ ODOO_WORKERS: '4', WRITER_LANES: '6' }, 'WRITER_LANES=6 with ODOO_WORKERS=4', 3],
    [{ WRITER_LANES: '2' }, 'WRITER_LANES=2 with ODOO_WORKERS=0', 1],
  ])(
    'refuses to start with %o, printing both variables, the rule and the most allowed',
    async (lanes, named, most) => {
      const start = AppProcess.start('poller', writerEnv(lanes));
      await expect(start).rejects.toThrow(/exited \(code 1\)/);
      await expect(start).rejects.toThrow(named);
      await expect(start).rejects.toThrow(`max(1, ODOO_WORKERS - 1) = ${most}`);
    },
  );

  it('starts a writer with one lane fewer than Odoo has workers', async () => {
    const writer = await AppProcess.start(
      'poller',
      writerEnv({ ODOO_WORKERS: '3', WRITER_LANES: '2' }),
    );
    try {
      expect(writer.log).toContain('running roles: writer');
      expect(writer.log).not.toContain('WRITER_LANES');
    } finally {
      await writer.stop();
    }
  });
});
