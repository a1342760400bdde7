/**
 * Odoo's JSON-RPC endpoint (`POST /jsonrpc`, Odoo 17-21; deprecated from 19, where every call
 * logs a warning): `common.authenticate` once for the uid, then `object.execute_kw(db, uid,
 * key, model, method, args, kwargs)` per call. Stateless: the key travels with every call.
 * Answers are HTTP 200 whether or not the call failed; the fault is in `error.data`.
 */
import { unservedDatabase } from './odoo.databases.js';
import { OdooError, type OdooErrorContext } from './odoo.error.js';
import {
  exchange,
  parseJsonBody,
  type OdooCallArgs,
  type OdooCallOptions,
  type OdooConnection,
  type OdooTransport,
} from './odoo.transport.js';
import { SharedPromise } from './shared-promise.js';

/** Positional and keyword arguments of one `execute_kw`. */
export interface ExecuteKwArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * Maps JSON-2 style named arguments onto `execute_kw`, following Odoo's `api.call_kw`:
 * - `create` reads its `vals_list` from `args[0]` only, so it must be positional (as kwargs it
 *   fails on 17/18); a list gives a list of ids back.
 * - record methods (`read`, `write`, `unlink`, any multi method) take the ids as `args[0]`;
 * - @api.model methods (`search_read`, custom ones) take `args=[]` and everything as kwargs.
 * `context` always goes in kwargs, where `call_kw` looks for it.
 */
export function toExecuteKw(method: string, named: OdooCallArgs): ExecuteKwArgs {
  const kwargs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(named)) {
    if (value !== undefined && key !== 'ids') kwargs[key] = value;
  }
  if (method === 'create' && 'vals_list' in kwargs) {
    const { vals_list: valsList, ...rest } = kwargs;
    return { args: [valsList], kwargs: rest };
  }
  return { args: named.ids === undefined ? [] : [named.ids], kwargs };
}

export class JsonRpcTransport implements OdooTransport {
  readonly protocol = 'jsonrpc';
  private readonly uid = new SharedPromise<number>();
  private nextId = 1;

  constructor(private readonly conn: OdooConnection) {}

  async call<T>(
    model: string,
    method: string,
    args: OdooCallArgs = {},
    options: OdooCallOptions = {},
  ): Promise<T> {
    // One time budget for the whole call, log-in and a possible second log-in included.
    const deadline = Date.now() + (options.timeoutMs ?? this.conn.timeoutMs);
    const remaining = (): OdooCallOptions => ({
      ...options,
      timeoutMs: Math.max(1, deadline - Date.now()),
    });
    const { args: positional, kwargs } = toExecuteKw(method, args);
    const execute = (uid: number): Promise<T> =>
      this.rpc<T>(
        'object',
        'execute_kw',
        [this.conn.db, uid, this.conn.apiKey, model, method, positional, kwargs],
        { model, method },
        remaining(),
      );

    const session = this.session(remaining());
    const uid = await session;
    try {
      return await execute(uid);
    } catch (err) {
      if (!(err instanceof OdooError) || err.odooName !== 'odoo.exceptions.AccessDenied') throw err;
      // The uid may be stale (user recreated, key rotated under the same login): log in once
      // more before giving up. Nothing ran on the server, so repeating the call is safe.
      this.uid.forget(session);
      return await execute(await this.session(remaining()));
    }
  }

  /** The uid of the configured login, authenticated once and shared by concurrent calls. */
  private session(options: OdooCallOptions): Promise<number> {
    return this.uid.get(() => this.authenticate(options));
  }

  private async authenticate(options: OdooCallOptions): Promise<number> {
    const { db, login, apiKey } = this.conn;
    const uid = await this.rpc<unknown>(
      'common',
      'authenticate',
      [db, login, apiKey, {}],
      {},
      options,
    );
    if (typeof uid !== 'number' || uid <= 0) {
      // Odoo answers a bad login or key with `false`, not with an error.
      throw new OdooError({
        kind: 'auth',
        protocol: this.protocol,
        method: 'authenticate',
        message: `Odoo: login ${JSON.stringify(login)} on database ${JSON.stringify(db)} refused (wrong login or API key)`,
      });
    }
    return uid;
  }

  private async rpc<T>(
    service: 'common' | 'object',
    method: string,
    args: unknown[],
    where: { model?: string; method?: string },
    options: OdooCallOptions,
  ): Promise<T> {
    const ctx: OdooErrorContext = {
      protocol: this.protocol,
      method: where.method ?? `${service}.${method}`,
      secrets: [this.conn.apiKey],
      ...(where.model !== undefined && { model: where.model }),
    };
    const answer = await exchange(
      this.conn,
      {
        method: 'POST',
        path: '/jsonrpc',
        body: {
          jsonrpc: '2.0',
          method: 'call',
          id: this.nextId++,
          params: { service, method, args },
        },
      },
      ctx,
      options,
    );
    if (answer.status !== 200) throw OdooError.fromHttpStatus(answer.status, ctx);
    const body = parseJsonBody(answer, ctx) as { result?: unknown; error?: unknown } | null;
    if (body === null || typeof body !== 'object') {
      throw OdooError.transport('answer is not a JSON-RPC response', ctx, 'ERR_BAD_RESPONSE');
    }
    if (body.error !== undefined) {
      const err = OdooError.fromJsonRpc(body.error, ctx);
      throw err.kind === 'database' ? await unservedDatabase(this.conn, err, options) : err;
    }
    // Odoo 17 leaves `result` out when the method returned None.
    return (body.result ?? null) as T;
  }
}
