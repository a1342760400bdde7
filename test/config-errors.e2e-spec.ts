import { describe, expect, it } from 'vitest';
import { ConfigError } from '#common';
import { createApi } from '../apps/api/src/api.app.js';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { QUIET } from './support/test-env.js';

/** Variables both apps read, each wrong in its own way. */
const SHARED_BAD = {
  REDIS_URL: 'http://u:hunter22@redis:6379',
  ODOO_URL: 'odoo:8069',
  ODOO_TIMEOUT_MS: 'slow',
  POLL_INTERVAL_S: '0',
  PROVIDER_ROUTES: 'minecraft',
  LOG_LEVEL: 'loud',
};

const ODOO_REST = { ODOO_DB: 'gss', ODOO_LOGIN: 'svc', ODOO_API_KEY: 'key-not-shown' };

async function problemsOfStart(start: () => Promise<unknown>): Promise<string[]> {
  try {
    await start();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the app started with a bad configuration');
}

/** Each problem's variable: the name it starts with. */
function variablesOf(problems: readonly string[]): string[] {
  return problems.map((problem) => /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0] ?? problem);
}

describe('a start with several bad variables', () => {
  it('names each of the poller’s bad variables exactly once, saying what is wrong', async () => {
    const bad = { ...SHARED_BAD, POLL_CONCURRENCY: 'abc', METRICS_PORT: 'ninety' };

    const problems = await problemsOfStart(() =>
      createPoller({ ...ODOO_REST, ...bad, POLLER_ROLES: 'scheduler,worker,writer' }, QUIET),
    );

    expect(variablesOf(problems).sort()).toEqual(Object.keys(bad).sort());
    expect(problems).toContain('POLL_CONCURRENCY: "abc" is not a whole number');
    expect(problems).toContain('POLL_INTERVAL_S: "0" is not between 1 and 86400');
    expect(problems).toContain(
      'REDIS_URL: "http://u:***@redis:6379" is not a URL (redis:// or rediss://)',
    );
    expect(problems.join('\n')).not.toMatch(/hunter22|key-not-shown/);
  });

  it('names each of the API’s bad variables exactly once, a secret without its value', async () => {
    const bad = { ...SHARED_BAD, PORT: '-1', API_KEYS: 'admin:admin:short-secret' };

    const problems = await problemsOfStart(() => createApi({ ...ODOO_REST, ...bad }, QUIET));

    expect(variablesOf(problems).sort()).toEqual(Object.keys(bad).sort());
    expect(problems).toContain('PORT: "-1" is not between 0 and 65535');
    expect(problems).toContain('ODOO_TIMEOUT_MS: "slow" is not a whole number');
    expect(problems.join('\n')).not.toMatch(/short-secret|hunter22|key-not-shown/);
  });
});
