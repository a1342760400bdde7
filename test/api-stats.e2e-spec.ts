import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOdooDatetime } from '#odoo-client';
import type { GameStatsDto, GroupStatsDto, HistoryDto } from '../apps/api/src/stats/stats.dto.js';
import { type ApiHarness, startApi } from './support/api-harness.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A game.server.stat row as the addon stores it (sums, not averages). */
function statRow(
  serverId: number,
  game: string,
  startMs: number,
  values: {
    polls: number;
    online: number;
    playersSum?: number;
    peak?: number;
    latencySum?: number;
    minutes?: number;
  },
): Record<string, unknown> {
  return {
    server_id: serverId,
    game,
    bucket_start: toOdooDatetime(startMs),
    bucket_minutes: values.minutes ?? 15,
    polls: values.polls,
    polls_online: values.online,
    players_sum: values.playersSum ?? 0,
    players_peak: values.peak ?? 0,
    latency_sum: values.latencySum ?? 0,
  };
}

/**
 * History and statistics read what Odoo keeps in game.server.stat: the rows are seeded
 * straight into the stand-in, and every figure the API answers is checked to the unit, over
 * JSON-2 and formatted_read_group (Odoo 19) and over JSON-RPC and read_group (Odoo 17).
 */
describe.each([19, 17] as const)('API history and stats on Odoo %i', (odooVersion) => {
  let sut: ApiHarness;

  beforeAll(async () => {
    sut = await startApi({ name: `api-stats-${odooVersion}`, odooVersion });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const getJson = async <T>(path: string): Promise<T> => {
    const res = await sut.request(path, { as: 'viewer' });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  const badFields = async (path: string): Promise<string[]> => {
    const res = await sut.request(path, { as: 'viewer' });
    expect(res.status, path).toBe(400);
    const body = (await res.json()) as { fields: { field: string }[] };
    return body.fields.map((f) => f.field).sort();
  };

  describe('history', () => {
    // A whole hour three hours back, so "now" never cuts into the seeded rows.
    const hour = Math.floor((Date.now() - 3 * HOUR) / HOUR) * HOUR;
    const day = Math.floor(hour / DAY) * DAY;
    let serverId: number;

    beforeAll(() => {
      [serverId] = sut.odoo.seed('game.server', [
        { name: 'History', game: 'minecraft', host: 'history.test', port: 25565 },
      ]) as [number];
      const [otherId] = sut.odoo.seed('game.server', [
        { name: 'Other', game: 'minecraft', host: 'other.test', port: 25565 },
      ]) as [number];
      sut.odoo.seed('game.server.stat', [
        statRow(serverId, 'minecraft', hour, {
          polls: 15,
          online: 15,
          playersSum: 150,
          peak: 12,
          latencySum: 300,
        }),
        statRow(serverId, 'minecraft', hour + 15 * MIN, {
          polls: 15,
          online: 5,
          playersSum: 100,
          peak: 30,
          latencySum: 50,
        }),
        statRow(serverId, 'minecraft', hour + 30 * MIN, { polls: 10, online: 0 }),
        statRow(serverId, 'minecraft', hour + 60 * MIN, {
          polls: 15,
          online: 15,
          playersSum: 45,
          peak: 4,
          latencySum: 150,
        }),
        // Rolled up to one row for a day, three days back.
        statRow(serverId, 'minecraft', day - 3 * DAY, {
          polls: 5_760,
          online: 5_000,
          playersSum: 60_000,
          peak: 40,
          latencySum: 100_000,
          minutes: 1_440,
        }),
        statRow(otherId, 'minecraft', hour, { polls: 15, online: 15, playersSum: 999, peak: 999 }),
      ]);
    });

    it('merges 15-minute rows into hours by summing: exact averages, uptime and peaks', async () => {
      const from = new Date(hour).toISOString();
      const to = new Date(hour + 2 * HOUR).toISOString();

      const sut2 = await getJson<HistoryDto>(
        `/servers/${serverId}/history?bucket=1h&from=${from}&to=${to}`,
      );

      expect(sut2).toEqual({
        serverId,
        bucket: '1h',
        from,
        to,
        points: [
          {
            start: from,
            minutes: 60,
            polls: 40,
            pollsOnline: 20,
            uptimePct: 50,
            playersAvg: 12.5,
            playersPeak: 30,
            latencyAvgMs: 17.5,
          },
          {
            start: new Date(hour + HOUR).toISOString(),
            minutes: 60,
            polls: 15,
            pollsOnline: 15,
            uptimePct: 100,
            playersAvg: 3,
            playersPeak: 4,
            latencyAvgMs: 10,
          },
        ],
      });
    });

    it('answers the stored 15-minute buckets one by one when asked for 15m', async () => {
      const from = new Date(hour).toISOString();
      const to = new Date(hour + 2 * HOUR).toISOString();

      const history = await getJson<HistoryDto>(
        `/servers/${serverId}/history?bucket=15m&from=${from}&to=${to}`,
      );

      expect(history.points.map((p) => [p.start, p.polls, p.pollsOnline, p.playersAvg])).toEqual([
        [new Date(hour).toISOString(), 15, 15, 10],
        [new Date(hour + 15 * MIN).toISOString(), 15, 5, 20],
        [new Date(hour + 30 * MIN).toISOString(), 10, 0, null],
        [new Date(hour + 60 * MIN).toISOString(), 15, 15, 3],
      ]);
    });

    it('answers days with the rolled-up rows as they are, and aligns from down to a bucket', async () => {
      const from = new Date(day - 3 * DAY + 5 * HOUR).toISOString();
      const to = new Date(hour + 2 * HOUR).toISOString();

      const history = await getJson<HistoryDto>(
        `/servers/${serverId}/history?bucket=1d&from=${from}&to=${to}`,
      );

      expect(history.from).toBe(new Date(day - 3 * DAY).toISOString());
      expect(history.points[0]).toEqual({
        start: new Date(day - 3 * DAY).toISOString(),
        minutes: 1_440,
        polls: 5_760,
        pollsOnline: 5_000,
        uptimePct: (100 * 5_000) / 5_760,
        playersAvg: 12,
        playersPeak: 40,
        latencyAvgMs: 20,
      });
      // Today's detail rows, whichever day(s) they fall on, add up to what was seeded.
      const recent = history.points.slice(1);
      expect(recent.reduce((n, p) => n + p.polls, 0)).toBe(55);
      expect(recent.reduce((n, p) => n + p.pollsOnline, 0)).toBe(35);
    });

    it('covers the last 24 hours in hours by default', async () => {
      const history = await getJson<HistoryDto>(`/servers/${serverId}/history`);

      expect(history.bucket).toBe('1h');
      expect(Date.parse(history.to) - Date.parse(history.from)).toBeGreaterThanOrEqual(DAY);
      expect(Date.parse(history.to) - Date.parse(history.from)).toBeLessThan(DAY + HOUR);
      expect(history.points.map((p) => p.polls)).toEqual([40, 15]);
    });

    it('names the bad field: bucket, a date that is not one, a range backwards or too long', async () => {
      const path = `/servers/${serverId}/history`;
      expect(await badFields(`${path}?bucket=5m`)).toEqual(['bucket']);
      expect(await badFields(`${path}?from=yesterday&to=2026-13-01T00:00:00Z`)).toEqual([
        'from',
        'to',
      ]);
      expect(await badFields(`${path}?from=2026-11-02T10:00:00Z&to=2026-11-01T10:00:00Z`)).toEqual([
        'from',
      ]);
      expect(
        await badFields(`${path}?bucket=15m&from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z`),
      ).toEqual(['from']);
    });

    it('answers 404 for an unknown server', async () => {
      const res = await sut.request('/servers/987654/history', { as: 'viewer' });

      expect(res.status).toBe(404);
    });
  });

  describe('stats', () => {
    // Its own game ids, so the history servers above do not mix in.
    const MC = 'stats-mc';
    const CS = 'stats-cs';

    beforeAll(() => {
      const now = Date.now();
      const [a, b, c, d] = sut.odoo.seed('game.server', [
        { name: 'A', game: MC, host: 'a.test', port: 1, is_online: true, players_online: 10 },
        { name: 'B', game: MC, host: 'b.test', port: 2, is_online: true, players_online: 5 },
        { name: 'C', game: MC, host: 'c.test', port: 3, is_online: false, players_online: 0 },
        { name: 'D', game: CS, host: 'd.test', port: 4, is_online: true, players_online: 20 },
        // Archived: neither counted now nor anywhere else.
        {
          name: 'E',
          game: CS,
          host: 'e.test',
          port: 5,
          is_online: true,
          players_online: 50,
          active: false,
        },
      ]) as [number, number, number, number];
      const recent = now - 2 * HOUR;
      sut.odoo.seed('game.server.stat', [
        statRow(a, MC, recent, { polls: 60, online: 60, peak: 14 }),
        statRow(b, MC, recent, { polls: 60, online: 30, peak: 9 }),
        statRow(c, MC, recent, { polls: 60, online: 0 }),
        statRow(d, CS, recent, { polls: 40, online: 40, peak: 25 }),
        // Outside the default 24 hours, inside 48.
        statRow(a, MC, now - 30 * HOUR, { polls: 60, online: 60, peak: 99 }),
      ]);
    });

    const stats = async (query = '') => {
      const body = await getJson<{
        from: string;
        to: string;
        total: GroupStatsDto;
        games: GameStatsDto[];
      }>(`/stats${query}`);
      return { ...body, byGame: new Map(body.games.map((g) => [g.game, g])) };
    };

    it('counts servers, online and players now per game from the live fields, archived ones left out', async () => {
      const { byGame } = await stats();

      expect(byGame.get(MC)).toMatchObject({ servers: 3, online: 2, playersNow: 15 });
      expect(byGame.get(CS)).toMatchObject({ servers: 1, online: 1, playersNow: 20 });
    });

    it("adds up polls per game over the window: exact uptime, and one server's peak", async () => {
      const { byGame, from, to } = await stats();

      expect(Date.parse(to) - Date.parse(from)).toBe(DAY);
      expect(byGame.get(MC)).toMatchObject({
        polls: 180,
        pollsOnline: 90,
        uptimePct: 50,
        peakPlayersOneServer: 14,
      });
      expect(byGame.get(CS)).toMatchObject({
        polls: 40,
        pollsOnline: 40,
        uptimePct: 100,
        peakPlayersOneServer: 25,
      });
    });

    it('gives totals that are the sums of the games (and the highest one-server peak)', async () => {
      const { total, games } = await stats();

      const sum = (key: keyof GroupStatsDto) => games.reduce((n, g) => n + (g[key] ?? 0), 0);
      expect(total).toEqual({
        servers: sum('servers'),
        online: sum('online'),
        playersNow: sum('playersNow'),
        peakPlayersOneServer: Math.max(...games.map((g) => g.peakPlayersOneServer)),
        polls: sum('polls'),
        pollsOnline: sum('pollsOnline'),
        uptimePct: (100 * sum('pollsOnline')) / sum('polls'),
      });
      expect(games.map((g) => g.game)).toEqual([...games.map((g) => g.game)].sort());
    });

    it('widens the window with hours', async () => {
      const { byGame } = await stats('?hours=48');

      expect(byGame.get(MC)).toMatchObject({
        polls: 240,
        pollsOnline: 150,
        peakPlayersOneServer: 99,
      });
    });

    it('names a bad window', async () => {
      expect(await badFields('/stats?hours=0')).toEqual(['hours']);
      expect(await badFields('/stats?hours=721&days=2')).toEqual(['days', 'hours']);
    });
  });
});
