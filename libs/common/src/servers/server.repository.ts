import { Injectable } from '@nestjs/common';
import { fromOdooDatetime, OdooClient, toOdooDatetime } from '#odoo-client';
import {
  type CatalogServer,
  type NewServer,
  ODOO_APPLY_REPORTS_METHOD,
  ODOO_SERVER_MODEL,
  type ServerView,
} from '../catalog.js';
import type { StatusReport } from '../status-report.js';

const CATALOG_FIELDS = [
  'id',
  'name',
  'game',
  'host',
  'port',
  'query_port',
  'poll_interval',
  'active',
];
const VIEW_FIELDS = [
  ...CATALOG_FIELDS,
  'notes',
  'is_online',
  'players_online',
  'players_max',
  'bots',
  'latency_ms',
  'map_name',
  'version',
  'game_mode',
  'motd',
  'password_protected',
  'player_names',
  'last_checked',
  'last_online',
  'last_error_code',
  'last_error',
  'consecutive_failures',
];

/** A game.server record as Odoo returns it: empty fields come back as `false`. */
type OdooServer = Record<string, unknown> & { id: number };

/** What game.server.apply_status_reports answers. */
export interface ApplyResult {
  applied: number;
  ignored: number;
  /** Servers that no longer exist in Odoo; their reports were dropped. */
  missing: number[];
}

/**
 * The catalog and live status of game servers, kept in Odoo's game.server model.
 * The only place that knows the model's field names.
 */
@Injectable()
export class ServerRepository {
  constructor(private readonly odoo: OdooClient) {}

  /** Every active server, as the scheduler needs them. */
  async listCatalog(): Promise<CatalogServer[]> {
    const rows = await this.odoo.searchRead<OdooServer>(ODOO_SERVER_MODEL, [], {
      fields: CATALOG_FIELDS,
      order: 'id',
    });
    return rows.map(toCatalog);
  }

  async list(opts: {
    limit: number;
    offset: number;
  }): Promise<{ items: ServerView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.odoo.searchRead<OdooServer>(ODOO_SERVER_MODEL, [], {
        fields: VIEW_FIELDS,
        order: 'name, id',
        limit: opts.limit,
        offset: opts.offset,
      }),
      this.odoo.searchCount(ODOO_SERVER_MODEL, []),
    ]);
    return { items: rows.map(toView), total };
  }

  async get(id: number): Promise<ServerView | null> {
    const rows = await this.odoo.searchRead<OdooServer>(ODOO_SERVER_MODEL, [['id', '=', id]], {
      fields: VIEW_FIELDS,
      limit: 1,
    });
    return rows[0] ? toView(rows[0]) : null;
  }

  async create(server: NewServer): Promise<ServerView> {
    const [id] = await this.odoo.create(ODOO_SERVER_MODEL, [
      {
        name: server.name,
        game: server.game,
        host: server.host,
        port: server.port,
        query_port: server.queryPort ?? false,
        ...(server.pollIntervalS ? { poll_interval: server.pollIntervalS } : {}),
        notes: server.notes ?? false,
      },
    ]);
    const created = id === undefined ? null : await this.get(id);
    if (!created) throw new Error(`Odoo created no ${ODOO_SERVER_MODEL} record`);
    return created;
  }

  async delete(id: number): Promise<void> {
    await this.odoo.unlink(ODOO_SERVER_MODEL, [id]);
  }

  /** One RPC, one Odoo transaction for the whole batch. */
  async applyReports(reports: StatusReport[]): Promise<ApplyResult> {
    return this.odoo.callModel<ApplyResult>(ODOO_SERVER_MODEL, ODOO_APPLY_REPORTS_METHOD, {
      reports: reports.map((r) => ({
        server_id: r.serverId,
        checked_at: toOdooDatetime(new Date(r.checkedAt)),
        // Odoo datetimes keep whole seconds; this orders two reports of the same second.
        checked_at_ms: Date.parse(r.checkedAt),
        online: r.online,
        latency_ms: r.latencyMs,
        players_online: r.playersOnline,
        players_max: r.playersMax,
        bots: r.bots,
        player_names: r.playerNames,
        name: r.name,
        map: r.map,
        version: r.version,
        game_mode: r.gameMode,
        password_protected: r.passwordProtected,
        error_code: r.error?.code ?? null,
        error_message: r.error?.message ?? null,
      })),
    });
  }
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function int(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function date(value: unknown): string | null {
  return typeof value === 'string' ? (fromOdooDatetime(value)?.toISOString() ?? null) : null;
}

function toCatalog(row: OdooServer): CatalogServer {
  return {
    id: row.id,
    name: str(row.name) ?? '',
    game: str(row.game) ?? '',
    host: str(row.host) ?? '',
    port: int(row.port) ?? 0,
    queryPort: int(row.query_port) || null,
    pollIntervalS: int(row.poll_interval) || null,
    active: row.active !== false,
  };
}

function toView(row: OdooServer): ServerView {
  const errorCode = str(row.last_error_code);
  return {
    ...toCatalog(row),
    notes: str(row.notes),
    status: {
      online: row.is_online === true,
      playersOnline: int(row.players_online),
      playersMax: int(row.players_max),
      bots: int(row.bots),
      latencyMs: int(row.latency_ms),
      map: str(row.map_name),
      version: str(row.version),
      gameMode: str(row.game_mode),
      motd: str(row.motd),
      passwordProtected:
        typeof row.password_protected === 'boolean' ? row.password_protected : null,
      playerNames: str(row.player_names)?.split('\n') ?? [],
      lastChecked: date(row.last_checked),
      lastOnline: date(row.last_online),
      lastError: errorCode ? { code: errorCode, message: str(row.last_error) ?? '' } : null,
      consecutiveFailures: int(row.consecutive_failures) ?? 0,
    },
  };
}
