import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance } from 'axios';
import { encodeValue, fromMany2one, fromOdooDatetime, type OdooRef } from './odoo.codec.js';
import { OdooError, type OdooErrorContext, type OdooProtocol } from './odoo.error.js';
import { Json2Transport } from './json2.transport.js';
import { JsonRpcTransport } from './jsonrpc.transport.js';
import {
  exchange,
  parseJsonBody,
  type OdooCallArgs,
  type OdooCallOptions,
  type OdooConnection,
  type OdooTransport,
} from './odoo.transport.js';
import { SharedPromise } from './shared-promise.js';

/** How to reach Odoo. */
export interface OdooClientOptions {
  /** Base URL of the Odoo server, e.g. `http://odoo:8069`. */
  url: string;
  db: string;
  /** The API key's user; JSON-RPC logs in with it, JSON-2 does not need it. */
  login: string;
  apiKey: string;
  /** `auto` asks the server: JSON-2 from Odoo 19 on, JSON-RPC before. */
  protocol: OdooProtocol | 'auto';
  /** Default time limit of one call, including a JSON-RPC log-in. */
  timeoutMs: number;
  /** Shared HTTP instance; without one the client makes its own with keep-alive agents. */
  http?: AxiosInstance;
  userAgent?: string;
  /**
   * Extra attempts for reads (search, search_read, search_count, read) that failed in a
   * retryable way (connection lost, serialization conflict, a proxy's 5xx). Reads are safe to
   * repeat; writes and model methods never retry here (default 2).
   */
  readRetries?: number;
  /**
   * Most records or ids per call for `create`, `write`, `unlink`, `read` and the pages of
   * `searchReadAll` (default 500): a longer list goes in several calls, one after the other,
   * so no transaction grows without bound (and none outlives a worker's time limit).
   */
  chunkSize?: number;
}

/** The server's version, from `/web/version` or `/web/webclient/version_info`. */
export interface OdooServerVersion {
  /** As Odoo spells it, e.g. `19.0` or `17.0+e`. */
  version: string;
  /** 17, 18, 19, ... */
  major: number;
  /** Odoo's tuple, e.g. `[19, 0, 0, 'final', 0, '']`. */
  versionInfo: readonly (number | string)[];
}

/** A domain leaf: `['players_online', '>', 0]`. */
export type OdooDomainLeaf = readonly [field: string, operator: string, value: unknown];
/** A search domain in Odoo's prefix notation; leaves side by side are and-ed. */
export type OdooDomain = readonly (OdooDomainLeaf | '&' | '|' | '!')[];

/** Options every helper takes: Odoo's context, plus per-call timeout and abort signal. */
export interface OdooRequestOptions extends OdooCallOptions {
  context?: Readonly<Record<string, unknown>>;
}

export interface OdooSearchOptions extends OdooRequestOptions {
  limit?: number;
  offset?: number;
  /** Odoo's order clause, e.g. `'name asc, id desc'`. */
  order?: string;
}

export interface OdooSearchReadOptions extends OdooSearchOptions {
  /** Always name the fields: without them Odoo reads every field, computed ones included. */
  fields?: readonly string[];
}

/** What `ready()` checks beyond the server, the database and the key. */
export interface OdooReadyProbe {
  /** A model the key's user must be able to read, e.g. the addon's main model. */
  model: string;
  /**
   * Methods of that model that must answer, each called with arguments that change nothing
   * (e.g. a batch method with an empty batch).
   */
  calls?: readonly { method: string; args?: Readonly<Record<string, unknown>> }[];
}

/** What a successful `ready()` learnt. */
export interface OdooReadiness {
  version: OdooServerVersion;
  protocol: OdooProtocol;
}

export interface OdooReadGroupOptions extends OdooRequestOptions {
  /** Groups to skip and most groups to return, in the groupby order. */
  offset?: number;
  limit?: number;
}

/** The value of one groupby in a group. */
export type OdooGroupKey = OdooRef | Date | string | number | boolean | null;

