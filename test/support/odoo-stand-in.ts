/**
 * An in-memory Odoo for tests and benchmarks: a real HTTP server on 127.0.0.1 that speaks
 * JSON-RPC (`/jsonrpc`, as Odoo 17-19) and JSON-2 (`/json/2/<model>/<method>`, as Odoo 19),
 * with the error shapes measured on real Odoo 17, 18 and 19.
 *
 * It keeps generic CRUD (with read_group and formatted_read_group) for any model it is told
 * about, and the addon game_server_status as the shared contract describes it: `game.server`
 * with `apply_status_reports` (live fields, stat buckets, outages), `game.server.stat`,
 * `game.server.outage`, the deletion log `game.server.deletion`, the games (`game.server.game`
 * with `sync_games`), and the settings in
 * `ir.config_parameter`. Controls let a test take it down, slow it, make the next calls fail,
 * run a hook between a call's commit and its answer, count the RPCs it received and charge a
 * per-call and per-record cost. Tests only.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type StandInProtocol = 'json2' | 'jsonrpc';
export type StandInFailure = 'http500' | 'access' | 'auth';
export type StandInFieldType =
  | 'char'
  | 'text'
  | 'integer'
  | 'float'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'many2one'
  | 'many2many'
  | 'selection'
  | 'json';

/** A stored record, values as Odoo answers them (`false` for empty non-numeric fields). */
export type StandInRecord = Record<string, unknown> & { id: number };

/** One model call the stand-in received (authentication and version probes are not listed). */
export interface StandInCall {
  protocol: StandInProtocol;
  model: string;
  method: string;
  /** Records the call carried (vals_list, ids, reports) or, for searches and reads, returned. */
  recordCount: number;
  ok: boolean;
  userAgent?: string;
  /**
   * The reports an `apply_status_reports` call applied; a commit hook (see `onCommit`) can so
   * time each one from the moment Odoo would have committed it.
   */
  applied?: readonly AppliedReport[];
}

export interface StandInOptions {
  apiKey?: string;
  db?: string;
  /** Databases the server lists besides `db` (they hold nothing: only `db` is served here). */
  otherDbs?: readonly string[];
  /** Odoo's `list_db` option: false refuses to list the databases, with AccessDenied. */
  listDb?: boolean;
  login?: string;
  uid?: number;
  /** Which Odoo to imitate: 17 and 18 have no JSON-2 and no `GET /web/version`. Default 19. */
  serverVersion?: 17 | 18 | 19;
  /** JSON-RPC `error.code`: 200 on Odoo 17/18, 0 on 19. Defaults from `serverVersion`. */
  jsonRpcErrorCode?: number;
  /** Default 0: a free port. */
  port?: number;
  /** Clock for create_date, write_date. */
  now?: () => Date;
}

/** Server time charged per model call, so benchmarks see batching pay off as on a real Odoo. */
export interface StandInCost {
  perCallMs?: number;
  perRecordMs?: number;
  /**
   * Calls Odoo works on at once. Default 1: a `--workers 0` Odoo runs its threads under
   * Python's GIL, so CPU-bound calls mostly queue behind each other.
   */
  workers?: number;
}

/** The model a many2one points to, and what deleting a target does to the records pointing. */
export interface StandInRelation {
  model: string;
  /** Odoo's default is `set null`. */
  ondelete?: 'cascade' | 'set null';
}

export interface StandInModelOptions {
  fields?: Record<string, StandInFieldType>;
  defaults?: Record<string, unknown>;
  /** Default order of searches, e.g. `'name asc'`. Default `'id'`. */
  order?: string;
  /** Target of each many2one field; reads answer `[id, display name]` for them. */
  relations?: Record<string, StandInRelation>;
  /** Field sets unique together, as a UNIQUE constraint (a create breaking one fails). */
  unique?: readonly (readonly string[])[];
}

/** One report as `apply_status_reports` received it; the keys are the addon's contract. */
export type AppliedReport = Record<string, unknown> & {
  server_id: number;
  checked_at: string;
  online: boolean;
};

/** What `game.server.apply_status_reports` answers. */
export interface ApplyStatusReportsResult {
  applied: number;
  ignored: number;
  missing: number[];
  outages_opened: number;
  outages_closed: number;
}

/** Runs after a model call's changes are in, before its answer leaves (see `onCommit`). */
export type StandInCommitHook = (
  call: StandInCall,
  answer: {
    /** Drops the connection instead of answering: the client never learns the call succeeded. */
    hangUp(): void;
  },
) => void | Promise<void>;

export const GAME_SERVER_MODEL = 'game.server';
export const GAME_SERVER_STAT_MODEL = 'game.server.stat';
export const GAME_SERVER_OUTAGE_MODEL = 'game.server.outage';
export const GAME_SERVER_DELETION_MODEL = 'game.server.deletion';
export const GAME_SERVER_GAME_MODEL = 'game.server.game';
export const GAME_SERVER_TAG_MODEL = 'game.server.tag';
export const PARTNER_MODEL = 'res.partner';
export const CONFIG_PARAMETER_MODEL = 'ir.config_parameter';
export const NOTIFY_DELIVERY_MODEL = 'game.server.notify.delivery';

/** The addon's settings: ir.config_parameter keys and their defaults. */
export const ADDON_SETTINGS = {
  bucketMinutes: { key: 'game_server_status.bucket_minutes', default: 15 },
  outageThreshold: { key: 'game_server_status.outage_threshold', default: 3 },
  statDetailDays: { key: 'game_server_status.stat_detail_days', default: 7 },
  statRetentionDays: { key: 'game_server_status.stat_retention_days', default: 365 },
} as const;

const GAME_SERVER_FIELDS: Record<string, StandInFieldType> = {
  catalog_write_date: 'datetime',
  name: 'char',
  game: 'char',
  host: 'char',
  port: 'integer',
  query_port: 'integer',
  poll_interval: 'integer',
  active: 'boolean',
  notes: 'text',
  is_online: 'boolean',
  players_online: 'integer',
  players_max: 'integer',
  bots: 'integer',
  latency_ms: 'integer',
  map_name: 'char',
  version: 'char',
  game_mode: 'char',
  motd: 'char',
  password_protected: 'boolean',
  player_names: 'text',
  last_checked: 'datetime',
  last_online: 'datetime',
  last_error_code: 'char',
  last_error: 'text',
  consecutive_failures: 'integer',
  last_report_ms: 'float',
  failing_since: 'datetime',
  open_outage_id: 'many2one',
  partner_id: 'many2one',
  user_id: 'many2one',
  tag_ids: 'many2many',
  published: 'boolean',
  show_address: 'boolean',
  public_slug: 'char',
  // Not stored: computed from the stat buckets whenever they are read.
  peak_players_24h: 'integer',
  uptime_24h: 'float',
  uptime_7d: 'float',
  uptime_30d: 'float',
};

const STAT_FIELDS: Record<string, StandInFieldType> = {
  server_id: 'many2one',
  game: 'char',
  bucket_start: 'datetime',
  bucket_minutes: 'integer',
  polls: 'integer',
  polls_online: 'integer',
  players_sum: 'integer',
  players_peak: 'integer',
  latency_sum: 'float',
  players_avg: 'float',
  latency_avg: 'float',
  uptime_pct: 'float',
};

const OUTAGE_FIELDS: Record<string, StandInFieldType> = {
  server_id: 'many2one',
  game: 'char',
  start: 'datetime',
  end: 'datetime',
  duration_s: 'integer',
  reason: 'char',
  state: 'selection',
};

const SERVER_REF = { model: GAME_SERVER_MODEL, ondelete: 'cascade' } as const;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAGIC_FIELDS = new Set(['id', 'create_date', 'write_date']);
/** game.server fields whose change bumps catalog_write_date, as in the addon. */
const CATALOG_FIELDS = new Set([
  'name',
  'game',
  'host',
  'port',
  'query_port',
  'poll_interval',
  'active',
]);

/** The addon stamps catalog_write_date on create (a seed may give its own, to backdate it). */
function stampCatalog(model: ModelState, record: StandInRecord, stamp: string): void {
  if (model.name === GAME_SERVER_MODEL && typeof record['catalog_write_date'] !== 'string') {
    record['catalog_write_date'] = stamp;
  }
}

// ---------------------------------------------------------------------------------------------
// Faults, as Odoo serialises them
// ---------------------------------------------------------------------------------------------

/** A Python exception the stand-in raises; `status` is what JSON-2 answers for it. */
class Fault extends Error {
  constructor(
    readonly pyName: string,
    message: string,
    readonly status: number,
    /** werkzeug exceptions serialise `[description, code]` as arguments. */
    readonly werkzeug = false,
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      name: this.pyName,
      message: this.message,
      arguments: this.werkzeug ? [this.message, this.status] : [this.message],
      context: {},
      debug: `Traceback (most recent call last):\n  File "odoo-stand-in", line 1, in <module>\n${this.pyName}: ${this.message}\n`,
    };
  }
}

const fault = {
  user: (msg: string) => new Fault('odoo.exceptions.UserError', msg, 422),
  validation: (msg: string) => new Fault('odoo.exceptions.ValidationError', msg, 422),
  missing: (msg: string) => new Fault('odoo.exceptions.MissingError', msg, 404),
  access: (msg: string) => new Fault('odoo.exceptions.AccessError', msg, 403),
  accessDenied: () => new Fault('odoo.exceptions.AccessDenied', 'Access Denied', 403),
  value: (msg: string) => new Fault('builtins.ValueError', msg, 500),
  type: (msg: string) => new Fault('builtins.TypeError', msg, 500),
  attribute: (msg: string) => new Fault('builtins.AttributeError', msg, 500),
  index: () => new Fault('builtins.IndexError', 'list index out of range', 500),
  name: (msg: string) => new Fault('builtins.NameError', msg, 500),
  // As libpq 14+ words it: Odoo opens the database JSON-RPC names inside the call.
  database: (db: string) =>
    new Fault(
      'psycopg2.OperationalError',
      `connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "${db}" does not exist\n`,
      500,
    ),
  notFound: (msg: string) => new Fault('werkzeug.exceptions.NotFound', msg, 404, true),
  unprocessable: (msg: string) =>
    new Fault('werkzeug.exceptions.UnprocessableEntity', msg, 422, true),
  badRequest: (msg: string) => new Fault('werkzeug.exceptions.BadRequest', msg, 400, true),
  unauthorized: (msg: string) => new Fault('werkzeug.exceptions.Unauthorized', msg, 401, true),
};

/** The forced failure of `failNext`, raised before the call runs. */
class ForcedHttp500 extends Error {}

// ---------------------------------------------------------------------------------------------
// Models and methods
// ---------------------------------------------------------------------------------------------

interface ModelState {
  name: string;
  fields: Map<string, StandInFieldType>;
  defaults: Record<string, unknown>;
  order: string;
  records: Map<number, StandInRecord>;
  nextId: number;
  relations: Map<string, StandInRelation>;
  unique: readonly (readonly string[])[];
  /** Refreshes stored computed and related fields of a record after any change to it. */
  compute?: (record: StandInRecord) => void;
  /** Non-stored computed fields: values for a list of records, worked out when they are read. */
  virtual?: {
    fields: ReadonlySet<string>;
    values: (records: readonly StandInRecord[]) => Map<number, Record<string, unknown>>;
  };
}

/** What the addon adds to a model beyond plain fields. */
type ModelBehaviour = Pick<ModelState, 'compute' | 'virtual'>;

/** How Odoo's `api.call_kw` sees a method: on the model, on records (ids first), or create. */
type MethodKind = 'model' | 'records' | 'create';

interface Invocation {
  protocol: StandInProtocol;
  model: ModelState;
  ids: number[];
  kw: Record<string, unknown>;
  context: Record<string, unknown>;
}

interface Outcome {
  result: unknown;
  recordCount: number;
}

interface MethodSpec {
  kind: MethodKind;
  /** Python parameter names after `self`, the first `required` of them without default. */
  params: readonly string[];
  required: number;
  /** Takes `**kwargs` (search_read passes them on to read, which then rejects strangers). */
  varKw?: boolean;
  run: (inv: Invocation) => Outcome;
}

/** Named arguments after binding, for one invocation. */
type Bound = Record<string, unknown>;

