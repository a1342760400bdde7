/**
 * Odoo's JSON-2 API (Odoo 19+): `POST /json/2/<model>/<method>` with a bearer API key.
 * The body is the method's keyword arguments plus `ids` and `context`; a success is HTTP 200
 * with the bare result, a failure an HTTP status with `{name, message, arguments, debug}`.
 * Each call is one transaction on the server.
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

export class Json2Transport implements OdooTransport {
  readonly protocol = 'json2';

  constructor(private readonly conn: OdooConnection) {}

  async call<T>(
    model: string,
    method: string,
    args: OdooCallArgs = {},
    options?: OdooCallOptions,
  ): Promise<T> {
    const ctx: OdooErrorContext = {
      protocol: this.protocol,
      model,
      method,
      secrets: [this.conn.apiKey],
    };
    const answer = await exchange(
      this.conn,
      {
        method: 'POST',
        path: `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`,
        body: json2Body(args),
        headers: {
          Authorization: `bearer ${this.conn.apiKey}`,
          // Needed when the server hosts several databases; harmless otherwise.
          'X-Odoo-Database': this.conn.db,
        },
      },
      ctx,
      options,
    );
    if (answer.status !== 200) {
      const err = OdooError.fromJson2(answer.status, answer.body, ctx);
      // Odoo's own 404s (unknown model or method) are JSON: a bare one means no database.
      if (err.httpStatus === 404 && err.odooName === undefined) {
        throw await unservedDatabase(this.conn, err, options);
      }
      throw err;
    }
    return parseJsonBody(answer, ctx) as T;
  }
}

/** JSON-2 refuses `ids` on @api.model methods (HTTP 422), so an absent `ids` stays absent. */
export function json2Body(args: OdooCallArgs): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (value !== undefined) body[key] = value;
  }
  return body;
}
