import { Injectable } from '@nestjs/common';
import {
  fromOdooDatetime,
  OdooClient,
  type OdooDomain,
  type OdooDomainLeaf,
  toOdooDatetime,
} from '#odoo-client';
import {
  type CatalogServer,
  type NewServer,
  ODOO_APPLY_REPORTS_METHOD,
  ODOO_SERVER_MODEL,
  type ServerCustomer,
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
  'partner_id',
  'tag_ids',
  'published',
  'show_address',
  'public_slug',
];

/** Tags servers are sorted by, by name (game.server.tag). */
const TAG_MODEL = 'game.server.tag';
/** Contacts, a server's customer among them. */
const PARTNER_MODEL = 'res.partner';

/** What a server list can be sorted by, and the game.server field behind each key. */
const SORT_FIELDS = {
  name: 'name',
  game: 'game',
  players: 'players_online',
  latency: 'latency_ms',
  lastChecked: 'last_checked',
  id: 'id',
} as const;
export type ServerSortKey = keyof typeof SORT_FIELDS;
export const SERVER_SORT_KEYS = Object.keys(SORT_FIELDS) as ServerSortKey[];

/** Which servers a list shows, and in which order. */
export interface ServerListQuery {
  limit: number;
  offset: number;
  game?: string;
  online?: boolean;
  /** Archived servers are listed only when asked for with `false`. */
  active?: boolean;
  /** Part of the name, host or game, any case. */
  text?: string;
  /** Only the servers of this customer (a contact's id). */
  customerId?: number;
  /** Only the servers with this tag (its exact name). */
  tag?: string;
  /** Default `name`; ties are broken by id. */
  sort?: ServerSortKey;
  descending?: boolean;
}

/** Catalog fields to change; null clears an optional field, undefined leaves it alone. */
export type ServerChanges = Partial<NewServer> & { active?: boolean };

/** A game.server record as Odoo returns it: empty fields come back as `false`. */
type OdooServer = Record<string, unknown> & { id: number };

/** What game.server.apply_status_reports answers. */
export interface ApplyResult {
  /** Reports applied: live fields, a stat bucket each, outages. */
  applied: number;
  /** Reports not newer than the last one applied to their server (a replay, or late). */
  ignored: number;
  /** Servers that no longer exist in Odoo; their reports were dropped. */
  missing: number[];
  outagesOpened: number;
  outagesClosed: number;
}

/** Odoo's games: id (GameDig's) and name, which its views show a server's game by. */
const GAME_MODEL = 'game.server.game';

/** A game as {@link ServerRepository.syncGames} sends it. */
export interface GameName {
  /** The game id servers carry in `game`, e.g. `counterstrike2`. */
  id: string;
  name: string;
}

/** What game.server.game.sync_games answers. */
export interface GameSyncResult {
  created: number;
  renamed: number;
}

/** Odoo's log of deleted game servers, which lets the catalog sync see deletions cheaply. */
const DELETION_MODEL = 'game.server.deletion';

/** What changed in the catalog since a moment. */
export interface CatalogChanges {
  /** Servers created or written since, as they are now; archived ones have `active` false. */
  changed: CatalogServer[];
  /** Ids of servers deleted since. */
  deleted: number[];
}

/** An Odoo datetime ('YYYY-MM-DD HH:MM:SS', UTC) as ISO 8601. */
function isoTime(value: string): string {
  return fromOdooDatetime(value)?.toISOString() ?? value;
}

/** game.server.public_status's shape (Odoo's names). */
interface OdooPublicServer {
  slug: string;
  name: string;
  game: string;
  online: boolean;
  players: number;
  players_max: number;
  map: string | null;
  version: string | null;
  last_checked: string | null;
  uptime_30d: number;
  host: string | null;
  port: number | null;
  players_24h: (number | null)[];
}

/** A published server as players see it; host and port are null unless it shows its address. */
export interface PublicServer {
  slug: string;
  name: string;
  game: string;
  online: boolean;
  players: number;
  playersMax: number;
  map: string | null;
  version: string | null;
  /** ISO 8601 UTC. */
  lastChecked: string | null;
  uptime30d: number;
  host: string | null;
  port: number | null;
  /** Average players in each hour of `PublicStatus.hours`; null for an hour without a poll. */
  players24h: (number | null)[];
}

export interface PublicStatus {
  /** The 24 hours of the charts, oldest first, ISO 8601 UTC; the last is the current hour. */
  hours: string[];
  servers: PublicServer[];
}

/**
 * The catalog and live status of game servers, kept in Odoo's game.server model.
 * The only place that knows the model's field names.
 */