/** One group of `readGroup`, the same on every Odoo version. */
export interface OdooGroup {
  /**
   * Each groupby spec's value: a many2one as `{id, name}`, a date part (`field:day`, ...) as
   * the UTC start of its range, anything else as Odoo gives it (`false` also means empty).
   * A group of records without a value has null for many2one and date parts.
   */
  keys: Record<string, OdooGroupKey>;
  /** Each aggregate spec's value (e.g. `polls:sum`), as Odoo computed it; null when none. */
  values: Record<string, number | string | boolean | null>;
  /** Records in the group. */
  count: number;
}

const DEFAULT_USER_AGENT = 'game-status-odoo-client';
const DEFAULT_CHUNK_SIZE = 500;

/**
 * A small typed Odoo client over JSON-2 (Odoo 19+) or JSON-RPC (Odoo 17/18, and 19).
 *
 * Every call runs under a timeout. Only reads retry here, briefly (see `readRetries`): writes
 * and model methods are repeated by the callers' queues, which `OdooError.retryable` guides.
 * The API key never appears in error messages.
 */
export class OdooClient {
  private readonly conn: OdooConnection;
  private readonly ownAgents: (http.Agent | https.Agent)[] = [];
  private readonly sharedTransport = new SharedPromise<OdooTransport>();
  private readonly sharedVersion = new SharedPromise<OdooServerVersion>();

  constructor(private readonly options: OdooClientOptions) {
    let instance = options.http;
    if (!instance) {
      // Keep-alive saves a TCP handshake per call, about 1.3x throughput on small calls.
      const httpAgent = new http.Agent({ keepAlive: true });
      const httpsAgent = new https.Agent({ keepAlive: true });
      this.ownAgents.push(httpAgent, httpsAgent);
      instance = axios.create({ httpAgent, httpsAgent });
    }
    this.conn = {
      url: options.url.replace(/\/+$/, ''),
      db: options.db,
      login: options.login,
      apiKey: options.apiKey,
      timeoutMs: options.timeoutMs,
      http: instance,
      userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    };
  }

  /** The protocol in use; with `auto`, asks the server once. */
  async protocol(options?: OdooCallOptions): Promise<OdooProtocol> {
    return (await this.transport(options)).protocol;
  }

  /** The server's version, asked once and remembered (a server that was down is asked again). */
  version(options?: OdooCallOptions): Promise<OdooServerVersion> {
    return this.sharedVersion.get(() => fetchServerVersion(this.conn, options));
  }

  /** Records matching `domain`, with the named fields (and `id`). */
  searchRead<T extends object = Record<string, unknown>>(
    model: string,
    domain: OdooDomain,
    options: OdooSearchReadOptions = {},
  ): Promise<T[]> {
    const { fields, limit, offset, order, context } = options;
    return this.call<T[]>(
      model,
      'search_read',
      { domain, fields, limit, offset, order, context },
      options,
    );
  }

  /**
   * Every record matching `domain`, in pages of `chunkSize` read one after the other, by id
   * (each page asks for ids above the last one seen, so a record created or deleted meanwhile
   * shifts no page). One call for a whole fleet would hold one of Odoo's workers, and every
   * call queued behind it, for as long as it takes to read and send all of it.
   */
  async searchReadAll<T extends { id: number }>(
    model: string,
    domain: OdooDomain,
    options: Omit<OdooSearchReadOptions, 'limit' | 'offset' | 'order'> = {},
  ): Promise<T[]> {
    const limit = this.chunkSize();
    const rows: T[] = [];
    for (let after = 0; ;) {
      const page = await this.searchRead<T>(model, [...domain, ['id', '>', after]], {
        ...options,
        limit,
        order: 'id',
      });
      rows.push(...page);
      const last = page.at(-1);
      if (page.length < limit || last === undefined) return rows;
      after = last.id;
    }
  }

  /** Ids of the records matching `domain`. */
  search(model: string, domain: OdooDomain, options: OdooSearchOptions = {}): Promise<number[]> {
    const { limit, offset, order, context } = options;
    return this.callRead<number[]>(
      model,
      'search',
      { domain, limit, offset, order, context },
      options,
    );
  }

