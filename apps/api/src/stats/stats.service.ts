import { Injectable } from '@nestjs/common';
import { StatRepository } from '#common';
import { FieldValidationException } from '../errors/field-validation.exception.js';
import { alignDown, HISTORY_BUCKETS, mergeBuckets } from './history.aggregator.js';
import type {
  GameStatsDto,
  GroupStatsDto,
  HistoryDto,
  HistoryQueryDto,
  StatsDto,
} from './stats.dto.js';

const HOUR_MS = 3_600_000;
/** A chart never needs more; it also bounds what one request makes Odoo read. */
const MAX_HISTORY_POINTS = 5_000;

@Injectable()
export class StatsService {
  constructor(private readonly repository: StatRepository) {}

  async history(serverId: number, query: HistoryQueryDto): Promise<HistoryDto> {
    const minutes = HISTORY_BUCKETS[query.bucket];
    const toMs = query.to ? Date.parse(query.to) : Date.now();
    const fromMs = alignDown(query.from ? Date.parse(query.from) : toMs - 24 * HOUR_MS, minutes);
    if (fromMs >= toMs) {
      throw new FieldValidationException([{ field: 'from', errors: ['from must be before to'] }]);
    }
    if ((toMs - fromMs) / (minutes * 60_000) > MAX_HISTORY_POINTS) {
      throw new FieldValidationException([
        {
          field: 'from',
          errors: [
            `the range holds more than ${MAX_HISTORY_POINTS} ${query.bucket} buckets; shorten it or use a larger bucket`,
          ],
        },
      ]);
    }
    const rows = await this.repository.buckets(serverId, new Date(fromMs), new Date(toMs));
    return {
      serverId,
      bucket: query.bucket,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      points: mergeBuckets(rows, minutes),
    };
  }

  /**
   * Now (servers, online, players) from the servers' live fields; the one-server peak and uptime
   * over the window from the stat buckets, summed per game by Odoo, so uptime is exact.
   */
  async stats(hours: number): Promise<StatsDto> {
    const to = new Date();
    const from = new Date(to.getTime() - hours * HOUR_MS);
    const [fleet, window] = await Promise.all([
      this.repository.fleetByGame(),
      this.repository.windowByGame(from, to),
    ]);
    const games = new Map<string, GameStatsDto>();
    const entry = (game: string): GameStatsDto => {
      let found = games.get(game);
      if (!found) {
        found = { game, ...emptyGroup() };
        games.set(game, found);
      }
      return found;
    };
    for (const group of fleet) {
      Object.assign(entry(group.game), {
        servers: group.servers,
        online: group.online,
        playersNow: group.playersNow,
      });
    }
    for (const group of window) {
      Object.assign(entry(group.game), {
        polls: group.polls,
        pollsOnline: group.pollsOnline,
        peakPlayersOneServer: group.peakOneServer,
      });
    }
    const list = [...games.values()].sort((a, b) => a.game.localeCompare(b.game));
    const total = emptyGroup();
    for (const game of list) {
      game.uptimePct = uptime(game);
      total.servers += game.servers;
      total.online += game.online;
      total.playersNow += game.playersNow;
      total.peakPlayersOneServer = Math.max(total.peakPlayersOneServer, game.peakPlayersOneServer);
      total.polls += game.polls;
      total.pollsOnline += game.pollsOnline;
    }
    total.uptimePct = uptime(total);
    return { from: from.toISOString(), to: to.toISOString(), total, games: list };
  }
}

function emptyGroup(): GroupStatsDto {
  return {
    servers: 0,
    online: 0,
    playersNow: 0,
    peakPlayersOneServer: 0,
    uptimePct: null,
    polls: 0,
    pollsOnline: 0,
  };
}

function uptime(group: GroupStatsDto): number | null {
  return group.polls > 0 ? (100 * group.pollsOnline) / group.polls : null;
}
