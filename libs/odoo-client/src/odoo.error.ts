/**
 * Odoo's faults, reduced to one error class with a `kind` callers can branch on.
 *
 * JSON-RPC (`/jsonrpc`, Odoo 17-19) always answers HTTP 200 and names the Python exception in
 * `error.data.name`; `error.code` carries nothing (200 on 17/18, 0 on 19). JSON-2 (`/json/2`,
 * Odoo 19+) puts the kind in the HTTP status and the exception name in the body's `name`.
 * Either way the exception name decides first, because it is the most precise signal: JSON-2
 * answers an unknown keyword argument with a 500 whose name is `builtins.TypeError`.
 */

/** What went wrong, independent of the protocol that carried it. */
export type OdooErrorKind =
  /** Bad login or API key, expired key (`AccessDenied`, HTTP 401). */
  | 'auth'
  /** The key's user may not do this (`AccessError`, private method, HTTP 403). */
  | 'access'
  /** A record id that does not exist or was deleted (`MissingError`). */
  | 'missing'
  /** Odoo refused the data (`UserError`, `ValidationError`, constraint violations, HTTP 422). */
  | 'validation'
  /** Unknown model or method. */
  | 'not_found'
  /**
   * The database is not one this Odoo serves: it does not exist, the server's dbfilter or `-d`
   * leaves it out, or Odoo cannot open it.
   */
  | 'database'
  /** The call itself is malformed: wrong arguments, unparsable body (`TypeError`, HTTP 400). */
  | 'bad_request'
  /** Concurrent update that Odoo gave up retrying (serialization failure, lock, HTTP 409). */
  | 'conflict'
  /** Any other failure inside Odoo, or a 5xx that did not come from Odoo. */
  | 'server'
  /** No usable answer at all: refused, reset, timed out, or a body that is not JSON. */
  | 'transport';

export type OdooProtocol = 'json2' | 'jsonrpc';

/** Where an error happened, and which strings must never appear in its message. */
export interface OdooErrorContext {
  protocol: OdooProtocol;
  model?: string;
  method?: string;
  /** Replaced by `***` wherever they occur in a message Odoo sent back. */
  secrets?: readonly string[];
}

export interface OdooErrorInit extends OdooErrorContext {
  kind: OdooErrorKind;
  message: string;
  httpStatus?: number;
  odooName?: string;
  /** Low-level cause for transport errors, e.g. `ECONNREFUSED`, `ETIMEDOUT`. */
  code?: string;
  /** Odoo's traceback; kept off the message and out of enumerable properties. */
  debug?: string;
}

const NAME_KINDS: Readonly<Record<string, OdooErrorKind>> = {
  'odoo.exceptions.AccessDenied': 'auth',
  'werkzeug.exceptions.Unauthorized': 'auth',
  'odoo.http.SessionExpiredException': 'auth',
  'odoo.exceptions.AccessError': 'access',
  'werkzeug.exceptions.Forbidden': 'access',
  'odoo.exceptions.MissingError': 'missing',
  'odoo.exceptions.UserError': 'validation',
  'odoo.exceptions.ValidationError': 'validation',
  'odoo.exceptions.RedirectWarning': 'validation',
  'werkzeug.exceptions.NotFound': 'not_found',
  // execute_kw answers an unknown method with AttributeError.
  'builtins.AttributeError': 'not_found',
  'builtins.TypeError': 'bad_request',
  // Unknown fields in domains, `fields` or `order` surface as ValueError.
  'builtins.ValueError': 'bad_request',
  'werkzeug.exceptions.BadRequest': 'bad_request',
  'werkzeug.exceptions.UnprocessableEntity': 'bad_request',
  'werkzeug.exceptions.UnsupportedMediaType': 'bad_request',
  'psycopg2.errors.SerializationFailure': 'conflict',
  'psycopg2.errors.LockNotAvailable': 'conflict',
  'psycopg2.errors.DeadlockDetected': 'conflict',
  'odoo.exceptions.ConcurrencyError': 'conflict',
  'odoo.exceptions.LockError': 'conflict',
  'werkzeug.exceptions.Conflict': 'conflict',
};

/** Names of server faults that say the database was unreachable, not that the call was wrong. */
const TRANSIENT_SERVER_NAMES = new Set(['psycopg2.OperationalError', 'psycopg2.InterfaceError']);

// On JSON-RPC an unknown model is a plain UserError; only its text tells it apart.
const UNKNOWN_MODEL = /^Object \S+ doesn't exist/;

// JSON-RPC names the database in its arguments, so Odoo opens it inside the call and fails in
// PostgreSQL's words, e.g. `connection to server at "db" (10.0.0.2), port 5432 failed: FATAL:
// database "gamedb" does not exist`.
const UNKNOWN_DATABASE = /\bdatabase "[^"]*" does not exist/;

/** An Odoo call that failed. Never carries the API key, nor the traceback in `message`. */
export class OdooError extends Error {
  override readonly name = 'OdooError';
  readonly kind: OdooErrorKind;
  readonly protocol: OdooProtocol;
  // `declare` keeps absent optional fields off the object instead of defining them as undefined.
  declare readonly httpStatus?: number;
  /** Fully qualified Python exception name, e.g. `odoo.exceptions.AccessDenied`. */
  declare readonly odooName?: string;
  declare readonly model?: string;
  declare readonly method?: string;
  declare readonly code?: string;
  declare readonly debug?: string;

