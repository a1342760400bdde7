import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';

/** class-transformer hook: a comma-separated variable becomes a list of trimmed entries. */
export const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

const API_KEY_ENTRY = '[A-Za-z0-9_.-]+:(?:viewer|admin):[^\\s,]{16,}';
const API_KEY_LIST = new RegExp(
  `^\\s*${API_KEY_ENTRY}(?:\\s*[,\\n]\\s*${API_KEY_ENTRY})*\\s*,?\\s*$`,
);

export const REDIS_MODES = ['single', 'cluster'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];

/**
 * Redis's rule for a hash tag: the text between the first `{` and the next `}`, when not
 * empty, is all that is hashed. A key of `{gss}:poll:wait` hashes as `gss`.
 */
const HASH_TAGGED = /^[^{]*\{[^}]+\}/;
const HOST_PORT = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/**
 * A rule on one Redis variable that depends on REDIS_MODE. The message must name the
 * variable and say how to fix it.
 */
function ForRedisMode(
  holds: (value: unknown, mode: RedisMode) => boolean,
  message: (value: unknown) => string,
): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          holds(value, (args.object as RedisEnv).REDIS_MODE),
        defaultMessage: (args: ValidationArguments) => message(args.value),
      },
    });
}

/**
 * The database a Redis URL selects by its path (`/2`), 0 without one; undefined when the URL
 * holds more than that (a query, a fragment, another path), which the connection would not read.
 */
export function redisDatabase(url: string): number | undefined {
  if (!URL.canParse(url)) return undefined;
  const { pathname, search, hash } = new URL(url);
  const path = /^\/?(\d*)$/.exec(pathname);
  return path && !search && !hash ? Number(path[1] || 0) : undefined;
}

/** Redis and the queues on it: one Redis (self-hosted or managed) or a Redis Cluster. */
export class RedisEnv {
  /**
   * `redis://[user:password@]host:port[/db]`, `rediss://` for TLS. With REDIS_MODE=cluster,
   * any node of the cluster (or a managed cluster's configuration endpoint); its scheme and
   * credentials then hold for every node.
   */
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  @ForRedisMode(
    (url, mode) => {
      // A URL that is no URL at all is IsUrl's to report.
      if (typeof url !== 'string' || !URL.canParse(url)) return true;
      const db = redisDatabase(url);
      return db !== undefined && (mode !== 'cluster' || db === 0);
    },
    () =>
      'REDIS_URL may hold only a database number after host:port (e.g. /2), and on a cluster only database 0',
  )
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** `single`: one Redis at REDIS_URL. `cluster`: a Redis Cluster, discovered from REDIS_URL. */
  @IsIn(REDIS_MODES)
  REDIS_MODE: RedisMode = 'single';

  /**
   * More cluster nodes (`host:port`, comma-separated) to discover the cluster from, so that a
   * start does not depend on REDIS_URL's node alone.
   */
  @Transform(toList)
  @Matches(HOST_PORT, { each: true, message: 'REDIS_CLUSTER_NODES entries must be host:port' })
  // Seed nodes mean nothing to a single Redis; accepting them silently would hide a mistake.
  @ForRedisMode(
    (nodes, mode) => mode === 'cluster' || (Array.isArray(nodes) && nodes.length === 0),
    () => 'REDIS_CLUSTER_NODES is only read with REDIS_MODE=cluster',
  )
  REDIS_CLUSTER_NODES: string[] = [];

  /** Replaces the password of REDIS_URL, so that it can come from a secret (REDIS_PASSWORD_FILE). */
  @IsOptional()
  @IsString()
  REDIS_PASSWORD: string | undefined = undefined;

  /** Key prefix of every queue; separate deployments (or test runs) on one Redis use different ones. */
  @Matches(/^[A-Za-z0-9_{}.-]+$/, { message: 'may hold only letters, digits, _ - . { }' })
  // BullMQ's scripts touch several keys of a queue in one call, which a cluster runs only
  // when all of them hash to one slot.
  @ForRedisMode(
    (prefix, mode) =>
      mode !== 'cluster' || (typeof prefix === 'string' && HASH_TAGGED.test(prefix)),
    (prefix) =>
      `QUEUE_PREFIX has no hash tag, and REDIS_MODE=cluster needs one so that all keys of a queue land in one slot: use e.g. QUEUE_PREFIX={${String(prefix).replace(/[{}]/g, '')}}`,
  )
  QUEUE_PREFIX: string = 'gss';
}