@Injectable()
export class ServerRepository {
  constructor(private readonly odoo: OdooClient) {}

  /**
   * Every active server, as the scheduler needs them for its full sync; with
   * `includeArchived`, the archived ones too (the whole catalog, as `seed` compares and copies it).
   */
  async listCatalog({ includeArchived = false } = {}): Promise<CatalogServer[]> {
    const rows = await this.odoo.searchReadAll<OdooServer>(ODOO_SERVER_MODEL, [], {
      fields: CATALOG_FIELDS,
      ...(includeArchived && { context: { active_test: false } }),
    });
    return rows.map(toCatalog);
  }

  /**
   * Servers whose catalog fields changed, and servers deleted, at or after `since` (Odoo keeps
   * whole seconds, so the caller leaves a margin): two reads whose size follows the changes,
   * not the fleet. `catalog_write_date`, unlike `write_date`, does not move with status reports.
   * Archived servers are included (`active_test` off) so that the caller stops polling them.
   */
  async catalogChanges(since: Date): Promise<CatalogChanges> {
    const from = toOdooDatetime(since);
    const [rows, deletions] = await Promise.all([
      this.odoo.searchReadAll<OdooServer>(ODOO_SERVER_MODEL, [['catalog_write_date', '>=', from]], {
        fields: CATALOG_FIELDS,
        context: { active_test: false },
      }),
      this.odoo.searchRead<{ server_ref: unknown }>(DELETION_MODEL, [['deleted_at', '>=', from]], {
        fields: ['server_ref'],
      }),
    ]);
    return {
      changed: rows.map(toCatalog),
      deleted: deletions
        .map((d) => d.server_ref)
        .filter((id): id is number => typeof id === 'number'),
    };
  }

  /** One page of servers matching the filters, and how many match in all. */
  async list(query: ServerListQuery): Promise<{ items: ServerView[]; total: number }> {
    const tagIds = query.tag === undefined ? undefined : await this.findTagIds([query.tag]);
    if (tagIds?.length === 0) return { items: [], total: 0 };
    const domain = listDomain(query, tagIds);
    const direction = query.descending ? 'desc' : 'asc';
    const [rows, total] = await Promise.all([
      this.odoo.searchRead<OdooServer>(ODOO_SERVER_MODEL, domain, {
        fields: VIEW_FIELDS,
        // The id breaks ties, so pages never overlap or skip a server.
        order: `${SORT_FIELDS[query.sort ?? 'name']} ${direction}, id ${direction}`,
        limit: query.limit,
        offset: query.offset,
      }),
      this.odoo.searchCount(ODOO_SERVER_MODEL, domain),
    ]);
    return { items: await this.views(rows), total };
  }

  /** One server, archived or not; null when it does not exist. */
  async get(id: number): Promise<ServerView | null> {
    const rows = await this.odoo.searchRead<OdooServer>(ODOO_SERVER_MODEL, [['id', '=', id]], {
      fields: VIEW_FIELDS,
      limit: 1,
      context: { active_test: false },
    });
    return rows[0] ? ((await this.views(rows))[0] ?? null) : null;
  }

  /** Whether Odoo has this contact, which a server's customer must be. */
  async customerExists(id: number): Promise<boolean> {
    return (await this.odoo.searchCount(PARTNER_MODEL, [['id', '=', id]])) > 0;
  }

  async create(server: NewServer): Promise<ServerView> {
    const [id] = await this.odoo.create(ODOO_SERVER_MODEL, [
      { ...toVals(server), ...(await this.relationVals(server)) },
    ]);
    const created = id === undefined ? null : await this.get(id);
    if (!created) throw new Error(`Odoo created no ${ODOO_SERVER_MODEL} record`);
    return created;
  }

  /**
   * Creates many servers, archived ones too (`active: false`), and answers their ids in order.
   * Odoo's client sends one create RPC (one transaction) per chunk of its chunk size (500);
   * a failure part-way leaves the earlier chunks created.
   */
  async createMany(servers: readonly (NewServer & { active?: boolean })[]): Promise<number[]> {
    const tagIds = await this.tagIds(servers.flatMap((server) => server.tags ?? []));
    return this.odoo.create(
      ODOO_SERVER_MODEL,
      servers.map((server) => ({
        ...toVals(server),
        ...(server.active === false && { active: false }),
        ...(server.customerId && { partner_id: server.customerId }),
        ...(server.tags?.length && { tag_ids: [[6, 0, idsOf(server.tags, tagIds)]] }),
      })),
    );
  }