export class OdooStandIn {
  readonly serverVersion: 17 | 18 | 19;
  private readonly options: Required<
    Pick<StandInOptions, 'apiKey' | 'db' | 'login' | 'uid' | 'otherDbs' | 'listDb'>
  >;
  private readonly jsonRpcErrorCode: number;
  private readonly now: () => Date;
  private readonly server: http.Server;
  private readonly models = new Map<string, ModelState>();
  private readonly callLog: StandInCall[] = [];
  private readonly failures: StandInFailure[] = [];
  private listenPort: number;
  private started = false;
  private down = false;
  private delayMs = 0;
  private cost: Required<StandInCost> = { perCallMs: 0, perRecordMs: 0, workers: 1 };
  /** Model calls between their arrival and their answer, now and at the most, by method. */
  private readonly callsInProgress = new Map<string, number>();
  private readonly mostCallsInProgress = new Map<string, number>();
  private busyWorkers = 0;
  private readonly waitingForWorker: (() => void)[] = [];
  private authCount = 0;
  private readonly applied: AppliedReport[] = [];
  private commitHook: StandInCommitHook | undefined;
  // setDown may be called without awaiting; transitions still run one after the other.
  private transition: Promise<void> = Promise.resolve();

  constructor(options: StandInOptions = {}) {
    this.serverVersion = options.serverVersion ?? 19;
    this.options = {
      apiKey: options.apiKey ?? randomBytes(20).toString('hex'),
      db: options.db ?? 'gamedb',
      otherDbs: options.otherDbs ?? [],
      listDb: options.listDb ?? true,
      login: options.login ?? 'game-status-bot',
      uid: options.uid ?? 2,
    };
    this.jsonRpcErrorCode = options.jsonRpcErrorCode ?? (this.serverVersion >= 19 ? 0 : 200);
    this.now = options.now ?? (() => new Date());
    this.listenPort = options.port ?? 0;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Longer than any test's idle gap, so a kept-alive socket is not closed under a client.
    this.server.keepAliveTimeout = 30_000;
    this.declareModel(
      GAME_SERVER_MODEL,
      {
        fields: GAME_SERVER_FIELDS,
        defaults: {
          active: true,
          poll_interval: 0,
          is_online: false,
          consecutive_failures: 0,
          published: false,
          show_address: false,
        },
        relations: {
          open_outage_id: { model: GAME_SERVER_OUTAGE_MODEL },
          partner_id: { model: PARTNER_MODEL },
          tag_ids: { model: GAME_SERVER_TAG_MODEL },
        },
      },
      {
        compute: (server) => this.publicSlug(server),
        virtual: {
          fields: new Set(['peak_players_24h', 'uptime_24h', 'uptime_7d', 'uptime_30d']),
          values: (servers) => this.serverFigures(servers),
        },
      },
    );
    this.declareModel(
      GAME_SERVER_STAT_MODEL,
      {
        fields: STAT_FIELDS,
        order: 'bucket_start desc',
        relations: { server_id: SERVER_REF },
        unique: [['server_id', 'bucket_start']],
      },
      { compute: (stat) => this.computeStat(stat) },
    );
    this.declareModel(
      GAME_SERVER_OUTAGE_MODEL,
      {
        fields: OUTAGE_FIELDS,
        defaults: { state: 'open' },
        order: 'start desc',
        relations: { server_id: SERVER_REF },
      },
      { compute: (outage) => this.computeOutage(outage) },
    );
    this.declareModel(GAME_SERVER_DELETION_MODEL, {
      fields: { server_ref: 'integer', deleted_at: 'datetime' },
      order: 'deleted_at desc',
    });
    this.declareModel(GAME_SERVER_GAME_MODEL, {
      fields: { code: 'char', name: 'char' },
      order: 'name',
      unique: [['code']],
    });
    this.declareModel(GAME_SERVER_TAG_MODEL, {
      fields: { name: 'char', color: 'integer' },
      order: 'name',
      unique: [['name']],
    });
    // Contacts: only what a server's customer needs.
    this.declareModel(PARTNER_MODEL, {
      fields: { name: 'char', ref: 'char', is_company: 'boolean' },
      order: 'name',
    });
    this.declareModel(CONFIG_PARAMETER_MODEL, {
      fields: { key: 'char', value: 'text' },
      unique: [['key']],
    });
    // channel and event: what pending_deliveries answers with, seeded by the test.
    this.declareModel(NOTIFY_DELIVERY_MODEL, {
      fields: {
        state: 'char',
        attempts: 'integer',
        last_error: 'char',
        sent_at: 'datetime',
        channel: 'json',
        event: 'json',
      },
      defaults: { state: 'pending', attempts: 0 },
    });
  }

  get apiKey(): string {
    return this.options.apiKey;
  }

  get db(): string {
    return this.options.db;
  }

  get login(): string {
    return this.options.login;
  }

  get uid(): number {
    return this.options.uid;
  }

  /** The ODOO_* variables an app needs to reach this stand-in; valid after `start()`. */
  get clientEnv(): Record<'ODOO_URL' | 'ODOO_DB' | 'ODOO_LOGIN' | 'ODOO_API_KEY', string> {
    return {
      ODOO_URL: this.url,
      ODOO_DB: this.db,
      ODOO_LOGIN: this.login,
      ODOO_API_KEY: this.apiKey,
    };
  }

  /** Base URL, e.g. `http://127.0.0.1:40123`; valid after `start()`. */
  get url(): string {
    return `http://127.0.0.1:${this.listenPort}`;
  }

  /** Model calls received so far, oldest first. */
  get calls(): readonly StandInCall[] {
    return this.callLog;
  }

  /** Successful `common.authenticate` / `common.login` calls so far. */
  get authentications(): number {
    return this.authCount;
  }

  /** Listens on 127.0.0.1 and resolves with the base URL. */
  async start(): Promise<string> {
    await this.listen();
    this.started = true;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.transition;
    if (!this.started) return;
    this.started = false;
    if (!this.down) await this.closeListener();
    this.down = false;
  }

  /**
   * `true` closes the listener and every open connection, so clients see ECONNREFUSED (or a
   * reset mid-call); `false` listens again on the same port.
   */
  setDown(down: boolean): Promise<void> {
    const previous = this.transition.catch(() => undefined);
    this.transition = previous.then(async () => {
      if (!this.started || down === this.down) return;
      this.down = down;
      if (down) await this.closeListener();
      else await this.listen();
    });
    return this.transition;
  }

  /** Extra latency for every request, version probes and log-ins included. */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Most calls of `method` that were in progress at once (arrived, not yet answered). */
  mostAtOnce(method: string): number {
    return this.mostCallsInProgress.get(method) ?? 0;
  }

  setCost(cost: StandInCost): void {
    this.cost = {
      perCallMs: cost.perCallMs ?? 0,
      perRecordMs: cost.perRecordMs ?? 0,
      workers: Math.max(1, cost.workers ?? 1),
    };
  }

  /**
   * The next `n` model calls fail without running: `http500` with a bare HTML 500 (as a crashed
   * worker or a proxy answers), `access` with AccessError, `auth` with AccessDenied (JSON-RPC)
   * or 401 (JSON-2).
   */
  failNext(n: number, kind: StandInFailure): void {
    for (let i = 0; i < n; i++) this.failures.push(kind);
  }

  clearCalls(): void {
    this.callLog.length = 0;
  }

  /**
   * Runs `hook` after every successful model call, once its changes are in and before its
   * answer is sent: where a real Odoo has committed and the client still waits. `undefined`
   * removes it.
   */
  onCommit(hook: StandInCommitHook | undefined): void {
    this.commitHook = hook;
  }

  /** An `ir.config_parameter` value, as `get_param` answers it (`false` when unset). */
  param(key: string): string | false {
    return this.getParam(key);
  }

  /** Sets (or with `false`, removes) an `ir.config_parameter`, as `set_param` does. */
  setParam(key: string, value: string | number | false): void {
    this.putParam(key, value);
  }

  /** Every report `apply_status_reports` applied (not the ignored or missing ones), in order. */
  appliedReports(): readonly AppliedReport[] {
    return this.applied;
  }

  /** Forgets the applied reports kept so far, so a long benchmark does not hoard them. */
  clearAppliedReports(): void {
    this.applied.length = 0;
  }

  /** Declares a model, or empties and re-declares it; fields not listed are learnt from seeds. */
  defineModel(model: string, options: StandInModelOptions = {}): void {
    this.declareModel(model, options);
  }

  /** Inserts records as they are (an `id` is kept), declaring the model and new fields as needed. */
  seed(model: string, records: readonly Record<string, unknown>[]): number[] {
    if (!this.models.has(model)) this.defineModel(model);
    const state = this.model(model);
    for (const field of new Set(records.flatMap((r) => Object.keys(r)))) {
      if (!MAGIC_FIELDS.has(field) && !state.fields.has(field)) {
        state.fields.set(field, inferType(records.map((r) => r[field])));
      }
    }
    const ids: number[] = [];
    for (const vals of records) {
      const id = typeof vals['id'] === 'number' ? vals['id'] : state.nextId;
      state.nextId = Math.max(state.nextId, id + 1);
      const stamp = this.stamp();
      const record: StandInRecord = {
        ...this.withDefaults(state),
        ...normaliseVals(state, vals),
        create_date: typeof vals['create_date'] === 'string' ? vals['create_date'] : stamp,
        write_date: typeof vals['write_date'] === 'string' ? vals['write_date'] : stamp,
        id,
      };
      stampCatalog(state, record, stamp);
      state.compute?.(record);
      state.records.set(id, record);
      ids.push(id);
    }
    return ids;
  }

  /**
   * Copies of every record of `model`, archived ones included, by id; values as stored, so a
   * many2one is the bare id here (RPC reads answer `[id, name]`).
   */
  records(model: string): StandInRecord[] {
    return [...this.model(model).records.values()]
      .sort((a, b) => a.id - b.id)
      .map((r) => structuredClone(r));
  }