/** The Odoo database that holds the catalog and receives the status. */
export class OdooEnv {
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  ODOO_URL!: string;

  @IsString()
  @IsNotEmpty()
  ODOO_DB!: string;

  @IsString()
  @IsNotEmpty()
  ODOO_LOGIN!: string;

  /** An API key (or the password) of ODOO_LOGIN; never logged. */
  @IsString()
  @IsNotEmpty()
  ODOO_API_KEY!: string;

  @IsIn(['auto', 'json2', 'jsonrpc'])
  ODOO_PROTOCOL: 'auto' | 'json2' | 'jsonrpc' = 'auto';

  @IsInt()
  @Min(100)
  @Max(600_000)
  ODOO_TIMEOUT_MS: number = 30_000;
}

/** Read by the poller's scheduler and by the API (which cancels a deleted server's pending poll). */
export class ScheduleEnv {
  /** Default seconds between two polls of a server (a server may set its own). */
  @IsInt()
  @Min(1)
  @Max(86_400)
  POLL_INTERVAL_S: number = 60;
}

export const POLLER_ROLES = ['scheduler', 'worker', 'writer', 'notifier'] as const;
export type PollerRole = (typeof POLLER_ROLES)[number];
/**
 * What a poller runs when POLLER_ROLES is not set. The notifier is asked for by name: it sends
 * to outside services (Discord, Slack, ...), which a test or a development machine should not
 * do by surprise.
 */
export const DEFAULT_POLLER_ROLES: readonly PollerRole[] = ['scheduler', 'worker', 'writer'];

/** Which roles a poller process runs; read on its own, since it decides what else is needed. */
export class PollerRolesEnv {
  @Transform(toList)
  @IsIn(POLLER_ROLES, {
    each: true,
    message: `each role must be one of ${POLLER_ROLES.join(', ')}`,
  })
  @IsNotEmpty()
  POLLER_ROLES: PollerRole[] = [...DEFAULT_POLLER_ROLES];
}

/** How the notifier sends what Odoo's notification rules route to channels. */
export class NotifyEnv {
  /** How often the notifier asks Odoo for new pending deliveries. */
  @IsInt()
  @Min(100)
  @Max(600_000)
  NOTIFY_POLL_MS: number = 2_000;

  /** Messages in flight per notifier process. */
  @IsInt()
  @Min(1)
  @Max(1_000)
  NOTIFY_CONCURRENCY: number = 10;

  /** Tries of one message before it is failed (a 429 wait does not count as a try). */
  @IsInt()
  @Min(1)
  @Max(100)
  NOTIFY_ATTEMPTS: number = 10;

  /** One send's time limit, from connecting to the last byte of the answer. */
  @IsInt()
  @Min(500)
  @Max(120_000)
  NOTIFY_TIMEOUT_MS: number = 10_000;

  /** Longest wait between two tries (they start at 2 s and double up to this). */
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  NOTIFY_MAX_BACKOFF_MS: number = 300_000;

  /**
   * Least time between two messages to one channel from one process: Discord allows about 30
   * messages a minute per webhook and Slack about one a second, so 1 s keeps under both.
   */
  @IsInt()
  @Min(0)
  @Max(60_000)
  NOTIFY_CHANNEL_PACE_MS: number = 1_000;
}

/** How the poller's roles run. */
export class PollerEnv {
  /** One query's time limit; an offline server holds a worker slot this long. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  POLL_TIMEOUT_MS: number = 3_000;

  /** Queries in flight per worker process: size it from rate x timeout, not from CPU. */
  @IsInt()
  @Min(1)
  @Max(20_000)
  POLL_CONCURRENCY: number = 200;

  /** How often the scheduler looks for servers whose slot has started. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  SCHEDULER_TICK_MS: number = 1_000;

  /** How often the scheduler re-reads the catalog from Odoo. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  CATALOG_SYNC_MS: number = 10_000;

  /**
   * How often the scheduler reads the whole catalog instead of only what changed: a safety
   * net under the incremental sync (which reads changes by Odoo's write_date).
   */
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  CATALOG_FULL_SYNC_MS: number = 600_000;

  /** Reports per Odoo call at most. */
  @IsInt()
  @Min(1)
  @Max(5_000)
  WRITER_BATCH_SIZE: number = 500;