  /** For each text, the contacts whose name or reference is exactly that text. */
  async matchContacts(texts: readonly string[]): Promise<Map<string, number[]>> {
    const rows = await this.odoo.searchReadAll<{ id: number; name: unknown; ref: unknown }>(
      PARTNER_MODEL,
      ['|', ['name', 'in', [...texts]], ['ref', 'in', [...texts]]],
      { fields: ['name', 'ref'] },
    );
    return new Map(
      texts.map((text) => [
        text,
        rows.filter((row) => row.name === text || row.ref === text).map((row) => row.id),
      ]),
    );
  }

  /**
   * Creates one company per name, through the addon's method: the service user may read
   * contacts but not create them otherwise.
   */
  async createContacts(names: readonly string[]): Promise<Map<string, number>> {
    const made = await this.odoo.callModel<Record<string, number>>(
      PARTNER_MODEL,
      'game_server_create_customers',
      { names: [...names] },
    );
    return new Map(names.map((name) => [name, made[name.trim()]!]));
  }

  /**
   * Changes the given catalog fields; null clears an optional one. Odoo answers a
   * server that does not exist with a `missing` OdooError.
   */
  async update(id: number, changes: ServerChanges): Promise<ServerView> {
    const vals: Record<string, unknown> = {};
    if (changes.name !== undefined) vals['name'] = changes.name;
    if (changes.game !== undefined) vals['game'] = changes.game;
    if (changes.host !== undefined) vals['host'] = changes.host;
    if (changes.port !== undefined) vals['port'] = changes.port;
    if (changes.queryPort !== undefined) vals['query_port'] = changes.queryPort ?? false;
    if (changes.pollIntervalS !== undefined) vals['poll_interval'] = changes.pollIntervalS ?? false;
    if (changes.notes !== undefined) vals['notes'] = changes.notes ?? false;
    if (changes.active !== undefined) vals['active'] = changes.active;
    if (changes.published !== undefined) vals['published'] = changes.published;
    if (changes.showAddress !== undefined) vals['show_address'] = changes.showAddress;
    Object.assign(vals, await this.relationVals(changes));
    await this.odoo.write(ODOO_SERVER_MODEL, [id], vals);
    const updated = await this.get(id);
    if (!updated) throw new Error(`${ODOO_SERVER_MODEL} ${id} vanished while being updated`);
    return updated;
  }

  async delete(id: number): Promise<void> {
    await this.odoo.unlink(ODOO_SERVER_MODEL, [id]);
  }

  /**
   * Gives Odoo the name of every game: it creates the games it lacks and renames the others
   * (games left out stay), so a game GameDig adds shows by name without an addon upgrade.
   * One RPC, one transaction; sending the same table again changes nothing.
   */
  syncGames(games: readonly GameName[]): Promise<GameSyncResult> {
    return this.odoo.callModel<GameSyncResult>(GAME_MODEL, 'sync_games', {
      games: games.map(({ id, name }) => ({ code: id, name })),
    });
  }

