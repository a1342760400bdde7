import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApi } from './support/api-harness.js';
import { AppProcess } from './support/app-process.js';
import { ensureBuilt, runDist } from './support/built.js';
import { OdooStandIn } from './support/odoo-stand-in.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from './support/test-env.js';

/**
 * An Odoo that does not serve the configured database, as each user meets it: the seed
 * command's error, the API's readiness probe, and the poller's log. Each names the URL, the
 * database, and the databases Odoo lists, in one line.
 */
describe.each([
  [19, 'json2'],
  [17, 'jsonrpc'],
] as const)('a database Odoo %i does not serve (%s)', (serverVersion, protocol) => {
  const prefix = uniquePrefix(`odoo-db-${protocol}`);
  let odoo: OdooStandIn;
  let expected: string;
  let env: Record<string, string>;

  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => dropPrefix(prefix));

  beforeEach(async () => {
    odoo = new OdooStandIn({ serverVersion, otherDbs: ['staging'] });
    await odoo.start();
    expected = `Odoo at ${odoo.url} does not serve database "production" (it lists "${odoo.db}", "staging")`;
    env = { ...odoo.clientEnv, ODOO_DB: 'production', ODOO_PROTOCOL: protocol };
  });

  afterEach(async () => {
    await odoo?.stop();
  });

  it('ends seed with exit 2 and that one line', async () => {
    const sut = await runDist('apps/poller/src/seed.js', ['--empty'], env);

    expect(sut.code).toBe(2);
    expect(sut.stderr).toBe(`seed: the catalog at ${odoo.url}: Odoo not ready: ${expected}\n`);
  });

  it('makes the API not ready, saying so in /health/ready', async () => {
    const api = await startApi({ name: `odoo-db-${protocol}`, odoo, env, logLevels: ['fatal'] });
    try {
      const res = await api.request('/health/ready', { as: null });

      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        details: { error: { odoo: { status: 'down', message: `Odoo not ready: ${expected}` } } },
      });
    } finally {
      await api.stop();
    }
  });

  it('has the poller log it on one line', async () => {
    const poller = await AppProcess.start('poller', {
      ...env,
      POLLER_ROLES: 'scheduler',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
    });
    try {
      await poller.waitForOutput(/does not serve database/);

      const line = poller.log.split('\n').find((l) => l.includes('does not serve database'));
      const { msg } = JSON.parse(line ?? '{}') as { msg?: string };
      expect(msg).toContain(`catalog sync failed, polling the 0 servers known: ${expected}`);
    } finally {
      await poller.stop();
    }
  });
});