  // -------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.listenPort, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.listenPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private async closeListener(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    // Give clients in this process a moment to see their kept-alive sockets close, so their
    // next call opens a new connection and meets ECONNREFUSED rather than a stale socket.
    await sleep(20);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      if (this.delayMs > 0) await sleep(this.delayMs);
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const path = url.pathname;
      if (req.method === 'GET' && path === '/web/health') {
        const withDb = url.searchParams.has('db_server_status');
        return send(res, 200, { status: 'pass', ...(withDb && { db_server_status: true }) });
      }
      if (req.method === 'GET' && path === '/web/version' && this.serverVersion >= 19) {
        return send(res, 200, { version_info: this.versionInfo(), version: this.versionName() });
      }
      if (req.method === 'POST' && path === '/web/webclient/version_info') {
        const id = asRecord(tryJson(body))?.['id'] ?? null;
        return send(res, 200, { jsonrpc: '2.0', id, result: this.versionResult() });
      }
      if (req.method === 'POST' && path === '/web/database/list') {
        const id = asRecord(tryJson(body))?.['id'] ?? null;
        try {
          return send(res, 200, { jsonrpc: '2.0', id, result: this.databaseList() });
        } catch (err) {
          return send(res, 200, { jsonrpc: '2.0', id, error: this.jsonRpcError(asFault(err)) });
        }
      }
      if (req.method === 'POST' && path === '/jsonrpc')
        return await this.handleJsonRpc(req, body, res);
      if (path.startsWith('/json/2') && this.serverVersion >= 19) {
        return await this.handleJson2(req, path, body, res);
      }
      return sendHtml(res, 404, '404: Not Found');
    } catch (err) {
      return sendHtml(res, 500, `500: Internal Server Error (${String(err)})`);
    }
  }

  private async handleJsonRpc(
    req: http.IncomingMessage,
    raw: string,
    res: http.ServerResponse,
  ): Promise<void> {
    const request = asRecord(tryJson(raw));
    const id = request?.['id'] ?? null;
    const params = asRecord(request?.['params']);
    const service = params?.['service'];
    const method = params?.['method'];
    const args = Array.isArray(params?.['args']) ? (params['args'] as unknown[]) : [];
    const reply = (result: unknown) => send(res, 200, { jsonrpc: '2.0', id, result });
    const replyFault = (f: Fault) =>
      send(res, 200, { jsonrpc: '2.0', id, error: this.jsonRpcError(f) });

    if (!request) return replyFault(fault.badRequest('Invalid JSON data'));
    if (service === 'common' || service === 'db') {
      try {
        return reply(
          service === 'db' ? this.dbService(String(method)) : this.common(String(method), args),
        );
      } catch (err) {
        return replyFault(asFault(err));
      }
    }
    if (service !== 'object') return replyFault(fault.name(`Service ${String(service)} not found`));
    if (method !== 'execute_kw' && method !== 'execute') {
      return replyFault(fault.name(`Method not available ${String(method)}`));
    }

    const [db, uid, password, model, name, ...rest] = args;
    const modelName = String(model);
    const methodName = String(name);
    const positional = method === 'execute_kw' ? asArray(rest[0]) : rest;
    const kwargs = method === 'execute_kw' ? { ...asRecord(rest[1]) } : {};
    const entry = this.logCall('jsonrpc', modelName, methodName, req);
    const done = this.inProgress(methodName);
    try {
      this.takeFailure('jsonrpc');
      if (db !== this.db) throw fault.database(String(db));
      if (uid !== this.uid || password !== this.apiKey) throw fault.accessDenied();
      const outcome = this.executeKw(modelName, methodName, positional, kwargs, entry);
      await this.charge(outcome.recordCount);
      entry.ok = true;
      if (await this.committed(entry, res)) return;
      return reply(outcome.result);
    } catch (err) {
      await this.charge(entry.recordCount);
      if (err instanceof ForcedHttp500) return sendHtml(res, 500, '500: Internal Server Error');
      return replyFault(asFault(err));
    } finally {
      done();
    }
  }

  private async handleJson2(
    req: http.IncomingMessage,
    path: string,
    raw: string,
    res: http.ServerResponse,
  ): Promise<void> {
    const replyFault = (f: Fault) =>
      send(res, f.status, f.body(), f.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
    // Odoo picks the database before any route, and without one no JSON-2 route exists: its
    // answer is werkzeug's bare 404 page, not the JSON of an unknown model.
    const dbHeader = req.headers['x-odoo-database'];
    if (dbHeader !== undefined && dbHeader !== this.db) return sendHtml(res, 404, '404 Not Found');
    const match = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match || req.method !== 'POST') {
      return replyFault(fault.notFound('Did you mean POST /json/2/<model>/<method>?'));
    }
    const model = decodeURIComponent(match[1] ?? '');
    const method = decodeURIComponent(match[2] ?? '');
    const entry = this.logCall('json2', model, method, req);
    const done = this.inProgress(method);
    try {
      this.takeFailure('json2');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
      if (raw.length > 0 && contentType !== 'application/json') {
        throw fault.badRequest(
          "State-changing json2 requests must use the 'application/json' Content-Type.",
        );
      }
      const token = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (token === undefined) throw fault.unauthorized('Missing bearer API key');
      if (token !== this.apiKey) throw fault.unauthorized('Invalid apikey');
      let parsed: unknown = {};
      if (raw.length > 0) {
        try {
          parsed = JSON.parse(raw);
        } catch (err) {
          throw fault.badRequest(`could not parse the body as json: ${(err as Error).message}`);
        }
      }
      const body = asRecord(parsed);
      if (!body) throw fault.badRequest('the body must be a JSON object');
      const outcome = this.json2(model, method, body, entry);
      await this.charge(outcome.recordCount);
      entry.ok = true;
      if (await this.committed(entry, res)) return;
      return send(res, 200, outcome.result);
    } catch (err) {
      await this.charge(entry.recordCount);
      if (err instanceof ForcedHttp500) return sendHtml(res, 500, '500: Internal Server Error');
      return replyFault(asFault(err));
    } finally {
      done();
    }
  }

  /** Counts a call of `method` as in progress until the returned function is called. */
  private inProgress(method: string): () => void {
    const now = (this.callsInProgress.get(method) ?? 0) + 1;
    this.callsInProgress.set(method, now);
    this.mostCallsInProgress.set(method, Math.max(now, this.mostCallsInProgress.get(method) ?? 0));
    return () => this.callsInProgress.set(method, (this.callsInProgress.get(method) ?? 1) - 1);
  }

  private common(method: string, args: unknown[]): unknown {
    switch (method) {
      case 'version':
        return this.versionResult();
      case 'login':
      case 'authenticate': {
        const [db, login, password] = args;
        if (db !== this.db) throw fault.database(String(db));
        // Odoo answers bad credentials here with `false`, not with an error.
        if (login !== this.login || password !== this.apiKey) return false;
        this.authCount++;
        return this.uid;
      }
      default:
        throw fault.attribute(`module 'odoo.service.common' has no attribute 'exp_${method}'`);
    }
  }

  /** The `db` service: only `list` is served here. */
  private dbService(method: string): unknown {
    if (method === 'list') return this.databaseList();
    throw fault.attribute(`module 'odoo.service.db' has no attribute 'exp_${method}'`);
  }

  /** The databases Odoo lists, sorted by name as PostgreSQL gives them; refused without list_db. */
  private databaseList(): string[] {
    if (!this.options.listDb) throw fault.accessDenied();
    return [this.db, ...this.options.otherDbs].sort();
  }

  private jsonRpcError(f: Fault): Record<string, unknown> {
    return { code: this.jsonRpcErrorCode, message: 'Odoo Server Error', data: f.body() };
  }

  private takeFailure(protocol: StandInProtocol): void {
    const failure = this.failures.shift();
    switch (failure) {
      case undefined:
        return;
      case 'http500':
        throw new ForcedHttp500();
      case 'access':
        throw fault.access("You are not allowed to access 'Game Server' (game.server) records.");
      case 'auth':
        throw protocol === 'json2' ? fault.unauthorized('Invalid apikey') : fault.accessDenied();
    }
  }

  private logCall(
    protocol: StandInProtocol,
    model: string,
    method: string,
    req: http.IncomingMessage,
  ): StandInCall {
    const entry: StandInCall = { protocol, model, method, recordCount: 0, ok: false };
    const userAgent = req.headers['user-agent'];
    if (userAgent !== undefined) entry.userAgent = userAgent;
    this.callLog.push(entry);
    return entry;
  }

  /** Runs the commit hook; true when it hung up, so no answer must be sent. */
  private async committed(entry: StandInCall, res: http.ServerResponse): Promise<boolean> {
    if (!this.commitHook) return false;
    let hungUp = false;
    await this.commitHook(entry, {
      hangUp: () => {
        hungUp = true;
        res.socket?.destroy();
      },
    });
    return hungUp;
  }

  /** Charges the cost model's time, queueing behind the other calls for a worker. */
  private async charge(recordCount: number): Promise<void> {
    const ms = this.cost.perCallMs + this.cost.perRecordMs * recordCount;
    if (ms <= 0) return;
    if (this.busyWorkers >= this.cost.workers) {
      await new Promise<void>((resolve) => this.waitingForWorker.push(resolve));
    } else {
      this.busyWorkers++;
    }
    try {
      await sleep(ms);
    } finally {
      const next = this.waitingForWorker.shift();
      // Hand the worker straight to the next call, or free it.
      if (next) next();
      else this.busyWorkers--;
    }
  }

  private versionInfo(): (number | string)[] {
    return [this.serverVersion, 0, 0, 'final', 0, ''];
  }

  private versionName(): string {
    return `${this.serverVersion}.0`;
  }

  private versionResult(): Record<string, unknown> {
    return {
      server_version: this.versionName(),
      server_version_info: this.versionInfo(),
      server_serie: this.versionName(),
      protocol_version: 1,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Dispatch: binding arguments the way Odoo's call_kw (JSON-RPC) and JSON-2 controller do
  // -------------------------------------------------------------------------------------------

  private executeKw(
    modelName: string,
    method: string,
    args: unknown[],
    kwargs: Record<string, unknown>,
    entry: StandInCall,
  ): Outcome {
    const model = this.models.get(modelName);
    if (!model) throw fault.user(`Object ${modelName} doesn't exist`);
    const spec = this.method(model, method, 'jsonrpc');
    const context = asRecord(kwargs['context']) ?? {};
    delete kwargs['context'];

    let ids: number[] = [];
    let positional = args;
    if (spec.kind !== 'model') {
      if (args.length === 0) throw fault.index();
      if (spec.kind === 'records') {
        ids = toIds(args[0]);
        positional = args.slice(1);
      }
    }
    const fn = `${method}()`;
    if (positional.length > spec.params.length) {
      throw fault.type(
        `${fn} takes ${spec.params.length + 1} positional arguments but ${positional.length + 1} were given`,
      );
    }
    const bound: Bound = {};
    spec.params.forEach((p, i) => {
      if (i < positional.length) bound[p] = positional[i];
    });
    for (const [key, value] of Object.entries(kwargs)) {
      if (key in bound) throw fault.type(`${fn} got multiple values for argument '${key}'`);
      if (!spec.params.includes(key) && !spec.varKw) {
        throw fault.type(`${fn} got an unexpected keyword argument '${key}'`);
      }
      bound[key] = value;
    }
    const absent = spec.params.slice(0, spec.required).find((p) => !(p in bound));
    if (absent) throw fault.type(`${fn} missing 1 required positional argument: '${absent}'`);
    return this.run(spec, { protocol: 'jsonrpc', model, ids, kw: bound, context }, entry);
  }

  private json2(
    modelName: string,
    method: string,
    body: Record<string, unknown>,
    entry: StandInCall,
  ): Outcome {
    const model = this.models.get(modelName);
    if (!model) throw fault.notFound(`the model '${modelName}' does not exist`);
    const spec = this.method(model, method, 'json2');
    const { ids: rawIds, context: rawContext, ...kwargs } = body;
    const ids = rawIds === undefined ? [] : toIds(rawIds);
    if (spec.kind !== 'records' && ids.length > 0) {
      throw fault.unprocessable(`cannot call ${modelName}.${method} with ids`);
    }
    // The controller binds the signature before calling; a stranger is 422 unless **kwargs.
    for (const key of Object.keys(kwargs)) {
      if (!spec.params.includes(key) && !spec.varKw) {
        throw fault.unprocessable(`got an unexpected keyword argument '${key}'`);
      }
    }
    const absent = spec.params.slice(0, spec.required).find((p) => !(p in kwargs));
    if (absent) throw fault.unprocessable(`missing a required argument: '${absent}'`);
    const context = asRecord(rawContext) ?? {};
    return this.run(spec, { protocol: 'json2', model, ids, kw: kwargs, context }, entry);
  }

  private run(spec: MethodSpec, inv: Invocation, entry: StandInCall): Outcome {
    entry.recordCount = inputCount(spec, inv);
    const appliedBefore = this.applied.length;
    const outcome = spec.run(inv);
    entry.recordCount = outcome.recordCount;
    if (this.applied.length > appliedBefore) entry.applied = this.applied.slice(appliedBefore);
    return outcome;
  }

  private method(model: ModelState, method: string, protocol: StandInProtocol): MethodSpec {
    if (method.startsWith('_')) {
      // Odoo 17 names only the method; 18 and later name model and method.
      const example = this.serverVersion >= 18 ? `'${model.name}.${method}'` : method;
      throw fault.access(`Private methods (such as ${example}) cannot be called remotely.`);
    }
    const spec = this.methodTable(model)[method];
    if (spec) return spec;
    if (protocol === 'json2')
      throw fault.notFound(`The method '${model.name}.${method}' does not exist`);
    throw fault.attribute(
      this.serverVersion >= 19
        ? `The method '${model.name}.${method}' does not exist`
        : `The method '${method}' does not exist on the model '${model.name}'`,
    );
  }

  private methodTable(model: ModelState): Record<string, MethodSpec | undefined> {
    const table: Record<string, MethodSpec | undefined> = {
      search_read: {
        kind: 'model',
        params: ['domain', 'fields', 'offset', 'limit', 'order'],
        required: 0,
        varKw: true,
        run: ({ model: m, kw, context }) => {
          const extra = Object.keys(kw).find(
            (k) => !['domain', 'fields', 'offset', 'limit', 'order', 'load'].includes(k),
          );
          if (extra) throw fault.type(`read() got an unexpected keyword argument '${extra}'`);
          const found = this.search(m, kw['domain'], context, kw);
          const fields = checkFields(m, kw['fields']);
          return { result: this.project(m, found, fields), recordCount: found.length };
        },
      },
      search: {
        kind: 'model',
        params: ['domain', 'offset', 'limit', 'order'],
        required: 1,
        run: ({ model: m, kw, context }) => {
          const found = this.search(m, kw['domain'], context, kw);
          return { result: found.map((r) => r.id), recordCount: found.length };
        },
      },
      search_count: {
        kind: 'model',
        params: ['domain', 'limit'],
        required: 1,
        run: ({ model: m, kw, context }) => {
          const count = this.search(m, kw['domain'], context, { limit: kw['limit'] }).length;
          return { result: count, recordCount: 0 };
        },
      },
      read: {
        kind: 'records',
        params: ['fields', 'load'],
        required: 0,
        run: ({ model: m, ids, kw }) => {
          const fields = checkFields(m, kw['fields']);
          const found = this.browse(m, ids);
          return { result: this.project(m, found, fields), recordCount: found.length };
        },
      },
      create: {
        kind: 'create',
        params: ['vals_list'],
        required: 1,
        run: ({ protocol, model: m, kw }) => {
          const single = asRecord(kw['vals_list']);
          const list = single ? [single] : asArray(kw['vals_list']).map(asRecord);
          if (list.some((v) => v === undefined)) {
            throw fault.type('create() expects a dict or a list of dicts');
          }
          const ids = this.create(m, list as Record<string, unknown>[]);
          // execute_kw gives a bare id for a single dict; JSON-2 turns every recordset into ids.
          const bare = single && protocol === 'jsonrpc';
          return { result: bare ? ids[0] : ids, recordCount: ids.length };
        },
      },
      write: {
        kind: 'records',
        params: ['vals'],
        required: 1,
        run: ({ model: m, ids, kw }) => {
          const vals = asRecord(kw['vals']);
          if (!vals) throw fault.type("write() argument 'vals' must be a dict");
          this.write(m, ids, vals);
          return { result: true, recordCount: ids.length };
        },
      },
      unlink: {
        kind: 'records',
        params: [],
        required: 0,
        run: ({ model: m, ids }) => {
          this.unlink(m, ids);
          return { result: true, recordCount: ids.length };
        },
      },
      fields_get: {
        kind: 'model',
        params: ['allfields', 'attributes'],
        required: 0,
        run: ({ model: m, kw }) => ({ result: fieldsGet(m, kw), recordCount: 0 }),
      },
      // Deprecated on 19 but still there; formatted_read_group replaces it (below).
      read_group: {
        kind: 'model',
        params: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'],
        required: 3,
        run: ({ model: m, kw, context }) => {
          const rows = this.readGroup(m, kw, context);
          return { result: rows, recordCount: rows.length };
        },
      },
    };
    if (this.serverVersion >= 19) {
      table['formatted_read_group'] = {
        kind: 'model',
        params: ['domain', 'groupby', 'aggregates', 'having', 'offset', 'limit', 'order'],
        required: 1,
        run: ({ model: m, kw, context }) => {
          const rows = this.formattedReadGroup(m, kw, context);
          return { result: rows, recordCount: rows.length };
        },
      };
    }
    if (model.name === GAME_SERVER_MODEL) {
      table['public_status'] = {
        kind: 'model',
        params: [],
        required: 0,
        run: ({ model: m }) => {
          const result = this.publicStatus(m);
          return { result, recordCount: result.servers.length };
        },
      };
      table['apply_status_reports'] = {
        kind: 'model',
        params: ['reports'],
        required: 1,
        run: ({ model: m, kw }) => {
          const reports = asArray(kw['reports']);
          return { result: this.applyStatusReports(m, reports), recordCount: reports.length };
        },
      };
    }
    if (model.name === GAME_SERVER_GAME_MODEL) {
      table['sync_games'] = {
        kind: 'model',
        params: ['games'],
        required: 1,
        run: ({ model: m, kw }) => {
          const games = asArray(kw['games']);
          return { result: this.syncGames(m, games), recordCount: games.length };
        },
      };
    }
    if (model.name === PARTNER_MODEL) {
      // The addon's way for the service to make customers (it may not create contacts itself).
      table['game_server_create_customers'] = {
        kind: 'model',
        params: ['names'],
        required: 1,
        run: ({ model: m, kw }) => {
          const names = asArray(kw['names']);
          if (!names.every((n) => typeof n === 'string' && n.trim() !== '' && n.length <= 200)) {
            throw fault.validation('names must be a list of at most 500 non-empty names');
          }
          const unique = [...new Set((names as string[]).map((n) => n.trim()))];
          const ids = this.create(
            m,
            unique.map((name) => ({ name, is_company: true })),
          );
          return {
            result: Object.fromEntries(unique.map((name, i) => [name, ids[i]])),
            recordCount: unique.length,
          };
        },
      };
    }
    if (model.name === NOTIFY_DELIVERY_MODEL) {
      table['pending_deliveries'] = {
        kind: 'model',
        params: ['after_id', 'limit', 'delivery_ids'],
        required: 0,
        run: ({ model: m, kw }) => {
          const result = this.pendingDeliveries(m, kw);
          return { result, recordCount: result.length };
        },
      };
      table['report_deliveries'] = {
        kind: 'model',
        params: ['results'],
        required: 1,
        run: ({ model: m, kw }) => {
          const results = asArray(kw['results']);
          return { result: this.reportDeliveries(m, results), recordCount: results.length };
        },
      };
    }
    if (model.name === CONFIG_PARAMETER_MODEL) {
      table['get_param'] = {
        kind: 'model',
        params: ['key', 'default'],
        required: 1,
        run: ({ kw }) => {
          const value = this.getParam(String(kw['key']));
          return { result: value === false ? (kw['default'] ?? false) : value, recordCount: 0 };
        },
      };
      table['set_param'] = {
        kind: 'model',
        params: ['key', 'value'],
        required: 2,
        run: ({ kw }) => {
          const value = kw['value'];
          const previous = this.putParam(
            String(kw['key']),
            typeof value === 'string' || typeof value === 'number' ? value : false,
          );
          return { result: previous, recordCount: 1 };
        },
      };
    }
    return table;
  }

  // -------------------------------------------------------------------------------------------
  // ORM
  // -------------------------------------------------------------------------------------------

  private model(name: string): ModelState {
    const state = this.models.get(name);
    if (!state) throw new Error(`OdooStandIn: no model ${name}; seed() or defineModel() it first`);
    return state;
  }

  private search(
    model: ModelState,
    domain: unknown,
    context: Record<string, unknown>,
    kw: { offset?: unknown; limit?: unknown; order?: unknown },
  ): StandInRecord[] {
    const leaves = domain === undefined || domain === null || domain === false ? [] : domain;
    const matches = compileDomain(model, leaves);
    // active_test: archived records stay hidden unless asked for, as in Odoo.
    const hideArchived =
      model.fields.has('active') &&
      context['active_test'] !== false &&
      !mentionsField(leaves, 'active');
    const sorted = [...model.records.values()]
      .filter((r) => (!hideArchived || r['active'] !== false) && matches(r))
      .sort(comparator(model, typeof kw.order === 'string' && kw.order ? kw.order : model.order));
    const offset = typeof kw.offset === 'number' ? kw.offset : 0;
    const limit = typeof kw.limit === 'number' ? kw.limit : undefined;
    return sorted.slice(offset, limit === undefined ? undefined : offset + limit);
  }

  private browse(model: ModelState, ids: readonly number[]): StandInRecord[] {
    const missing = ids.filter((id) => !model.records.has(id));
    if (missing.length > 0) {
      throw fault.missing(
        `Record does not exist or has been deleted.\n(Record: ${model.name}(${missing.join(', ')},), User: ${this.uid})`,
      );
    }
    return ids.map((id) => model.records.get(id) as StandInRecord);
  }

  /** `knownUnique`: the caller already knows no unique constraint can break (it saves a scan). */
  private create(
    model: ModelState,
    valsList: readonly Record<string, unknown>[],
    knownUnique = false,
  ): number[] {
    // Check everything first: the call is one transaction, so it lands whole or not at all.
    const stamp = this.stamp();
    const records = valsList.map((vals): StandInRecord => {
      const record: StandInRecord = {
        ...this.withDefaults(model),
        ...normaliseVals(model, vals, true),
        id: 0,
        create_date: stamp,
        write_date: stamp,
      };
      stampCatalog(model, record, stamp);
      model.compute?.(record);
      return record;
    });
    if (!knownUnique) checkUnique(model, records);
    return records.map((record) => {
      record.id = model.nextId++;
      model.records.set(record.id, record);
      return record.id;
    });
  }

  private write(model: ModelState, ids: readonly number[], vals: Record<string, unknown>): void {
    const normalised = normaliseVals(model, vals, true);
    const records = this.browse(model, ids);
    const changed = records.map((record) => {
      const next: StandInRecord = { ...record, ...normalised };
      model.compute?.(next);
      return next;
    });
    checkUnique(model, changed);
    const stamp = this.stamp();
    const catalogChange =
      model.name === GAME_SERVER_MODEL &&
      Object.keys(vals).some((field) => CATALOG_FIELDS.has(field));
    changed.forEach((next, i) =>
      Object.assign(records[i] as StandInRecord, next, {
        write_date: stamp,
        ...(catalogChange && { catalog_write_date: stamp }),
      }),
    );
    // Stored related fields (e.g. a stat's game) follow the records they point to.
    for (const other of this.pointingAt(model, new Set(ids))) {
      for (const record of other.records) other.model.compute?.(record);
    }
  }

  /**
   * Deletes records as the ORM does: what points at them with ondelete cascade goes too, other
   * many2one fields pointing at them are emptied. Deleting game servers also logs each id in
   * game.server.deletion, as the addon's unlink() does.
   */
  private unlink(model: ModelState, ids: readonly number[]): void {
    this.browse(model, ids);
    for (const id of ids) model.records.delete(id);
    const gone = new Set(ids);
    for (const { model: other, field, relation, records } of this.pointingAt(model, gone)) {
      if (other.fields.get(field) === 'many2many') {
        // The ORM drops the rows of the relation table.
        for (const record of records) {
          record[field] = (record[field] as number[]).filter((id) => !gone.has(id));
        }
      } else if (relation.ondelete === 'cascade') {
        this.unlink(
          other,
          records.map((r) => r.id),
        );
      } else {
        for (const record of records) record[field] = false;
      }
    }
    if (model.name === GAME_SERVER_MODEL && ids.length > 0) {
      const deletedAt = this.stamp();
      this.create(
        this.model(GAME_SERVER_DELETION_MODEL),
        ids.map((id) => ({ server_ref: id, deleted_at: deletedAt })),
      );
    }
  }

  /** Records of every model whose many2one points at one of `ids` of `target`. */
  private pointingAt(
    target: ModelState,
    ids: ReadonlySet<number>,
  ): { model: ModelState; field: string; relation: StandInRelation; records: StandInRecord[] }[] {
    const found = [];
    for (const model of this.models.values()) {
      for (const [field, relation] of model.relations) {
        if (relation.model !== target.name) continue;
        const records = [...model.records.values()].filter((r) => {
          const value = r[field];
          return Array.isArray(value)
            ? value.some((id) => ids.has(id as number))
            : ids.has(value as number);
        });
        if (records.length > 0) found.push({ model, field, relation, records });
      }
    }
    return found;
  }

  /** Records as `read` answers them: many2one as `[id, name]`, non-stored fields computed. */
  private project(
    model: ModelState,
    records: readonly StandInRecord[],
    fields: readonly string[] | undefined,
  ): Record<string, unknown>[] {
    const names = fields ?? [...model.fields.keys(), ...MAGIC_FIELDS];
    const virtual = model.virtual;
    const computed =
      virtual && names.some((f) => virtual.fields.has(f)) ? virtual.values(records) : undefined;
    return records.map((record) => {
      const out: Record<string, unknown> = { id: record.id };
      for (const field of names) {
        if (computed && virtual?.fields.has(field)) {
          out[field] = computed.get(record.id)?.[field] ?? false;
          continue;
        }
        const value = record[field];
        const relation = model.relations.get(field);
        out[field] =
          relation && typeof value === 'number'
            ? [value, this.displayName(relation.model, value)]
            : structuredClone(value);
      }
      return out;
    });
  }

  /** Odoo's display name: the `name` field, else `<model>,<id>`. */
  private displayName(model: string, id: number): string {
    const name = this.models.get(model)?.records.get(id)?.['name'];
    return typeof name === 'string' && name !== '' ? name : `${model},${id}`;
  }

  private withDefaults(model: ModelState): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, type] of model.fields) out[field] = emptyValue(type);
    return { ...out, ...structuredClone(model.defaults) };
  }

  private stamp(): string {
    return toStamp(this.now().getTime());
  }

  private declareModel(
    model: string,
    options: StandInModelOptions,
    behaviour: ModelBehaviour = {},
  ): void {
    const fields = new Map(Object.entries(options.fields ?? {}));
    for (const [field, value] of Object.entries(options.defaults ?? {})) {
      if (!fields.has(field)) fields.set(field, inferType([value]));
    }
    this.models.set(model, {
      name: model,
      fields,
      defaults: { ...options.defaults },
      order: options.order ?? 'id',
      records: new Map(),
      nextId: 1,
      relations: new Map(Object.entries(options.relations ?? {})),
      unique: options.unique ?? [],
      ...behaviour,
    });
  }

  // -------------------------------------------------------------------------------------------
  // ir.config_parameter
  // -------------------------------------------------------------------------------------------

  private getParam(key: string): string | false {
    const found = this.paramRecord(key);
    return typeof found?.['value'] === 'string' ? found['value'] : false;
  }

  /** Odoo's set_param: an empty value removes the parameter; answers the previous value. */
  private putParam(key: string, value: string | number | false): string | false {
    const model = this.model(CONFIG_PARAMETER_MODEL);
    const previous = this.getParam(key);
    const found = this.paramRecord(key);
    if (value === false || value === '') {
      if (found) this.unlink(model, [found.id]);
    } else if (found) {
      this.write(model, [found.id], { value: String(value) });
    } else {
      this.create(model, [{ key, value: String(value) }]);
    }
    return previous;
  }

  private paramRecord(key: string): StandInRecord | undefined {
    return [...this.model(CONFIG_PARAMETER_MODEL).records.values()].find((r) => r['key'] === key);
  }

  /** A positive whole-number setting; the default when unset or unusable, as the addon reads it. */
  private setting(which: keyof typeof ADDON_SETTINGS): number {
    const { key, default: fallback } = ADDON_SETTINGS[which];
    const value = Number(this.getParam(key));
    return Number.isInteger(value) && value > 0 ? value : fallback;
  }

  // -------------------------------------------------------------------------------------------
  // The addon's notifier methods
  // -------------------------------------------------------------------------------------------

  /** Mirrors game.server.notify.delivery.pending_deliveries. */
  private pendingDeliveries(model: ModelState, kw: Record<string, unknown>): unknown[] {
    const after = typeof kw['after_id'] === 'number' ? kw['after_id'] : 0;
    const limit = typeof kw['limit'] === 'number' ? Math.min(kw['limit'], 500) : 500;
    const ids = Array.isArray(kw['delivery_ids'])
      ? new Set(kw['delivery_ids'] as unknown[])
      : undefined;
    return [...model.records.values()]
      .filter(
        (d) =>
          d['state'] === 'pending' &&
          d.id > after &&
          (!ids || ids.has(d.id)) &&
          // E-mail channels are sent by Odoo's own mail queue, never by the notifier.
          asRecord(d['channel'])?.['kind'] !== 'email',
      )
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((d) => ({
        id: d.id,
        attempts: d['attempts'],
        channel: d['channel'],
        event: d['event'],
      }));
  }

  /** Mirrors game.server.notify.delivery.report_deliveries: a delivery no longer pending is kept. */
  private reportDeliveries(
    model: ModelState,
    raw: readonly unknown[],
  ): { written: number; missing: number[] } {
    const results = raw.map((item, index) => {
      const r = asRecord(item);
      const state = r?.['state'];
      if (
        !r ||
        typeof r['id'] !== 'number' ||
        (state !== 'sent' && state !== 'failed' && state !== 'pending') ||
        typeof r['attempts'] !== 'number' ||
        typeof r['at'] !== 'string' ||
        !DATETIME.test(r['at'])
      ) {
        throw fault.validation(`Malformed results (nothing was written):\nresults[${index}]`);
      }
      return r as { id: number; state: string; attempts: number; error?: unknown; at: string };
    });
    let written = 0;
    const missing: number[] = [];
    for (const r of results) {
      const delivery = model.records.get(r.id);
      if (!delivery) {
        missing.push(r.id);
        continue;
      }
      if (delivery['state'] !== 'pending') continue;
      this.write(model, [r.id], {
        state: r.state,
        attempts: Math.max(Number(delivery['attempts']), r.attempts),
        last_error: typeof r.error === 'string' ? r.error : false,
        sent_at: r.state === 'sent' ? r.at : false,
      });
      written += 1;
    }
    return { written, missing: [...new Set(missing)].sort((a, b) => a - b) };
  }

  // -------------------------------------------------------------------------------------------
  // The addon: apply_status_reports, stat buckets, outages, figures, games
  // -------------------------------------------------------------------------------------------

  /**
   * Mirrors the addon's `game.server.game.sync_games`: creates the games not known by code,
   * renames the others, keeps the unlisted ones; a malformed entry rejects the whole batch.
   */
  private syncGames(
    model: ModelState,
    raw: readonly unknown[],
  ): { created: number; renamed: number } {
    const names = new Map<string, string>();
    raw.forEach((item, index) => {
      const game = asRecord(item);
      const code = game?.['code'];
      const name = game?.['name'];
      if (typeof code !== 'string' || code === '' || typeof name !== 'string' || !name.trim()) {
        throw fault.validation(
          `Malformed games (nothing was written):\ngames[${index}]: expected {code, name}`,
        );
      }
      names.set(code, name.trim());
    });
    const byCode = new Map([...model.records.values()].map((r) => [r['code'], r]));
    let renamed = 0;
    for (const [code, name] of names) {
      const game = byCode.get(code);
      if (game && game['name'] !== name) {
        this.write(model, [game.id], { name });
        renamed += 1;
      }
    }
    const created = [...names].filter(([code]) => !byCode.has(code));
    this.create(
      model,
      created.map(([code, name]) => ({ code, name })),
      true,
    );
    return { created: created.length, renamed };
  }

  /**
   * Mirrors the addon's `game.server.apply_status_reports`: per server, reports in check-time
   * order; a report not newer than the server's last one is ignored (so a replay changes
   * nothing) and counts nowhere; unknown or deleted servers are listed as missing. Each applied
   * report also lands in its server's stat bucket, and may open or close an outage. One
   * transaction: every report is checked before anything is written.
   */
  private applyStatusReports(model: ModelState, raw: readonly unknown[]): ApplyStatusReportsResult {
    const now = this.now().getTime();
    const reports = raw.map((item, i) => parseReport(item, i, now));
    const byServer = new Map<number, ParsedReport[]>();
    for (const report of reports) {
      const list = byServer.get(report.serverId) ?? [];
      list.push(report);
      byServer.set(report.serverId, list);
    }
    const result: ApplyStatusReportsResult = {
      applied: 0,
      ignored: 0,
      missing: [],
      outages_opened: 0,
      outages_closed: 0,
    };
    const buckets = new StatBuckets(
      this.model(GAME_SERVER_STAT_MODEL),
      new Set(byServer.keys()),
      this.setting('bucketMinutes'),
      // The buckets looked the row up first: it is new.
      (vals) => this.create(this.model(GAME_SERVER_STAT_MODEL), [vals], true)[0] as number,
    );
    const threshold = this.setting('outageThreshold');
    const stamp = this.stamp();
    for (const [serverId, list] of byServer) {
      const server = model.records.get(serverId);
      if (!server) {
        result.missing.push(serverId);
        continue;
      }
      list.sort((a, b) => a.reportMs - b.reportMs);
      for (const report of list) {
        const last = server['last_report_ms'];
        if (typeof last === 'number' && report.reportMs <= last) {
          result.ignored++;
          continue;
        }
        Object.assign(server, reportValues(report, server), {
          last_report_ms: report.reportMs,
          write_date: stamp,
        });
        buckets.count(serverId, report);
        this.trackOutage(server, report, threshold, result);
        this.applied.push(report.raw as AppliedReport);
        result.applied++;
      }
    }
    return result;
  }

  /**
   * A failing run starts at its first failed poll (`failing_since`); its Nth consecutive
   * failure opens an outage from that start; the first online report closes it.
   */
  private trackOutage(
    server: StandInRecord,
    report: ParsedReport,
    threshold: number,
    result: ApplyStatusReportsResult,
  ): void {
    const outages = this.model(GAME_SERVER_OUTAGE_MODEL);
    const open = typeof server['open_outage_id'] === 'number' ? server['open_outage_id'] : null;
    if (report.online) {
      server['failing_since'] = false;
      if (open !== null) {
        this.write(outages, [open], { end: report.checkedAt });
        server['open_outage_id'] = false;
        result.outages_closed++;
      }
      return;
    }
    if (server['failing_since'] === false) server['failing_since'] = report.checkedAt;
    if (open === null && (server['consecutive_failures'] as number) >= threshold) {
      const [id] = this.create(outages, [
        {
          server_id: server.id,
          start: server['failing_since'],
          reason: [report.raw['error_code'], report.raw['error_message']]
            .filter((part) => typeof part === 'string' && part !== '')
            .join(': '),
        },
      ]);
      server['open_outage_id'] = id;
      result.outages_opened++;
    }
  }

  /** A stat row's related and stored computed fields. */
  private computeStat(stat: StandInRecord): void {
    const polls = stat['polls'] as number;
    const online = stat['polls_online'] as number;
    stat['game'] = this.serverGame(stat['server_id']);
    stat['players_avg'] = online > 0 ? (stat['players_sum'] as number) / online : 0;
    stat['latency_avg'] = online > 0 ? (stat['latency_sum'] as number) / online : 0;
    stat['uptime_pct'] = polls > 0 ? (100 * online) / polls : 0;
  }

  private computeOutage(outage: StandInRecord): void {
    const { start, end } = outage;
    outage['game'] = this.serverGame(outage['server_id']);
    outage['state'] = end === false ? 'open' : 'closed';
    outage['duration_s'] =
      typeof start === 'string' && typeof end === 'string'
        ? Math.round((stampMs(end) - stampMs(start)) / 1000)
        : 0;
  }

  private serverGame(serverId: unknown): unknown {
    if (typeof serverId !== 'number') return false;
    return this.models.get(GAME_SERVER_MODEL)?.records.get(serverId)?.['game'] ?? false;
  }

  /** Mirrors the addon: a server published without a public name gets one from its name. */
  private publicSlug(server: StandInRecord): void {
    if (server['published'] !== true || server['public_slug']) return;
    const name = typeof server['name'] === 'string' ? server['name'] : '';
    const base =
      name
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/gu, '-')
        .replace(/^-+|-+$/gu, '')
        .slice(0, 64)
        .replace(/-+$/u, '') || 'server';
    const taken = [...this.model(GAME_SERVER_MODEL).records.values()].some(
      (other) => other.id !== server.id && other['public_slug'] === base,
    );
    server['public_slug'] = taken ? `${base.slice(0, 52)}-${server.id}` : base;
  }

  /**
   * Mirrors the addon's `game.server.public_status`: the published active servers by name (at
   * most 500), the address only where shown, average players per hour over 24 hours.
   */
  private publicStatus(model: ModelState): { hours: string[]; servers: Record<string, unknown>[] } {
    const hourNow = Math.floor(this.now().getTime() / HOUR_MS) * HOUR_MS;
    const hours = Array.from({ length: 24 }, (_, i) => toStamp(hourNow - (23 - i) * HOUR_MS));
    const servers = [...model.records.values()]
      .filter((s) => s['active'] === true && s['published'] === true && s['public_slug'])
      .sort((a, b) => String(a['name']).localeCompare(String(b['name'])) || a.id - b.id)
      .slice(0, 500);
    const sums = new Map<string, { players: number; polls: number }>();
    for (const stat of this.model(GAME_SERVER_STAT_MODEL).records.values()) {
      const start = stat['bucket_start'];
      if (
        typeof start !== 'string' ||
        start < (hours[0] ?? '') ||
        (stat['bucket_minutes'] as number) >= 1380
      ) {
        continue;
      }
      const key = `${String(stat['server_id'])} ${start.slice(0, 13)}:00:00`;
      const sum = sums.get(key) ?? { players: 0, polls: 0 };
      sum.players += stat['players_sum'] as number;
      sum.polls += stat['polls'] as number;
      sums.set(key, sum);
    }
    const figures = this.serverFigures(servers);
    const games = new Map(
      [...this.model(GAME_SERVER_GAME_MODEL).records.values()].map((g) => [g['code'], g['name']]),
    );
    return {
      hours,
      servers: servers.map((s) => {
        const shown = s['show_address'] === true;
        return {
          slug: s['public_slug'],
          name: s['name'],
          game: games.get(s['game']) ?? s['game'],
          online: s['is_online'] === true,
          players: s['players_online'] ?? 0,
          players_max: s['players_max'] ?? 0,
          map: s['map_name'] || null,
          version: s['version'] || null,
          last_checked: s['last_checked'] || null,
          uptime_30d:
            Math.round(((figures.get(s.id)?.['uptime_30d'] as number) ?? 0) * 1000) / 1000,
          host: shown ? s['host'] : null,
          port: shown ? s['port'] : null,
          players_24h: hours.map((hour) => {
            const sum = sums.get(`${s.id} ${hour}`);
            return sum && sum.polls > 0 ? Math.round((sum.players / sum.polls) * 100) / 100 : null;
          }),
        };
      }),
    };
  }

  /**
   * game.server's non-stored figures, exact from the stat buckets whose start lies inside the
   * window: peak players over 24 hours, and uptime (online polls / polls) over 24 h, 7 and 30
   * days; 0 without polls. One pass over the stats for all the servers read.
   */
  private serverFigures(servers: readonly StandInRecord[]): Map<number, Record<string, unknown>> {
    const now = this.now().getTime();
    const windows = [
      ['uptime_24h', toStamp(now - DAY_MS)],
      ['uptime_7d', toStamp(now - 7 * DAY_MS)],
      ['uptime_30d', toStamp(now - 30 * DAY_MS)],
    ] as const;
    const dayStart = windows[0][1];
    const sums = new Map<number, { peak: number; polls: number[]; online: number[] }>(
      servers.map((s) => [s.id, { peak: 0, polls: [0, 0, 0], online: [0, 0, 0] }]),
    );
    for (const stat of this.model(GAME_SERVER_STAT_MODEL).records.values()) {
      const sum = sums.get(stat['server_id'] as number);
      const start = stat['bucket_start'];
      if (!sum || typeof start !== 'string') continue;
      windows.forEach(([, since], i) => {
        if (start < since) return;
        sum.polls[i] = (sum.polls[i] ?? 0) + (stat['polls'] as number);
        sum.online[i] = (sum.online[i] ?? 0) + (stat['polls_online'] as number);
      });
      if (start >= dayStart) sum.peak = Math.max(sum.peak, stat['players_peak'] as number);
    }
    const figures = new Map<number, Record<string, unknown>>();
    for (const [id, sum] of sums) {
      const values: Record<string, unknown> = { peak_players_24h: sum.peak };
      windows.forEach(([field], i) => {
        const polls = sum.polls[i] ?? 0;
        values[field] = polls > 0 ? (100 * (sum.online[i] ?? 0)) / polls : 0;
      });
      figures.set(id, values);
    }
    return figures;
  }

  // -------------------------------------------------------------------------------------------
  // read_group (17, 18; deprecated on 19) and formatted_read_group (19)
  // -------------------------------------------------------------------------------------------

  /**
   * Odoo 17/18's `read_group(domain, fields, groupby, offset, limit, orderby, lazy)`: one dict
   * per group with each groupby value (a many2one as `[id, name]`, a date part as its label
   * with the bounds under `__range`), each aggregate under its name (`field:agg` answers as
   * `field`, `name:agg(field)` as `name`), the count (`__count`, or `<field>_count` when lazy)
   * and `__domain`.
   */
  private readGroup(
    model: ModelState,
    kw: Record<string, unknown>,
    context: Record<string, unknown>,
  ): Record<string, unknown>[] {
    const requested = asArray(typeof kw['groupby'] === 'string' ? [kw['groupby']] : kw['groupby']);
    const lazy = kw['lazy'] !== false;
    const groupby = parseGroupbys(model, lazy ? requested.slice(0, 1) : requested, 'month');
    const countKey = lazy && groupby.length === 1 ? `${groupby[0]?.field ?? ''}_count` : '__count';
    const aggregates = asArray(kw['fields']).flatMap((item) => {
      const spec = String(item);
      if (spec === '__count') return [];
      const m = /^(\w+)(?::(\w+)(?:\((\w+)\))?)?$/.exec(spec);
      if (!m) throw fault.value(`Invalid field specification '${spec}'.`);
      const [, name = '', fn, of] = m;
      if (groupby.some((g) => g.spec === spec)) return [];
      if (of !== undefined) return [parseAggregate(model, `${of}:${fn ?? ''}`, name)];
      if (fn !== undefined) return [parseAggregate(model, `${name}:${fn}`, name)];
      // A bare numeric field takes its default aggregator; other bare fields are left out.
      const type = model.fields.get(name);
      if (!type && !MAGIC_FIELDS.has(name)) {
        throw fault.value(`Invalid field '${name}' on model '${model.name}'`);
      }
      return type === 'integer' || type === 'float'
        ? [parseAggregate(model, `${name}:sum`, name)]
        : [];
    });
    const groups = this.group(model, kw['domain'], context, groupby, aggregates, {
      order: kw['orderby'],
      offset: kw['offset'],
      limit: kw['limit'],
      countKey,
    });
    const rest = requested.slice(groupby.length);
    return groups.map((group) => {
      const row: Record<string, unknown> = {};
      const parts = groupby.map((g, i) => {
        const value = group.keys[i];
        if (!g.granularity) {
          row[g.spec] = this.groupValue(model, g, value);
          return [[g.field, '=', value]];
        }
        const range = value === false ? false : temporalRange(value as number, g);
        row[g.spec] = range && range.label;
        row['__range'] = {
          ...asRecord(row['__range']),
          [g.spec]: range && { from: range.from, to: range.to },
        };
        return rangeDomain(g, range);
      });
      row[countKey] = group.count;
      aggregates.forEach((a, i) => (row[a.key] = group.values[i]));
      row['__domain'] = andDomains([asArray(kw['domain']), ...parts]);
      if (rest.length > 0) row['__context'] = { group_by: rest };
      return row;
    });
  }

  /**
   * Odoo 19's `formatted_read_group(domain, groupby, aggregates, having, offset, limit, order)`:
   * one dict per group with each groupby spec (a many2one as `[id, name]`, a date part as
   * `[start, label]`), each aggregate spec (`__count` included only when asked) and
   * `__extra_domain`.
   */
  private formattedReadGroup(
    model: ModelState,
    kw: Record<string, unknown>,
    context: Record<string, unknown>,
  ): Record<string, unknown>[] {
    if (asArray(kw['having']).length > 0) {
      throw fault.value('OdooStandIn: formatted_read_group does not implement `having`');
    }
    const groupby = parseGroupbys(model, asArray(kw['groupby']), undefined);
    const aggregates = asArray(kw['aggregates']).map((item) =>
      String(item) === '__count'
        ? { key: '__count', field: null, fn: 'count' }
        : parseAggregate(model, String(item), String(item)),
    );
    const groups = this.group(model, kw['domain'], context, groupby, aggregates, {
      order: kw['order'],
      offset: kw['offset'],
      limit: kw['limit'],
      countKey: '__count',
    });
    return groups.map((group) => {
      const row: Record<string, unknown> = {};
      const parts = groupby.map((g, i) => {
        const value = group.keys[i];
        if (!g.granularity) {
          row[g.spec] = this.groupValue(model, g, value);
          return [[g.field, '=', value]];
        }
        const range = value === false ? false : temporalRange(value as number, g);
        row[g.spec] = range && [range.from, range.label];
        return rangeDomain(g, range);
      });
      aggregates.forEach((a, i) => (row[a.key] = a.field === null ? group.count : group.values[i]));
      row['__extra_domain'] = andDomains(parts);
      return row;
    });
  }

  private groupValue(model: ModelState, groupby: GroupbySpec, value: unknown): unknown {
    const relation = model.relations.get(groupby.field);
    return relation && typeof value === 'number'
      ? [value, this.displayName(relation.model, value)]
      : value;
  }

  /** The grouping both methods share: groups of the matching records, sorted and paged. */
  private group(
    model: ModelState,
    domain: unknown,
    context: Record<string, unknown>,
    groupby: readonly GroupbySpec[],
    aggregates: readonly AggregateSpec[],
    paging: { order: unknown; offset: unknown; limit: unknown; countKey: string },
  ): Group[] {
    const byKey = new Map<string, { keys: unknown[]; records: StandInRecord[] }>();
    for (const record of this.search(model, domain, context, {})) {
      const keys = groupby.map((g) => groupKey(g, record[g.field]));
      const id = JSON.stringify(keys);
      const group = byKey.get(id) ?? { keys, records: [] };
      group.records.push(record);
      byKey.set(id, group);
    }
    const groups: Group[] = [...byKey.values()].map(({ keys, records }) => ({
      keys,
      count: records.length,
      values: aggregates.map((a) => aggregate(a, records)),
    }));
    groups.sort(groupOrder(groupby, aggregates, paging.order, paging.countKey));
    const offset = typeof paging.offset === 'number' ? paging.offset : 0;
    const limit = typeof paging.limit === 'number' ? paging.limit : undefined;
    return groups.slice(offset, limit === undefined ? undefined : offset + limit);
  }
}