  /** One RPC, one Odoo transaction for the whole batch. */
  async applyReports(reports: StatusReport[]): Promise<ApplyResult> {
    const result = await this.odoo.callModel<{
      applied: number;
      ignored: number;
      missing: number[];
      outages_opened?: number;
      outages_closed?: number;
    }>(ODOO_SERVER_MODEL, ODOO_APPLY_REPORTS_METHOD, {
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
    return {
      applied: result.applied,
      ignored: result.ignored,
      missing: result.missing,
      outagesOpened: result.outages_opened ?? 0,
      outagesClosed: result.outages_closed ?? 0,
    };
  }

  /** The published servers as players see them (game.server.public_status): one call. */
  async publicStatus(): Promise<PublicStatus> {
    const result = await this.odoo.callModel<{ hours: string[]; servers: OdooPublicServer[] }>(
      ODOO_SERVER_MODEL,
      'public_status',
      {},
    );
    return {
      hours: result.hours.map(isoTime),
      servers: result.servers.map((s) => ({
        slug: s.slug,
        name: s.name,
        game: s.game,
        online: s.online,
        players: s.players,
        playersMax: s.players_max,
        map: s.map,
        version: s.version,
        lastChecked: s.last_checked === null ? null : isoTime(s.last_checked),
        uptime30d: s.uptime_30d,
        host: s.host,
        port: s.port,
        players24h: s.players_24h,
      })),
    };
  }

  /** The rows as the API shows them, with their tags' names (one read for the whole page). */
  private async views(rows: readonly OdooServer[]): Promise<ServerView[]> {
    const ids = [...new Set(rows.flatMap((row) => idList(row.tag_ids)))];
    const names = new Map<number, string>();
    if (ids.length > 0) {
      const tags = await this.odoo.searchRead<{ id: number; name: string }>(
        TAG_MODEL,
        [['id', 'in', ids]],
        { fields: ['name'] },
      );
      for (const tag of tags) names.set(tag.id, tag.name);
    }
    return rows.map((row) => toView(row, names));
  }

  /** partner_id and tag_ids for the customer and tags given; nothing for those left out. */
  private async relationVals(
    changes: Pick<NewServer, 'customerId' | 'tags'>,
  ): Promise<Record<string, unknown>> {
    const vals: Record<string, unknown> = {};
    if (changes.customerId !== undefined) vals['partner_id'] = changes.customerId ?? false;
    if (changes.tags !== undefined) {
      vals['tag_ids'] = [[6, 0, idsOf(changes.tags, await this.tagIds(changes.tags))]];
    }
    return vals;
  }

  /** The ids of the tags with these (trimmed) names, by name; those Odoo lacks are created. */
  private async tagIds(names: readonly string[]): Promise<Map<string, number>> {
    const wanted = [...new Set(names.map((name) => name.trim()).filter((name) => name !== ''))];
    if (wanted.length === 0) return new Map();
    const found = await this.odoo.searchRead<{ id: number; name: string }>(
      TAG_MODEL,
      [['name', 'in', wanted]],
      { fields: ['name'] },
    );
    const byName = new Map(found.map((tag) => [tag.name, tag.id]));
    const missing = wanted.filter((name) => !byName.has(name));
    if (missing.length > 0) {
      const created = await this.odoo.create(
        TAG_MODEL,
        missing.map((name) => ({ name })),
      );
      missing.forEach((name, i) => byName.set(name, created[i]!));
    }
    return byName;
  }

  private async findTagIds(names: readonly string[]): Promise<number[]> {
    const tags = await this.odoo.searchRead<{ id: number }>(TAG_MODEL, [['name', 'in', names]], {
      fields: ['id'],
    });
    return tags.map((tag) => tag.id);
  }
}

function toVals(server: NewServer): Record<string, unknown> {
  return {
    name: server.name,
    game: server.game,
    host: server.host,
    port: server.port,
    query_port: server.queryPort ?? false,
    ...(server.pollIntervalS ? { poll_interval: server.pollIntervalS } : {}),
    notes: server.notes ?? false,
    ...(server.published !== undefined && { published: server.published }),
    ...(server.showAddress !== undefined && { show_address: server.showAddress }),
  };
}

function listDomain(query: ServerListQuery, tagIds?: readonly number[]): OdooDomain {
  const domain: (OdooDomainLeaf | '|')[] = [];
  if (query.game !== undefined) domain.push(['game', '=', query.game]);
  if (query.customerId !== undefined) domain.push(['partner_id', '=', query.customerId]);
  if (tagIds !== undefined) domain.push(['tag_ids', 'in', [...tagIds]]);
  if (query.online !== undefined) domain.push(['is_online', '=', query.online]);
  if (query.active !== undefined) domain.push(['active', '=', query.active]);
  if (query.text) {
    domain.push(
      '|',
      '|',
      ['name', 'ilike', query.text],
      ['host', 'ilike', query.text],
      ['game', 'ilike', query.text],
    );
  }
  return domain;
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

/** The ids of the tags `names` (as `tagIds` made them), each once. */
function idsOf(names: readonly string[], ids: ReadonlyMap<string, number>): number[] {
  return [...new Set(names.flatMap((name) => ids.get(name.trim()) ?? []))];
}

function idList(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((id): id is number => typeof id === 'number') : [];
}

/** A many2one as Odoo reads it, `[id, display name]` or `false`. */
function customer(value: unknown): ServerCustomer | null {
  if (!Array.isArray(value) || typeof value[0] !== 'number') return null;
  return { id: value[0], name: typeof value[1] === 'string' ? value[1] : '' };
}

function toView(row: OdooServer, tagNames: ReadonlyMap<number, string>): ServerView {
  const errorCode = str(row.last_error_code);
  return {
    ...toCatalog(row),
    notes: str(row.notes),
    customer: customer(row.partner_id),
    tags: idList(row.tag_ids).flatMap((id) => tagNames.get(id) ?? []),
    publicPage: {
      published: row.published === true,
      showAddress: row.show_address === true,
      slug: str(row.public_slug),
    },
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
