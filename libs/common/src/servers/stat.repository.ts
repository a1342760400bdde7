import { Injectable } from '@nestjs/common';
import { fromOdooDatetime, OdooClient, type OdooGroupKey, toOdooDatetime } from '#odoo-client';
import { ODOO_SERVER_MODEL } from '../catalog.js';

/** The addon's model of bucketed aggregates: one row per server per time bucket. */
export const ODOO_STAT_MODEL = 'game.server.stat';

const BUCKET_FIELDS = [
  'bucket_start',
  'bucket_minutes',
  'polls',
  'polls_online',
  'players_sum',
  'players_peak',
  'latency_sum',
];

/**
 * Longest history one read returns: 30 days of 15-minute rows is 2,880, and detail older
 * than a week is rolled up to daily rows, so a server never has more than a few thousand.
 */
const MAX_BUCKET_ROWS = 20_000;

/**
 * One game.server.stat row. Sums rather than averages, so buckets merge exactly:
 * averages are sums divided by counts after merging.
 */
export interface StatBucket {
  /** Start of the bucket, epoch milliseconds (UTC, aligned to its size from the epoch). */
  startMs: number;
  minutes: number;
  polls: number;
  pollsOnline: number;
  /** Sum of players over online polls. */
  playersSum: number;
  playersPeak: number;
  /** Sum of latency in ms over online polls. */
  latencySum: number;
}

/** The servers of one game as they are now (archived servers left out). */
export interface FleetGroup {
  game: string;
  servers: number;
  online: number;
  /** Players on the online servers. */
  playersNow: number;
}

/** What the stat buckets of one game add up to over a window. */
export interface WindowGroup {
  game: string;
  polls: number;
  pollsOnline: number;
  /** Most players one server of the game reported in one poll (not a total over servers). */
  peakOneServer: number;
}

type OdooStatRow = Record<string, unknown> & { id: number };

/** Reads the bucketed status history Odoo keeps in game.server.stat. */
@Injectable()
export class StatRepository {
  constructor(private readonly odoo: OdooClient) {}

  /** The buckets of one server that start in [from, to), oldest first. */
  async buckets(serverId: number, from: Date, to: Date): Promise<StatBucket[]> {
    const rows = await this.odoo.searchRead<OdooStatRow>(
      ODOO_STAT_MODEL,
      [
        ['server_id', '=', serverId],
        ['bucket_start', '>=', toOdooDatetime(from)],
        ['bucket_start', '<', toOdooDatetime(to)],
      ],
      { fields: BUCKET_FIELDS, order: 'bucket_start', limit: MAX_BUCKET_ROWS },
    );
    return rows.flatMap((row) => {
      const start =
        typeof row['bucket_start'] === 'string' ? fromOdooDatetime(row['bucket_start']) : null;
      if (!start) return [];
      return [
        {
          startMs: start.getTime(),
          minutes: num(row['bucket_minutes']),
          polls: num(row['polls']),
          pollsOnline: num(row['polls_online']),
          playersSum: num(row['players_sum']),
          playersPeak: num(row['players_peak']),
          latencySum: num(row['latency_sum']),
        },
      ];
    });
  }

  /** Servers, online servers and players now, per game: one grouped read, whatever the fleet size. */
  async fleetByGame(): Promise<FleetGroup[]> {
    const groups = await this.odoo.readGroup(
      ODOO_SERVER_MODEL,
      [],
      ['game', 'is_online'],
      ['players_online:sum'],
    );
    const byGame = new Map<string, FleetGroup>();
    for (const group of groups) {
      const game = gameOf(group.keys['game']);
      const entry = byGame.get(game) ?? { game, servers: 0, online: 0, playersNow: 0 };
      entry.servers += group.count;
      if (group.keys['is_online'] === true) {
        entry.online += group.count;
        entry.playersNow += num(group.values['players_online:sum']);
      }
      byGame.set(game, entry);
    }
    return [...byGame.values()];
  }

  /**
   * Polls, online polls and the one-server peak of the buckets that start in [from, to), summed
   * per game by Odoo (the stat rows carry the game), so uptime over the window is exact.
   */
  async windowByGame(from: Date, to: Date): Promise<WindowGroup[]> {
    const groups = await this.odoo.readGroup(
      ODOO_STAT_MODEL,
      [
        ['bucket_start', '>=', toOdooDatetime(from)],
        ['bucket_start', '<', toOdooDatetime(to)],
      ],
      ['game'],
      ['polls:sum', 'polls_online:sum', 'players_peak:max'],
    );
    return groups.map((group) => ({
      game: gameOf(group.keys['game']),
      polls: num(group.values['polls:sum']),
      pollsOnline: num(group.values['polls_online:sum']),
      peakOneServer: num(group.values['players_peak:max']),
    }));
  }
}

function gameOf(key: OdooGroupKey | undefined): string {
  return typeof key === 'string' && key !== '' ? key : 'unknown';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
