/**
 * Telling an operator which database is wrong. Odoo answers a database it does not serve in
 * two ways: JSON-2 (19+) with a bare HTTP 404 page, because the database is chosen before any
 * route (an unknown model is a 404 too, but as JSON named `werkzeug.exceptions.NotFound`);
 * JSON-RPC (17-19) with the `psycopg2.OperationalError` of opening it. Either way the error
 * names the URL, the database, and the databases Odoo lists, when it lists them (its `list_db`
 * option, on by default).
 */
import { OdooError, type OdooErrorContext } from './odoo.error.js';
import {
  exchange,
  parseJsonBody,
  type OdooCallOptions,
  type OdooConnection,
} from './odoo.transport.js';

/** What Odoo said of its databases: their names, or why there are none to show. */
export type OdooDatabaseList = { databases: string[] } | { databases?: undefined; why: string };

/**
 * The databases Odoo lists: `/web/database/list` (after its dbfilter, so what it serves), else
 * the `db.list` service (gone from Odoo 20).
 */
export async function listDatabases(
  conn: OdooConnection,
  options?: OdooCallOptions,
): Promise<OdooDatabaseList> {
  const asks = [
    { path: '/web/database/list', params: {} },
    { path: '/jsonrpc', params: { service: 'db', method: 'list', args: [] } },
  ];
  for (const { path, params } of asks) {
    const ctx: OdooErrorContext = { protocol: 'jsonrpc', method: path };
    try {
      const answer = await exchange(
        conn,
        { method: 'POST', path, body: { jsonrpc: '2.0', method: 'call', id: 1, params } },
        ctx,
        options,
      );
      if (answer.status !== 200) continue;
      const body = parseJsonBody(answer, ctx) as { result?: unknown; error?: unknown } | null;
      if (body?.error !== undefined) {
        const err = OdooError.fromJsonRpc(body.error, ctx);
        if (err.kind === 'auth') return { why: 'it does not list its databases (list_db is off)' };
        continue;
      }
      const result = body?.result;
      if (Array.isArray(result) && result.every((db) => typeof db === 'string')) {
        return { databases: result };
      }
    } catch (err) {
      // The list only explains another failure; without it that error says less, no more.
      if (!(err instanceof OdooError)) throw err;
    }
  }
  return { why: 'its list of databases did not answer' };
}

/** The error for a call that reached no database: which, where, and what Odoo serves instead. */
export async function unservedDatabase(
  conn: OdooConnection,
  cause: OdooError,
  options?: OdooCallOptions,
): Promise<OdooError> {
  const list = await listDatabases(conn, options);
  const db = JSON.stringify(conn.db);
  const where = `Odoo at ${conn.url}`;
  if (list.databases?.includes(conn.db)) {
    // Listed, so it exists and passes the dbfilter: Odoo cannot open it, or has no JSON-2.
    return cause.restated(
      cause.protocol === 'json2'
        ? `${where} lists database ${db} but answers HTTP 404 on JSON-2 for it (an Odoo before 19, or a database it cannot open)`
        : `${where} lists database ${db} but cannot open it: ${cause.message}`,
      'database',
    );
  }
  const served =
    list.databases === undefined
      ? list.why
      : list.databases.length === 0
        ? 'it lists none'
        : `it lists ${list.databases.map((name) => JSON.stringify(name)).join(', ')}`;
  return cause.restated(`${where} does not serve database ${db} (${served})`, 'database');
}
