import { randomBytes } from 'node:crypto';
import type { INestApplication, LogLevel } from '@nestjs/common';
import { createApi } from '../../apps/api/src/api.app.js';
import { OdooStandIn } from './odoo-stand-in.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from './test-env.js';

export type KeyRole = 'admin' | 'viewer';

/** A running API on 127.0.0.1 with its own Odoo stand-in, queue prefix and keys. */
export interface ApiHarness {
  readonly url: string;
  readonly app: INestApplication;
  readonly odoo: OdooStandIn;
  readonly prefix: string;
  /** The environment the API was started with (API_KEYS included). */
  readonly env: Record<string, string>;
  readonly keys: Readonly<Record<KeyRole, string>>;
  /** Every JSON log line the API wrote, in order (kept here, not printed). */
  readonly logs: string[];
  /** Headers that authenticate as `role`. */
  as(role: KeyRole): Record<string, string>;
  /** fetch() against the API, with the key of `role` unless it is null. */
  request(path: string, init?: RequestInit & { as?: KeyRole | null }): Promise<Response>;
  stop(): Promise<void>;
}

export interface ApiHarnessOptions {
  name: string;
  /** Extra or overriding variables. */
  env?: Record<string, string>;
  /** A started stand-in to use instead of a fresh one (it is then not stopped by `stop`). */
  odoo?: OdooStandIn;
  /** The Odoo a fresh stand-in imitates: 19 (default) speaks JSON-2, 17 and 18 JSON-RPC. */
  odooVersion?: 17 | 18 | 19;
  /** Default: everything from info up, which stays in `logs`. */
  logLevels?: LogLevel[];
}

/** A random key in the API_KEYS format (64 hex characters). */
export function newApiKey(): string {
  return randomBytes(32).toString('hex');
}

/** Starts the real API (createApi, as main.ts does) against real Redis and an Odoo stand-in. */
export async function startApi(options: ApiHarnessOptions): Promise<ApiHarness> {
  const version = options.odooVersion ?? 19;
  const odoo = options.odoo ?? new OdooStandIn({ serverVersion: version });
  const ownOdoo = !options.odoo;
  const odooUrl = ownOdoo ? await odoo.start() : odoo.url;
  const prefix = uniquePrefix(options.name);
  const keys = { admin: newApiKey(), viewer: newApiKey() };
  const env: Record<string, string> = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ODOO_URL: odooUrl,
    ODOO_DB: odoo.db,
    ODOO_LOGIN: odoo.login,
    ODOO_API_KEY: odoo.apiKey,
    ODOO_PROTOCOL: odoo.serverVersion >= 19 ? 'json2' : 'jsonrpc',
    ODOO_TIMEOUT_MS: '2000',
    API_KEYS: `ops:admin:${keys.admin},dashboard:viewer:${keys.viewer}`,
    PORT: '0',
    API_HOST: '127.0.0.1',
    ...options.env,
  };
  const logs: string[] = [];
  const { app } = await createApi(env, options.logLevels ?? ['log', 'warn', 'error', 'fatal'], {
    write: (line: string) => logs.push(line),
  });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  const as = (role: KeyRole) => ({ 'X-API-Key': keys[role] });
  return {
    url,
    app,
    odoo,
    prefix,
    env,
    keys,
    logs,
    as,
    request: (path, init = {}) => {
      const { as: role = 'admin', headers, ...rest } = init;
      return fetch(`${url}${path}`, {
        ...rest,
        headers: { ...(role ? as(role) : {}), ...(headers as Record<string, string>) },
      });
    },
    stop: async () => {
      await app.close();
      if (ownOdoo) await odoo.stop();
      await dropPrefix(prefix);
    },
  };
}