  /**
   * Longest a report waits in the queue for its batch to fill. 3 s fills batches of 500 from
   * 10,000 servers a minute (167 reports/s; 1 s gave ~180, over one RPC per 200 reports), and
   * is small beside the staleness budget of interval + 10 s.
   */
  @IsInt()
  @Min(10)
  @Max(60_000)
  WRITER_FLUSH_MS: number = 3_000;

  /**
   * HTTP workers of the Odoo the writer writes to (its `--workers`); 0 for a threaded Odoo or
   * one whose workers are not known. The writer cannot see it, and it bounds WRITER_LANES.
   */
  @IsInt()
  @Min(0)
  @Max(1_024)
  ODOO_WORKERS: number = 0;

  /**
   * Odoo calls the writer makes at once, each with the reports of other servers. One suits an
   * Odoo that works on one call at a time (threaded, `--workers 0`); an Odoo with several
   * workers takes a backlog faster with more lanes, but never with all of them (see
   * maxWriterLanes). A round then collects up to WRITER_BATCH_SIZE x WRITER_LANES reports.
   */
  @IsInt()
  @Min(1)
  @Max(32)
  @LeavesOdooAWorker()
  WRITER_LANES: number = 1;
}

/**
 * The most writer lanes an Odoo with `odooWorkers` HTTP workers takes: one worker always stays
 * free for people and the API. With every worker writing (2 lanes on `--workers 2`, real
 * Odoo 19, 10,000 servers going offline at once) a list of 50 took 647 ms at p95 and 7.7 s at
 * p99, against 124 ms at p95 with one lane. A threaded or unknown Odoo (0) gets one lane.
 */
export function maxWriterLanes(odooWorkers: number): number {
  return Math.max(1, odooWorkers - 1);
}

/** Refuses WRITER_LANES above maxWriterLanes(ODOO_WORKERS), naming both and the rule. */
function LeavesOdooAWorker(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (lanes: unknown, args: ValidationArguments) => {
          const workers = (args.object as PollerEnv).ODOO_WORKERS;
          // Values that are no whole numbers are IsInt's to report.
          if (!Number.isInteger(lanes) || !Number.isInteger(workers)) return true;
          return (lanes as number) <= maxWriterLanes(workers);
        },
        defaultMessage: (args: ValidationArguments) => {
          const workers = (args.object as PollerEnv).ODOO_WORKERS;
          return (
            `WRITER_LANES=${String(args.value)} with ODOO_WORKERS=${workers} would take every ` +
            `Odoo worker and leave none for people and the API: WRITER_LANES may be at most ` +
            `max(1, ODOO_WORKERS - 1) = ${maxWriterLanes(workers)}. Set ODOO_WORKERS to Odoo's ` +
            `--workers (unset or 0: a threaded Odoo, one lane)`
          );
        },
      },
    });
}

/** The HTTP API. */
export class ApiEnv {
  @IsInt()
  @Min(0)
  @Max(65_535)
  PORT: number = 3000;

  @IsString()
  @IsNotEmpty()
  API_HOST: string = '0.0.0.0';

  /** Requests one key (or, without a valid key, one client address) may make per window. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  API_RATE_LIMIT: number = 600;

  @IsInt()
  @Min(1)
  @Max(86_400)
  API_RATE_WINDOW_S: number = 60;

  /**
   * Seconds the public status page's data is kept: at most one Odoo call per period, however
   * many players ask.
   */
  @IsInt()
  @Min(1)
  @Max(3_600)
  PUBLIC_CACHE_S: number = 10;

  /** Requests one client address may make to the public pages per API_RATE_WINDOW_S. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  PUBLIC_RATE_LIMIT: number = 120;
}

/** Who may call the API; read apart from ApiEnv because it has no default. */
export class ApiKeysEnv {
  /**
   * `name:role:key` entries (role `viewer` or `admin`) separated by commas or new lines;
   * API_KEYS_FILE holds the same list. Keys are never logged.
   */
  @Matches(API_KEY_LIST, {
    message:
      'API_KEYS must list name:role:key entries separated by commas or new lines (role viewer or admin, key of at least 16 characters without spaces or commas)',
  })
  API_KEYS!: string;
}

/** The poller's Prometheus endpoint, off unless METRICS_PORT is set. */
export class MetricsEnv {
  /** 0 picks a free port. */
  @IsOptional()
  // An optional number has no runtime type to convert to: say which.
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65_535)
  METRICS_PORT: number | undefined = undefined;

  @IsString()
  @IsNotEmpty()
  METRICS_HOST: string = '0.0.0.0';
}
