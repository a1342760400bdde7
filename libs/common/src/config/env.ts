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
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Redis and the queues on it. */
export class RedisEnv {
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** Key prefix of every queue; separate deployments (or test runs) on one Redis use different ones. */
  @Matches(/^[A-Za-z0-9_{}.-]+$/, { message: 'may hold only letters, digits, _ - . { }' })
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

export const POLLER_ROLES = ['scheduler', 'worker', 'writer'] as const;
export type PollerRole = (typeof POLLER_ROLES)[number];

/** Which roles a poller process runs; read on its own, since it decides what else is needed. */
export class PollerRolesEnv {
  @Transform(toList)
  @IsIn(POLLER_ROLES, {
    each: true,
    message: `each role must be one of ${POLLER_ROLES.join(', ')}`,
  })
  @IsNotEmpty()
  POLLER_ROLES: PollerRole[] = [...POLLER_ROLES];
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

  /** How long the writer waits to fill a batch before it sends what it has. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  WRITER_FLUSH_MS: number = 1_000;
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

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
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
