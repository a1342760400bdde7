/**
 * An in-memory Odoo for tests and benchmarks: a real HTTP server on 127.0.0.1 that speaks
 * JSON-RPC (`/jsonrpc`, as Odoo 17-19) and JSON-2 (`/json/2/<model>/<method>`, as Odoo 19),
 * with the error shapes measured on real servers (see shared/research/odoo-measured.md).
 *
 * It keeps generic CRUD for any model it is told about, and `game.server` with the addon's
 * public `apply_status_reports`. Controls let a test take it down, slow it, make the next calls
 * fail, count the RPCs it received and charge a per-call and per-record cost. Tests only.
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
}

export interface StandInOptions {
  apiKey?: string;
  db?: string;
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

export interface StandInModelOptions {
  fields?: Record<string, StandInFieldType>;
  defaults?: Record<string, unknown>;
  /** Default order of searches, e.g. `'name asc'`. Default `'id'`. */
  order?: string;
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
}

export const GAME_SERVER_MODEL = 'game.server';

const GAME_SERVER_FIELDS: Record<string, StandInFieldType> = {
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
};

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAGIC_FIELDS = new Set(['id', 'create_date', 'write_date']);

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
  database: (db: string) =>
    new Fault('psycopg2.OperationalError', `FATAL:  database "${db}" does not exist`, 500),
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
}

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
  private readonly options: Required<Pick<StandInOptions, 'apiKey' | 'db' | 'login' | 'uid'>>;
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
  private busyWorkers = 0;
  private readonly waitingForWorker: (() => void)[] = [];
  private authCount = 0;
  private readonly applied: AppliedReport[] = [];
  // setDown may be called without awaiting; transitions still run one after the other.
  private transition: Promise<void> = Promise.resolve();

  constructor(options: StandInOptions = {}) {
    this.serverVersion = options.serverVersion ?? 19;
    this.options = {
      apiKey: options.apiKey ?? randomBytes(20).toString('hex'),
      db: options.db ?? 'gamedb',
      login: options.login ?? 'game-status-bot',
      uid: options.uid ?? 2,
    };
    this.jsonRpcErrorCode = options.jsonRpcErrorCode ?? (this.serverVersion >= 19 ? 0 : 200);
    this.now = options.now ?? (() => new Date());
    this.listenPort = options.port ?? 0;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Longer than any test's idle gap, so a kept-alive socket is not closed under a client.
    this.server.keepAliveTimeout = 30_000;
    this.defineModel(GAME_SERVER_MODEL, {
      fields: GAME_SERVER_FIELDS,
      defaults: { active: true, poll_interval: 0, is_online: false, consecutive_failures: 0 },
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

  /** Every report `apply_status_reports` applied (not the ignored or missing ones), in order. */
  appliedReports(): readonly AppliedReport[] {
    return this.applied;
  }

  /** Declares a model, or empties and re-declares it; fields not listed are learnt from seeds. */
  defineModel(model: string, options: StandInModelOptions = {}): void {
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
    });
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
      state.records.set(id, {
        ...this.withDefaults(state),
        ...normaliseVals(state, vals),
        create_date: typeof vals['create_date'] === 'string' ? vals['create_date'] : stamp,
        write_date: typeof vals['write_date'] === 'string' ? vals['write_date'] : stamp,
        id,
      });
      ids.push(id);
    }
    return ids;
  }

  /** Copies of every record of `model`, archived ones included, by id. */
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
      send(res, 200, {
        jsonrpc: '2.0',
        id,
        error: { code: this.jsonRpcErrorCode, message: 'Odoo Server Error', data: f.body() },
      });

    if (!request) return replyFault(fault.badRequest('Invalid JSON data'));
    if (service === 'common') {
      try {
        return reply(this.common(String(method), args));
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
    try {
      this.takeFailure('jsonrpc');
      if (db !== this.db) throw fault.database(String(db));
      if (uid !== this.uid || password !== this.apiKey) throw fault.accessDenied();
      const outcome = this.executeKw(modelName, methodName, positional, kwargs, entry);
      await this.charge(outcome.recordCount);
      entry.ok = true;
      return reply(outcome.result);
    } catch (err) {
      await this.charge(entry.recordCount);
      if (err instanceof ForcedHttp500) return sendHtml(res, 500, '500: Internal Server Error');
      return replyFault(asFault(err));
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
    const match = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match || req.method !== 'POST') {
      return replyFault(fault.notFound('Did you mean POST /json/2/<model>/<method>?'));
    }
    const model = decodeURIComponent(match[1] ?? '');
    const method = decodeURIComponent(match[2] ?? '');
    const entry = this.logCall('json2', model, method, req);
    try {
      this.takeFailure('json2');
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim();
      if (raw.length > 0 && contentType !== 'application/json') {
        throw fault.badRequest(
          "State-changing json2 requests must use the 'application/json' Content-Type.",
        );
      }
      const dbHeader = req.headers['x-odoo-database'];
      if (dbHeader !== undefined && dbHeader !== this.db) {
        throw fault.notFound(`database ${JSON.stringify(dbHeader)} not found`);
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
      return send(res, 200, outcome.result);
    } catch (err) {
      await this.charge(entry.recordCount);
      if (err instanceof ForcedHttp500) return sendHtml(res, 500, '500: Internal Server Error');
      return replyFault(asFault(err));
    }
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
    const outcome = spec.run(inv);
    entry.recordCount = outcome.recordCount;
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
          return { result: found.map((r) => project(r, fields)), recordCount: found.length };
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
          return { result: found.map((r) => project(r, fields)), recordCount: found.length };
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
          this.browse(m, ids);
          for (const id of ids) m.records.delete(id);
          return { result: true, recordCount: ids.length };
        },
      },
      fields_get: {
        kind: 'model',
        params: ['allfields', 'attributes'],
        required: 0,
        run: ({ model: m, kw }) => ({ result: fieldsGet(m, kw), recordCount: 0 }),
      },
    };
    if (model.name === GAME_SERVER_MODEL) {
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

  private create(model: ModelState, valsList: readonly Record<string, unknown>[]): number[] {
    // Check everything first: the call is one transaction, so it lands whole or not at all.
    const normalised = valsList.map((vals) => normaliseVals(model, vals, true));
    const stamp = this.stamp();
    return normalised.map((vals) => {
      const id = model.nextId++;
      model.records.set(id, {
        ...this.withDefaults(model),
        ...vals,
        id,
        create_date: stamp,
        write_date: stamp,
      });
      return id;
    });
  }

  private write(model: ModelState, ids: readonly number[], vals: Record<string, unknown>): void {
    const normalised = normaliseVals(model, vals, true);
    const records = this.browse(model, ids);
    const stamp = this.stamp();
    for (const record of records) Object.assign(record, normalised, { write_date: stamp });
  }

  private withDefaults(model: ModelState): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, type] of model.fields) out[field] = emptyValue(type);
    return { ...out, ...structuredClone(model.defaults) };
  }

  private stamp(): string {
    return this.now().toISOString().slice(0, 19).replace('T', ' ');
  }

  /**
   * Mirrors the addon's `game.server.apply_status_reports`: per server, reports in check-time
   * order; a report not newer than the server's last check is ignored (so a replay changes
   * nothing); unknown or deleted servers are listed as missing. One transaction: every report
   * is checked before anything is written.
   */
  private applyStatusReports(model: ModelState, raw: readonly unknown[]): ApplyStatusReportsResult {
    const reports = raw.map((item, i) => parseReport(item, i));
    const byServer = new Map<number, ParsedReport[]>();
    for (const report of reports) {
      const list = byServer.get(report.serverId) ?? [];
      list.push(report);
      byServer.set(report.serverId, list);
    }
    const result: ApplyStatusReportsResult = { applied: 0, ignored: 0, missing: [] };
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
        this.applied.push(report.raw as AppliedReport);
        result.applied++;
      }
    }
    return result;
  }
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

function parseReport(item: unknown, index: number): ParsedReport {
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
  const int = (v: unknown) => (typeof v === 'number' ? Math.trunc(v) : 0);
  const char = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : false);
  const names = Array.isArray(r['player_names']) ? (r['player_names'] as string[]) : [];
  const failures =
    typeof server['consecutive_failures'] === 'number' ? server['consecutive_failures'] : 0;
  return {
    is_online: report.online,
    players_online: int(r['players_online']),
    players_max: int(r['players_max']),
    bots: int(r['bots']),
    latency_ms: int(r['latency_ms']),
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
    case 'char':
    case 'text':
    case 'selection':
    case 'json':
      return empty ? false : value;
  }
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

function project(
  record: StandInRecord,
  fields: readonly string[] | undefined,
): Record<string, unknown> {
  if (!fields) return structuredClone(record);
  const out: Record<string, unknown> = { id: record.id };
  for (const f of fields) out[f] = structuredClone(record[f]);
  return out;
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
    const description: Record<string, unknown> = {
      type,
      string: name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase()),
      readonly: MAGIC_FIELDS.has(name),
      required: false,
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
  const value = rawValue === null ? false : rawValue;
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