  /** How many records match `domain` (counting stops at `limit` when given). */
  searchCount(
    model: string,
    domain: OdooDomain,
    options: OdooRequestOptions & { limit?: number } = {},
  ): Promise<number> {
    const { limit, context } = options;
    return this.callRead<number>(model, 'search_count', { domain, limit, context }, options);
  }

  /**
   * The records with these ids, in `chunkSize` ids per call; Odoo fails with `missing` if one
   * does not exist.
   */
  async read<T extends object = Record<string, unknown>>(
    model: string,
    ids: readonly number[],
    fields?: readonly string[],
    options: OdooRequestOptions = {},
  ): Promise<T[]> {
    const rows: T[] = [];
    for (const chunk of this.chunks(ids)) {
      rows.push(
        ...(await this.callRead<T[]>(
          model,
          'read',
          { ids: chunk, fields, context: options.context },
          options,
        )),
      );
    }
    return rows;
  }

  /**
   * Creates one record per entry; the new ids, in order. Up to `chunkSize` entries go in one
   * call and one transaction; a failure part-way leaves the earlier chunks created.
   */
  async create(
    model: string,
    valsList: readonly Readonly<Record<string, unknown>>[],
    options: OdooRequestOptions = {},
  ): Promise<number[]> {
    const ids: number[] = [];
    for (const chunk of this.chunks(valsList)) {
      const result = await this.call<number | number[]>(
        model,
        'create',
        { vals_list: chunk, context: options.context },
        options,
      );
      // JSON-RPC answers a bare id when Odoo saw a single dict; JSON-2 always a list.
      ids.push(...(typeof result === 'number' ? [result] : result));
    }
    return ids;
  }

  /**
   * Writes the same values to every record in `ids`, `chunkSize` records per call; a failure
   * part-way leaves the earlier chunks written.
   */
  async write(
    model: string,
    ids: readonly number[],
    vals: Readonly<Record<string, unknown>>,
    options: OdooRequestOptions = {},
  ): Promise<true> {
    for (const chunk of this.chunks(ids)) {
      await this.call<boolean>(
        model,
        'write',
        { ids: chunk, vals, context: options.context },
        options,
      );
    }
    return true;
  }

  /**
   * Deletes the records in `ids`, `chunkSize` per call; a failure part-way leaves the earlier
   * chunks deleted.
   */
  async unlink(
    model: string,
    ids: readonly number[],
    options: OdooRequestOptions = {},
  ): Promise<true> {
    for (const chunk of this.chunks(ids)) {
      await this.call<boolean>(model, 'unlink', { ids: chunk, context: options.context }, options);
    }
    return true;
  }

  /**
   * Groups the records matching `domain` by `groupby` (fields, or `field:granularity` for
   * dates: hour, day, week, month, quarter, year) and computes `aggregates` (`field:sum`,
   * `:avg`, `:min`, `:max`, `:count`, `:count_distinct`) per group, in one call, ordered by
   * the groupbys. Odoo 19 and later answer `formatted_read_group`; 17 and 18 answer
   * `read_group` with `lazy=False`; both come back in one shape. Date parts are cut in UTC
   * unless the context names a time zone.
   */
  async readGroup(
    model: string,
    domain: OdooDomain,
    groupby: readonly string[],
    aggregates: readonly string[],
    options: OdooReadGroupOptions = {},
  ): Promise<OdooGroup[]> {
    const { limit, offset, context } = options;
    const wanted = aggregates.filter((spec) => spec !== '__count');
    if ((await this.version(options)).major >= 19) {
      const rows = await this.callRead<Record<string, unknown>[]>(
        model,
        'formatted_read_group',
        { domain, groupby, aggregates: [...wanted, '__count'], limit, offset, context },
        options,
      );
      return rows.map((row) => ({
        keys: Object.fromEntries(groupby.map((spec) => [spec, groupKey(row[spec], undefined)])),
        values: Object.fromEntries(wanted.map((spec) => [spec, aggregateValue(row[spec])])),
        count: Number(row['__count']),
      }));
    }
    // read_group names an aggregate after its field, so two on one field would collide:
    // each gets an alias with Odoo's `alias:function(field)` form.
    const alias = (i: number) => `agg_${i}`;
    const fields = wanted.map((spec, i) => {
      const [field, fn] = spec.split(':');
      return `${alias(i)}:${fn ?? ''}(${field ?? ''})`;
    });
    const rows = await this.callRead<Record<string, unknown>[]>(
      model,
      'read_group',
      { domain, fields, groupby, offset, limit, lazy: false, context },
      options,
    );
    return rows.map((row) => {
      const ranges = row['__range'] as Record<string, { from?: unknown } | false> | undefined;
      return {
        keys: Object.fromEntries(
          groupby.map((spec) => [
            spec,
            ranges && spec in ranges
              ? groupKey(null, ranges[spec] === false ? false : ranges[spec]?.from)
              : groupKey(row[spec], undefined),
          ]),
        ),
        values: Object.fromEntries(wanted.map((spec, i) => [spec, aggregateValue(row[alias(i)])])),
        count: Number(row['__count']),
      };
    });
  }