// ---------------------------------------------------------------------------------------------
// Grouping
// ---------------------------------------------------------------------------------------------

type Granularity = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';
const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week', 'month', 'quarter', 'year'];
const AGGREGATES = ['sum', 'avg', 'min', 'max', 'count', 'count_distinct', 'bool_and', 'bool_or'];
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

interface GroupbySpec {
  /** As the caller wrote it, e.g. `bucket_start:day`: the key of the group's value. */
  spec: string;
  field: string;
  type: StandInFieldType;
  granularity?: Granularity;
}

interface AggregateSpec {
  /** Key of the value in a group. */
  key: string;
  /** null for the record count. */
  field: string | null;
  fn: string;
}

interface Group {
  /** Per groupby: the stored value, or for a date part the start of its range in epoch ms. */
  keys: unknown[];
  count: number;
  values: unknown[];
}

/** `defaultGranularity`: 17/18 group a bare date field by month; 19 refuses it. */
function parseGroupbys(
  model: ModelState,
  specs: readonly unknown[],
  defaultGranularity: Granularity | undefined,
): GroupbySpec[] {
  return specs.map((item) => {
    const spec = String(item);
    const [field = '', part] = spec.split(':');
    const type = field === 'id' ? 'integer' : model.fields.get(field);
    if (!type || model.virtual?.fields.has(field)) {
      throw fault.value(`Invalid field '${field}' on model '${model.name}'`);
    }
    if (type !== 'date' && type !== 'datetime') {
      if (part !== undefined) throw fault.value(`Granularity set on a non-date field: '${spec}'`);
      return { spec, field, type };
    }
    const granularity = (part ?? defaultGranularity) as Granularity | undefined;
    if (granularity === undefined)
      throw new Fault('builtins.AssertionError', 'Granularity is missing', 500);
    if (!GRANULARITIES.includes(granularity)) {
      throw fault.value(`'${granularity}' isn't a valid granularity`);
    }
    return { spec, field, type, granularity };
  });
}