  constructor(init: OdooErrorInit) {
    super(redact(init.message, init.secrets));
    this.kind = init.kind;
    this.protocol = init.protocol;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.odooName !== undefined) this.odooName = init.odooName;
    if (init.model !== undefined) this.model = init.model;
    if (init.method !== undefined) this.method = init.method;
    if (init.code !== undefined) this.code = init.code;
    // Non-enumerable, so logging the error object does not dump a traceback.
    Object.defineProperty(this, 'debug', {
      value: init.debug === undefined ? undefined : redact(init.debug, init.secrets),
      enumerable: false,
    });
  }

  /**
   * Whether trying the same call again later may succeed. True for transport faults,
   * concurrency conflicts, and server faults that did not come from Odoo's own error handler
   * (a proxy's 502/503/504, a crash page) or that say the database was unreachable.
   */
  get retryable(): boolean {
    switch (this.kind) {
      case 'transport':
      case 'conflict':
        return true;
      case 'server':
        return this.odooName === undefined || TRANSIENT_SERVER_NAMES.has(this.odooName);
      case 'auth':
      case 'access':
      case 'missing':
      case 'validation':
      case 'not_found':
      case 'database':
      case 'bad_request':
        return false;
    }
  }

  /** The same error told in other words, and of another kind when one is given. */
  restated(message: string, kind: OdooErrorKind = this.kind): OdooError {
    return new OdooError({
      kind,
      protocol: this.protocol,
      message,
      ...(this.httpStatus !== undefined && { httpStatus: this.httpStatus }),
      ...(this.odooName !== undefined && { odooName: this.odooName }),
      ...(this.model !== undefined && { model: this.model }),
      ...(this.method !== undefined && { method: this.method }),
      ...(this.code !== undefined && { code: this.code }),
      ...(this.debug !== undefined && { debug: this.debug }),
    });
  }

  /** Parses the `error` member of a JSON-RPC response (HTTP 200). */
  static fromJsonRpc(error: unknown, ctx: OdooErrorContext): OdooError {
    const err = asRecord(error);
    const data = asRecord(err?.['data']);
    const odooName = asString(data?.['name']);
    const detail = asString(data?.['message']) ?? asString(err?.['message']) ?? 'Odoo error';
    const kind = (odooName !== undefined && kindFromName(odooName, detail)) || 'server';
    return new OdooError({
      ...ctx,
      kind,
      message: describe(ctx, detail),
      ...(odooName !== undefined && { odooName }),
      ...optionalDebug(data?.['debug']),
    });
  }

  /** Parses a JSON-2 error: the HTTP status plus the raw body (JSON from Odoo, anything from a proxy). */
  static fromJson2(httpStatus: number, body: string, ctx: OdooErrorContext): OdooError {
    const parsed = asRecord(tryParseJson(body));
    const odooName = asString(parsed?.['name']);
    const detail = asString(parsed?.['message']) ?? `HTTP ${httpStatus}`;
    const kind =
      (odooName !== undefined && kindFromName(odooName, detail)) || kindFromStatus(httpStatus);
    return new OdooError({
      ...ctx,
      kind,
      httpStatus,
      message: describe(ctx, detail),
      ...(odooName !== undefined && { odooName }),
      ...optionalDebug(parsed?.['debug']),
    });
  }

  /** An HTTP answer that is not what the protocol promises (wrong status, not JSON). */
  static fromHttpStatus(httpStatus: number, ctx: OdooErrorContext): OdooError {
    return new OdooError({
      ...ctx,
      kind: kindFromStatus(httpStatus),
      httpStatus,
      message: describe(ctx, `unexpected HTTP ${httpStatus}`),
    });
  }

  /** No answer, or an answer that cannot be read. */
  static transport(detail: string, ctx: OdooErrorContext, code?: string): OdooError {
    return new OdooError({
      ...ctx,
      kind: 'transport',
      message: describe(ctx, detail),
      ...(code !== undefined && { code }),
    });
  }
}

function kindFromName(name: string, message: string): OdooErrorKind | undefined {
  if (name === 'odoo.exceptions.UserError' && UNKNOWN_MODEL.test(message)) return 'not_found';
  if (name === 'psycopg2.OperationalError' && UNKNOWN_DATABASE.test(message)) return 'database';
  return NAME_KINDS[name];
}

function kindFromStatus(status: number): OdooErrorKind {
  if (status === 400) return 'bad_request';
  if (status === 401) return 'auth';
  if (status === 403) return 'access';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 422) return 'validation';
  return 'server';
}

function describe(ctx: OdooErrorContext, detail: string): string {
  const where = ctx.model ? `${ctx.model}${ctx.method ? `.${ctx.method}` : ''}` : ctx.method;
  return where ? `Odoo ${where}: ${detail}` : `Odoo: ${detail}`;
}

function redact(text: string, secrets: readonly string[] | undefined): string {
  let out = text;
  for (const secret of secrets ?? []) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

function optionalDebug(value: unknown): { debug?: string } {
  return typeof value === 'string' && value.length > 0 ? { debug: value } : {};
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