  /**
   * Proves Odoo can do its part, or fails with an OdooError saying which step failed: the
   * server answers, the database exists and the key opens it, `probe.model` is readable (so
   * the addon is installed and the user may read it), and each probe call answers.
   */
  async ready(probe: OdooReadyProbe, options: OdooCallOptions = {}): Promise<OdooReadiness> {
    const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof OdooError)) throw err;
        throw notReady(what, err);
      }
    };
    const version = await step(`no Odoo answers at ${this.conn.url}`, () => this.version(options));
    const protocol = await step('cannot pick a protocol', () => this.protocol(options));
    await step(
      `cannot read ${probe.model} in database ${JSON.stringify(this.conn.db)} (wrong database, login or API key, or the addon is not installed)`,
      () => this.callRead(probe.model, 'search_count', { domain: [], limit: 1 }, options),
    );
    for (const { method, args } of probe.calls ?? []) {
      await step(`${probe.model}.${method} does not answer (addon out of date?)`, () =>
        this.call(probe.model, method, { ...args }, options),
      );
    }
    return { version, protocol };
  }

  /**
   * Calls a public @api.model method by its Python parameter names, e.g.
   * `callModel('game.server', 'apply_status_reports', { reports })`.
   */
  callModel<T>(
    model: string,
    method: string,
    namedArgs: Readonly<Record<string, unknown>> = {},
    options: OdooRequestOptions = {},
  ): Promise<T> {
    return this.call<T>(model, method, { ...namedArgs, context: options.context }, options);
  }

  /**
   * Any public model method: `ids` for record methods, the rest by Python parameter name.
   * `Date` values anywhere in the arguments are sent as Odoo UTC datetimes.
   */
  async call<T>(
    model: string,
    method: string,
    args: OdooCallArgs = {},
    options: OdooCallOptions = {},
  ): Promise<T> {
    const transport = await this.transport(options);
    const callOptions: OdooCallOptions = {
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.signal !== undefined && { signal: options.signal }),
    };
    return transport.call<T>(model, method, encodeValue(args) as OdooCallArgs, callOptions);
  }

  /** A read, repeated with a short jittered backoff while it fails in a retryable way. */
  private async callRead<T>(
    model: string,
    method: string,
    args: OdooCallArgs,
    options: OdooCallOptions,
  ): Promise<T> {
    const retries = this.options.readRetries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call<T>(model, method, args, options);
      } catch (err) {
        if (
          !(err instanceof OdooError) ||
          !err.retryable ||
          attempt >= retries ||
          options.signal?.aborted
        ) {
          throw err;
        }
        await sleep(
          100 * 2 ** attempt * (0.5 + Math.random()),
          undefined,
          options.signal ? { signal: options.signal } : {},
        );
      }
    }
  }

  /** Records or ids per call: the `chunkSize` option, at least 1. */
  private chunkSize(): number {
    return Math.max(1, this.options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  }

  private *chunks<T>(items: readonly T[]): Generator<readonly T[]> {
    const size = this.chunkSize();
    for (let start = 0; start < items.length; start += size) {
      yield items.slice(start, start + size);
    }
  }

  /** Frees the keep-alive sockets of the agents this client made itself. */
  close(): void {
    for (const agent of this.ownAgents) agent.destroy();
  }

  private transport(options?: OdooCallOptions): Promise<OdooTransport> {
    return this.sharedTransport.get(() => this.pickTransport(options));
  }

  private async pickTransport(options?: OdooCallOptions): Promise<OdooTransport> {
    let protocol = this.options.protocol;
    if (protocol === 'auto')
      protocol = (await this.version(options)).major >= 19 ? 'json2' : 'jsonrpc';
    return protocol === 'json2' ? new Json2Transport(this.conn) : new JsonRpcTransport(this.conn);
  }
}