function parseAggregate(model: ModelState, spec: string, key: string): AggregateSpec {
  const [field = '', fn] = spec.split(':');
  if (field !== 'id' && (!model.fields.has(field) || model.virtual?.fields.has(field))) {
    throw fault.value(`Invalid field '${field}' on model '${model.name}' for '${spec}'.`);
  }
  if (fn === undefined) throw fault.value(`Aggregate method is mandatory for '${field}'`);
  if (!AGGREGATES.includes(fn))
    throw fault.value(`Invalid aggregate method '${fn}' for '${spec}'.`);
  return { key, field, fn };
}

function groupKey(groupby: GroupbySpec, value: unknown): unknown {
  if (!groupby.granularity) return value ?? false;
  if (typeof value !== 'string' || value === '') return false;
  const d = new Date(stampMs(groupby.type === 'date' ? `${value} 00:00:00` : value));
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (groupby.granularity) {
    case 'hour':
      return Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours());
    case 'day':
      return Date.UTC(y, mo, d.getUTCDate());
    case 'week':
      // PostgreSQL's date_trunc('week'): the Monday of the ISO week.
      return Date.UTC(y, mo, d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    case 'month':
      return Date.UTC(y, mo, 1);
    case 'quarter':
      return Date.UTC(y, mo - (mo % 3), 1);
    case 'year':
      return Date.UTC(y, 0, 1);
  }
}

/** A date part's bounds in Odoo's format and its label as Odoo's en_US formats write it. */
function temporalRange(
  startMs: number,
  groupby: GroupbySpec,
): { from: string; to: string; label: string } {
  const start = new Date(startMs);
  const y = start.getUTCFullYear();
  const mo = start.getUTCMonth();
  const d = start.getUTCDate();
  const two = (n: number) => String(n).padStart(2, '0');
  let end: number;
  let label: string;
  switch (groupby.granularity) {
    case 'hour':
      end = startMs + HOUR_MS;
      label = `${two(start.getUTCHours() % 12 || 12)}:00 ${two(d)} ${MONTHS[mo] ?? ''}`;
      break;
    case 'day':
      end = startMs + DAY_MS;
      label = `${two(d)} ${MONTHS[mo] ?? ''} ${y}`;
      break;
    case 'week':
      end = startMs + 7 * DAY_MS;
      label = isoWeekLabel(start);
      break;
    case 'month':
      end = Date.UTC(y, mo + 1, 1);
      label = `${LONG_MONTHS[mo] ?? ''} ${y}`;
      break;
    case 'quarter':
      end = Date.UTC(y, mo + 3, 1);
      label = `Q${Math.floor(mo / 3) + 1} ${y}`;
      break;
    case 'year':
    case undefined:
      end = Date.UTC(y + 1, 0, 1);
      label = String(y);
      break;
  }
  const format = (ms: number) => (groupby.type === 'date' ? toStamp(ms).slice(0, 10) : toStamp(ms));
  return { from: format(startMs), to: format(end), label };
}