/**
 * Asks `GET /web/version` (Odoo 19+) and, when that route is missing, the JSON-RPC route
 * `/web/webclient/version_info`, which every supported version serves without log-in.
 */
async function fetchServerVersion(
  conn: OdooConnection,
  options?: OdooCallOptions,
): Promise<OdooServerVersion> {
  const json2Ctx: OdooErrorContext = { protocol: 'json2', method: 'GET /web/version' };
  const web = await exchange(conn, { method: 'GET', path: '/web/version' }, json2Ctx, options);
  if (web.status === 200) {
    const parsed = toVersion(tryJson(web.body), 'version_info', 'version');
    if (parsed) return parsed;
  }

  const rpcCtx: OdooErrorContext = { protocol: 'jsonrpc', method: 'version_info' };
  const answer = await exchange(
    conn,
    {
      method: 'POST',
      path: '/web/webclient/version_info',
      body: { jsonrpc: '2.0', method: 'call', id: 1, params: {} },
    },
    rpcCtx,
    options,
  );
  if (answer.status !== 200) throw OdooError.fromHttpStatus(answer.status, rpcCtx);
  const body = parseJsonBody(answer, rpcCtx) as { result?: unknown; error?: unknown } | null;
  if (body?.error !== undefined) throw OdooError.fromJsonRpc(body.error, rpcCtx);
  const parsed = toVersion(body?.result, 'server_version_info', 'server_version');
  if (!parsed)
    throw OdooError.transport('version_info answer has no version', rpcCtx, 'ERR_BAD_RESPONSE');
  return parsed;
}

function toVersion(
  value: unknown,
  infoKey: string,
  nameKey: string,
): OdooServerVersion | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const info = (value as Record<string, unknown>)[infoKey];
  const name = (value as Record<string, unknown>)[nameKey];
  if (!Array.isArray(info)) return undefined;
  // Online builds spell the series 'saas~18' in the first slot.
  const major = Number(/^(?:saas~)?(\d+)$/.exec(String(info[0]))?.[1]);
  if (!Number.isInteger(major)) return undefined;
  const versionInfo = info.filter(
    (x): x is number | string => typeof x === 'number' || typeof x === 'string',
  );
  return {
    version: typeof name === 'string' ? name : `${major}.${String(info[1] ?? 0)}`,
    major,
    versionInfo,
  };
}

/**
 * One groupby value in the shared shape. `range` is the start of a date part's range when
 * read_group (17/18) gave one under `__range` (false for the group without a date).
 */
function groupKey(value: unknown, range: unknown): OdooGroupKey {
  if (range === false) return null;
  if (typeof range === 'string') return fromOdooDateOrDatetime(range);
  if (Array.isArray(value)) {
    // formatted_read_group (19) answers a date part as [range start, label].
    if (typeof value[0] === 'string') return fromOdooDateOrDatetime(value[0]);
    return fromMany2one(value);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return null;
}

function fromOdooDateOrDatetime(value: string): Date | null {
  return fromOdooDatetime(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value} 00:00:00` : value);
}

function aggregateValue(value: unknown): number | string | boolean | null {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
    ? value
    : null;
}

function notReady(what: string, err: OdooError): OdooError {
  // A database Odoo does not serve is named in full already; a guess in front would only blur it.
  return err.restated(
    err.kind === 'database'
      ? `Odoo not ready: ${err.message}`
      : `Odoo not ready: ${what}: ${err.message}`,
  );
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