function rangeDomain(groupby: GroupbySpec, range: { from: string; to: string } | false): unknown[] {
  return range
    ? ['&', [groupby.field, '>=', range.from], [groupby.field, '<', range.to]]
    : [[groupby.field, '=', false]];
}

/** Odoo's `AND` of domains, each written with implicit ands, into one prefix expression. */
function andDomains(domains: readonly (readonly unknown[])[]): unknown[] {
  const terms = domains.flatMap(topLevelTerms);
  return [...Array<string>(Math.max(0, terms.length - 1)).fill('&'), ...terms.flat()];
}

/** Splits a domain into its top-level expressions (leaves side by side are and-ed). */
function topLevelTerms(domain: readonly unknown[]): unknown[][] {
  const terms: unknown[][] = [];
  let current: unknown[] = [];
  let open = 1;
  for (const token of domain) {
    current.push(token);
    open += token === '&' || token === '|' ? 1 : token === '!' ? 0 : -1;
    if (open === 0) {
      terms.push(current);
      current = [];
      open = 1;
    }
  }
  return terms;
}

function isoWeekLabel(monday: Date): string {
  // The ISO week-year is the year of the week's Thursday; week 1 holds that year's 4 January.
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `W${week} ${year}`;
}

function aggregate(spec: AggregateSpec, records: readonly StandInRecord[]): unknown {
  if (spec.field === null) return records.length;
  const field = spec.field;
  const values = records.map((r) => r[field]).filter((v) => v !== false && v !== null);
  const numbers = values.filter((v): v is number => typeof v === 'number');
  switch (spec.fn) {
    case 'sum':
      return numbers.reduce((a, b) => a + b, 0);
    case 'avg':
      return numbers.length > 0 ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
    case 'min':
    case 'max': {
      if (values.length === 0) return null;
      const sorted = [...values].sort((a, b) => ((a as number) < (b as number) ? -1 : 1));
      return spec.fn === 'min' ? sorted[0] : sorted.at(-1);
    }
    case 'count':
      return values.length;
    case 'count_distinct':
      return new Set(values.map((v) => JSON.stringify(v))).size;
    case 'bool_and':
      return records.every((r) => r[field] === true);
    default:
      return records.some((r) => r[field] === true);
  }
}

/** Groups in the asked order (terms naming a groupby or an aggregate), else by the groupbys. */
function groupOrder(
  groupby: readonly GroupbySpec[],
  aggregates: readonly AggregateSpec[],
  order: unknown,
  countKey: string,
): (a: Group, b: Group) => number {
  const text =
    typeof order === 'string' && order.trim() !== '' ? order : groupby.map((g) => g.spec).join(',');
  const terms = text
    .split(',')
    .filter((t) => t.trim() !== '')
    .map((term) => {
      const [name = '', direction = 'asc'] = term.trim().split(/\s+/);
      const sign = direction.toLowerCase() === 'desc' ? -1 : 1;
      const g = groupby.findIndex((s) => s.spec === name || s.field === name);
      if (g >= 0) return { pick: (x: Group) => x.keys[g], sign };
      if (name === countKey || name === '__count') return { pick: (x: Group) => x.count, sign };
      const a = aggregates.findIndex((s) => s.key === name);
      if (a >= 0) return { pick: (x: Group) => x.values[a], sign };
      throw fault.value(`Invalid "order" specified (${text})`);
    });
  return (a, b) => {
    for (const { pick, sign } of terms) {
      const x = pick(a);
      const y = pick(b);
      if (x === y) continue;
      // PostgreSQL puts empty values last ascending, first descending.
      if (x === false || x === null) return sign;
      if (y === false || y === null) return -sign;
      return ((x as number | string) < (y as number | string) ? -1 : 1) * sign;
    }
    return 0;
  };
}

/** Stat rows of one apply call, found or created per (server, bucket start). */
class StatBuckets {
  private readonly rows = new Map<string, StandInRecord>();
  private readonly bucketMs: number;

  constructor(
    private readonly model: ModelState,
    servers: ReadonlySet<number>,
    private readonly bucketMinutes: number,
    private readonly create: (vals: Record<string, unknown>) => number,
  ) {
    this.bucketMs = bucketMinutes * 60_000;
    for (const stat of model.records.values()) {
      if (servers.has(stat['server_id'] as number)) this.rows.set(bucketId(stat), stat);
    }
  }

  /** Adds one applied report to the bucket holding its check time (epoch-aligned). */
  count(serverId: number, report: ParsedReport): void {
    const start = toStamp(Math.floor(stampMs(report.checkedAt) / this.bucketMs) * this.bucketMs);
    const id = `${serverId} ${start}`;
    const stat = this.rows.get(id) ?? this.open(id, serverId, start);
    const num = (field: string) => stat[field] as number;
    stat['polls'] = num('polls') + 1;
    if (report.online) {
      const players = wholeNumber(report.raw['players_online']);
      stat['polls_online'] = num('polls_online') + 1;
      stat['players_sum'] = num('players_sum') + players;
      stat['players_peak'] = Math.max(num('players_peak'), players);
      stat['latency_sum'] = num('latency_sum') + latency(report.raw['latency_ms']);
    }
    this.model.compute?.(stat);
  }

  private open(id: string, serverId: number, start: string): StandInRecord {
    const created = this.create({
      server_id: serverId,
      bucket_start: start,
      bucket_minutes: this.bucketMinutes,
    });
    const stat = this.model.records.get(created) as StandInRecord;
    this.rows.set(id, stat);
    return stat;
  }
}

function bucketId(stat: StandInRecord): string {
  return `${String(stat['server_id'])} ${String(stat['bucket_start'])}`;
}

/** Fails as Odoo turns a UNIQUE violation into a ValidationError. */
function checkUnique(model: ModelState, changed: readonly StandInRecord[]): void {
  for (const fields of model.unique) {
    const key = (r: StandInRecord) => JSON.stringify(fields.map((f) => r[f]));
    const seen = new Map<string, number>();
    for (const r of model.records.values()) seen.set(key(r), r.id);
    for (const r of changed) {
      const other = seen.get(key(r));
      if (other !== undefined && other !== r.id) {
        throw fault.validation(
          `The operation cannot be completed: duplicate key value violates unique constraint on ${model.name} (${fields.join(', ')})`,
        );
      }
      seen.set(key(r), r.id);
    }
  }
}

/** Epoch milliseconds as Odoo's UTC datetime string. */
function toStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function stampMs(stamp: string): number {
  return Date.parse(`${stamp.replace(' ', 'T')}Z`);
}

/** What the addon reads from a count: a whole number, null as 0. */
function wholeNumber(value: unknown): number {
  return typeof value === 'number' ? Math.trunc(value) : 0;
}

/** Latency as the addon reads it: rounded milliseconds, null as 0. */
function latency(value: unknown): number {
  return typeof value === 'number' ? Math.round(value) : 0;
}

// ---------------------------------------------------------------------------------------------
// apply_status_reports
// ---------------------------------------------------------------------------------------------

interface ParsedReport {
  serverId: number;
  checkedAt: string;
  /** Order key: `checked_at_ms` when sent, else the whole second of `checked_at`. */
  reportMs: number;
  online: boolean;
  raw: Record<string, unknown>;
}

/** How far ahead of Odoo's clock a report may be (the addon's MAX_CLOCK_SKEW). */
const MAX_CLOCK_SKEW_MS = 10 * 60_000;

function parseReport(item: unknown, index: number, nowMs: number): ParsedReport {
  const raw = asRecord(item);
  const bad = (what: string) => fault.validation(`Status report ${index}: ${what}`);
  if (!raw) throw bad('not a dict');
  const serverId = raw['server_id'];
  const checkedAt = raw['checked_at'];
  const online = raw['online'];
  if (typeof serverId !== 'number' || !Number.isInteger(serverId))
    throw bad('server_id must be an int');
  if (typeof checkedAt !== 'string' || !DATETIME.test(checkedAt)) {
    throw bad("checked_at must be 'YYYY-MM-DD HH:MM:SS' (UTC)");
  }
  if (stampMs(checkedAt) > nowMs + MAX_CLOCK_SKEW_MS) {
    throw bad("checked_at must not be more than 10 minutes after Odoo's clock");
  }
  if (typeof online !== 'boolean') throw bad('online must be a bool');
  const ms = raw['checked_at_ms'];
  if (
    ms !== undefined &&
    ms !== null &&
    !(typeof ms === 'number' && Number.isInteger(ms) && ms > 0)
  ) {
    throw bad('checked_at_ms must be epoch milliseconds');
  }
  const reportMs = typeof ms === 'number' ? ms : Date.parse(`${checkedAt.replace(' ', 'T')}Z`);
  const names = raw['player_names'];
  if (
    names !== undefined &&
    names !== null &&
    !(Array.isArray(names) && names.every((n) => typeof n === 'string'))
  ) {
    throw bad('player_names must be a list of str');
  }
  return { serverId, checkedAt, reportMs, online, raw };
}

function reportValues(report: ParsedReport, server: StandInRecord): Record<string, unknown> {
  const r = report.raw;
  const int = wholeNumber;
  const char = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : false);
  const names = Array.isArray(r['player_names']) ? (r['player_names'] as string[]) : [];
  const failures =
    typeof server['consecutive_failures'] === 'number' ? server['consecutive_failures'] : 0;
  return {
    is_online: report.online,
    players_online: int(r['players_online']),
    players_max: int(r['players_max']),
    bots: int(r['bots']),
    latency_ms: latency(r['latency_ms']),
    map_name: char(r['map']),
    version: char(r['version']),
    game_mode: char(r['game_mode']),
    motd: char(r['name']),
    password_protected: r['password_protected'] === true,
    player_names: names.length > 0 ? names.join('\n') : false,
    last_checked: report.checkedAt,
    ...(report.online && { last_online: report.checkedAt }),
    last_error_code: report.online ? false : char(r['error_code']),
    last_error: report.online ? false : char(r['error_message']),
    consecutive_failures: report.online ? 0 : failures + 1,
  };
}

// ---------------------------------------------------------------------------------------------
// Fields, values, domains, order
// ---------------------------------------------------------------------------------------------

function emptyValue(type: StandInFieldType): unknown {
  if (type === 'many2many') return [];
  return type === 'integer' || type === 'float' ? 0 : false;
}

function inferType(values: readonly unknown[]): StandInFieldType {
  const sample = values.find((v) => v !== false && v !== null && v !== undefined);
  if (typeof sample === 'boolean' || values.every((v) => typeof v === 'boolean')) return 'boolean';
  if (typeof sample === 'number') return Number.isInteger(sample) ? 'integer' : 'float';
  if (typeof sample === 'string') {
    if (DATETIME.test(sample)) return 'datetime';
    if (DATE.test(sample)) return 'date';
    return 'char';
  }
  if (typeof sample === 'object') return 'json';
  return 'char';
}

/** Values as the ORM would store them; unknown fields fail like Odoo's `Invalid field`. */
function normaliseVals(
  model: ModelState,
  vals: Readonly<Record<string, unknown>>,
  strict = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(vals)) {
    if (MAGIC_FIELDS.has(field)) continue;
    const type = model.fields.get(field);
    if (!type) {
      if (strict) throw fault.value(`Invalid field '${field}' on model '${model.name}'`);
      continue;
    }
    out[field] = normaliseValue(model, field, type, value);
  }
  return out;
}

function normaliseValue(
  model: ModelState,
  field: string,
  type: StandInFieldType,
  value: unknown,
): unknown {
  const empty = value === null || value === false || value === undefined;
  switch (type) {
    case 'integer':
      return empty ? 0 : Math.trunc(Number(value));
    case 'float':
      return empty ? 0 : Number(value);
    case 'boolean':
      return Boolean(value);
    case 'datetime':
      if (empty) return false;
      if (typeof value === 'string' && DATETIME.test(value)) return value;
      if (typeof value === 'string' && DATE.test(value)) return `${value} 00:00:00`;
      // What Odoo's Datetime.to_datetime says to an ISO string with 'T' or 'Z'.
      throw fault.value(
        `time data ${JSON.stringify(value)} does not match format '%Y-%m-%d %H:%M:%S' (${model.name}.${field})`,
      );
    case 'date':
      if (empty) return false;
      if (typeof value === 'string' && DATE.test(value)) return value;
      throw fault.value(`time data ${JSON.stringify(value)} does not match format '%Y-%m-%d'`);
    case 'many2one':
      if (empty) return false;
      if (Array.isArray(value)) return value[0];
      return value;
    case 'many2many':
      return many2manyIds(model, field, value);
    case 'char':
    case 'text':
    case 'selection':
    case 'json':
      return empty ? false : value;
  }
}

/**
 * The ids a many2many is set to: a plain list of ids, or Odoo's commands replacing the whole set
 * (`[6, 0, ids]`, `[5]`); the commands that need the current set are not mirrored.
 */
function many2manyIds(model: ModelState, field: string, value: unknown): number[] {
  if (value === false || value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw fault.value(`Wrong value for ${model.name}.${field}: ${JSON.stringify(value)}`);
  }
  if (value.every((v) => typeof v === 'number')) return [...new Set(value)];
  let ids: number[] = [];
  for (const command of value) {
    if (Array.isArray(command) && command[0] === 6 && Array.isArray(command[2])) {
      ids = [
        ...new Set((command[2] as unknown[]).filter((v): v is number => typeof v === 'number')),
      ];
    } else if (Array.isArray(command) && command[0] === 5) {
      ids = [];
    } else {
      throw fault.value(
        `stand-in: x2many command ${JSON.stringify(command)} on ${model.name}.${field} is not mirrored`,
      );
    }
  }
  return ids;
}

function checkFields(model: ModelState, fields: unknown): string[] | undefined {
  if (fields === undefined || fields === null || fields === false) return undefined;
  const list = asArray(fields).map(String);
  if (list.length === 0) return undefined;
  for (const f of list) {
    if (!MAGIC_FIELDS.has(f) && !model.fields.has(f)) {
      throw fault.value(`Invalid field '${f}' on model '${model.name}'`);
    }
  }
  return list;
}

function fieldsGet(model: ModelState, kw: Record<string, unknown>): Record<string, unknown> {
  const all: [string, StandInFieldType][] = [
    ['id', 'integer'],
    ...model.fields,
    ['create_date', 'datetime'],
    ['write_date', 'datetime'],
  ];
  const wanted =
    Array.isArray(kw['allfields']) && kw['allfields'].length > 0 ? kw['allfields'] : undefined;
  const attributes = Array.isArray(kw['attributes']) ? (kw['attributes'] as unknown[]) : undefined;
  const out: Record<string, unknown> = {};
  for (const [name, type] of all) {
    if (wanted && !wanted.includes(name)) continue;
    const relation = model.relations.get(name);
    const description: Record<string, unknown> = {
      type,
      string: name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
      readonly: MAGIC_FIELDS.has(name) || model.virtual?.fields.has(name) === true,
      required: false,
      store: model.virtual?.fields.has(name) !== true,
      ...(relation && { relation: relation.model }),
    };
    out[name] = attributes
      ? Object.fromEntries(Object.entries(description).filter(([k]) => attributes.includes(k)))
      : description;
  }
  return out;
}

type Predicate = (record: StandInRecord) => boolean;

/** Odoo's prefix-notation domain: operators `&`, `|`, `!`, leaves side by side are and-ed. */
function compileDomain(model: ModelState, domain: unknown): Predicate {
  if (!Array.isArray(domain)) throw fault.value(`Invalid domain: ${JSON.stringify(domain)}`);
  const stack: Predicate[] = [];
  const pop = (): Predicate => {
    const p = stack.pop();
    if (!p) throw fault.value(`Invalid domain: ${JSON.stringify(domain)}`);
    return p;
  };
  for (const token of [...(domain as unknown[])].reverse()) {
    if (token === '!') {
      const a = pop();
      stack.push((r) => !a(r));
    } else if (token === '&' || token === '|') {
      const a = pop();
      const b = pop();
      stack.push(token === '&' ? (r) => a(r) && b(r) : (r) => a(r) || b(r));
    } else {
      stack.push(compileLeaf(model, token));
    }
  }
  return (r) => stack.every((p) => p(r));
}

function compileLeaf(model: ModelState, leaf: unknown): Predicate {
  if (!Array.isArray(leaf) || leaf.length !== 3 || typeof leaf[1] !== 'string') {
    throw fault.value(`Invalid leaf ${JSON.stringify(leaf)}`);
  }
  const [field, operator, rawValue] = leaf as [unknown, string, unknown];
  // Odoo's TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1).
  if (typeof field === 'number') return () => field === rawValue;
  if (
    typeof field !== 'string' ||
    !(field === 'id' || MAGIC_FIELDS.has(field) || model.fields.has(field))
  ) {
    throw fault.value(
      `Invalid field ${model.name}.${String(field)} in leaf ${JSON.stringify(leaf)}`,
    );
  }
  if (model.virtual?.fields.has(field)) {
    throw fault.value(`Non-stored field ${model.name}.${field} cannot be searched.`);
  }
  const value = rawValue === null ? false : rawValue;
  if (model.fields.get(field) === 'many2many') return many2manyLeaf(field, operator, value);
  const get = (r: StandInRecord): unknown => {
    const v = r[field];
    return Array.isArray(v) && model.fields.get(field) === 'many2one' ? v[0] : v;
  };
  const like = (pattern: string, anchored: boolean, caseless: boolean): Predicate => {
    const source = [...pattern]
      .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    const re = new RegExp(anchored ? `^${source}$` : source, caseless ? 'is' : 's');
    return (r) => {
      const v = get(r);
      return v !== false && v !== null && v !== undefined && re.test(scalarText(v));
    };
  };
  const ordered =
    (test: (a: number | string, b: number | string) => boolean): Predicate =>
    (r) => {
      const v = get(r);
      return (
        (typeof v === 'number' || typeof v === 'string') &&
        (typeof value === 'number' || typeof value === 'string') &&
        test(v, value)
      );
    };
  const equals: Predicate = (r) => same(get(r), value);
  const list = (Array.isArray(value) ? (value as unknown[]) : [value]).map((v) =>
    v === null ? false : v,
  );
  const member: Predicate = (r) => list.some((v) => same(get(r), v));
  switch (operator) {
    case '=':
      return equals;
    case '!=':
    case '<>':
      return (r) => !equals(r);
    case 'in':
      return member;
    case 'not in':
      return (r) => !member(r);
    case '<':
      return ordered((a, b) => a < b);
    case '<=':
      return ordered((a, b) => a <= b);
    case '>':
      return ordered((a, b) => a > b);
    case '>=':
      return ordered((a, b) => a >= b);
    case 'like':
    case 'ilike':
    case 'not like':
    case 'not ilike':
    case '=like':
    case '=ilike': {
      const caseless = operator.includes('ilike');
      const p = like(scalarText(value), operator.startsWith('='), caseless);
      return operator.startsWith('not') ? (r) => !p(r) : p;
    }
    default:
      throw fault.value(`Invalid domain operator ${JSON.stringify(operator)}`);
  }
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** A many2many in a domain: `in`, `=` (any of its ids is one of these) and their negations. */
function many2manyLeaf(field: string, operator: string, value: unknown): Predicate {
  const wanted = (Array.isArray(value) ? (value as unknown[]) : [value]).filter(
    (v): v is number => typeof v === 'number',
  );
  const any: Predicate = (r) => {
    const ids = r[field];
    return Array.isArray(ids) && ids.some((id) => wanted.includes(id as number));
  };
  switch (operator) {
    case 'in':
    case '=':
      return value === false ? (r) => !(r[field] as unknown[]).length : any;
    case 'not in':
    case '!=':
      return value === false ? (r) => (r[field] as unknown[]).length > 0 : (r) => !any(r);
    default:
      throw fault.value(`stand-in: operator ${JSON.stringify(operator)} on many2many ${field}`);
  }
}

function same(stored: unknown, value: unknown): boolean {
  const a = stored === null || stored === undefined ? false : stored;
  return a === value;
}

function mentionsField(domain: unknown, field: string): boolean {
  return Array.isArray(domain) && domain.some((t) => Array.isArray(t) && t[0] === field);
}

/** Odoo's `order`, with PostgreSQL's placement of empty values: last ascending, first descending. */
function comparator(
  model: ModelState,
  order: string,
): (a: StandInRecord, b: StandInRecord) => number {
  const keys = order.split(',').map((part) => {
    const [field, direction = 'asc', ...extra] = part.trim().split(/\s+/);
    const dir = direction.toLowerCase();
    if (
      !field ||
      extra.length > 0 ||
      (dir !== 'asc' && dir !== 'desc') ||
      !(MAGIC_FIELDS.has(field) || model.fields.has(field))
    ) {
      throw fault.value(`Invalid "order" specified (${order})`);
    }
    const boolean = model.fields.get(field) === 'boolean';
    return { field, sign: dir === 'desc' ? -1 : 1, boolean };
  });
  return (a, b) => {
    for (const { field, sign, boolean } of keys) {
      const x = a[field];
      const y = b[field];
      const xNull = !boolean && (x === false || x === null || x === undefined);
      const yNull = !boolean && (y === false || y === null || y === undefined);
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return (xNull ? 1 : -1) * sign;
      }
      if (x === y) continue;
      return ((x as number | string) < (y as number | string) ? -1 : 1) * sign;
    }
    return a.id - b.id;
  };
}

function inputCount(spec: MethodSpec, inv: Invocation): number {
  if (spec.kind === 'records') return inv.ids.length;
  const carried = inv.kw['vals_list'] ?? inv.kw['reports'];
  if (Array.isArray(carried)) return carried.length;
  return asRecord(carried) ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function toIds(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    throw fault.value(`Invalid ids: ${JSON.stringify(value)}`);
  }
  return list as number[];
}

function asFault(err: unknown): Fault {
  if (err instanceof Fault) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new Fault(`builtins.${err instanceof Error ? err.name : 'Exception'}`, message, 500);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  // The client may have given up (timeout) or the stand-in been taken down meanwhile.
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, title: string): void {
  if (res.destroyed || res.writableEnded) return;
  const text = `<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>\n`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}
