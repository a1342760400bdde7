from zoneinfo import ZoneInfo

from odoo.tests.common import tagged

from .common import T0, GameServerCase, dt, minutes_after, offline, online

FIGURES = ['polls', 'polls_online', 'players_sum', 'players_peak', 'latency_sum', 'uptime_pct', 'players_avg',
           'latency_avg']
AGGREGATES = ['polls:sum', 'polls_online:sum', 'players_sum:sum', 'players_peak:max', 'latency_sum:sum',
              'uptime_pct:avg', 'players_avg:avg', 'latency_avg:avg']


@tagged('post_install', '-at_install')
class TestGameStats(GameServerCase):
    """The hourly rows per game behind the reporting views hold what the per-server rows give."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.GameStat = cls.env['game.server.game.stat']
        cls.gamma = cls.Server.create({'name': 'Gamma', 'game': 'minecraft', 'host': 'gamma.example.test',
                                       'port': 25566})

    def setUp(self):
        super().setUp()
        t = minutes_after(T0, 0, 20, 40, 59, 61, 75)
        self.apply([
            online(self.alpha.id, t[0], players_online=10, latency_ms=20.5),
            offline(self.alpha.id, t[1]),
            online(self.alpha.id, t[4], players_online=3, latency_ms=8),
            online(self.gamma.id, t[2], players_online=30, latency_ms=41),
            online(self.gamma.id, t[3], players_online=2, latency_ms=7),
            offline(self.gamma.id, t[5]),
            online(self.beta.id, t[0], players_online=5, latency_ms=60),
        ])

    def by_game_and_hour(self, model):
        """{(game, hour): figures} of a statistics model, grouped as the reporting views group."""
        return {
            (game.code, hour): dict(zip(FIGURES, values))
            for game, hour, *values in self.env[model]._read_group(
                [], ['game_id', 'bucket_start:hour'], AGGREGATES)
        }

    def game_rows(self):
        return {(r.game_id.code, r.bucket_start): {f: r[f] for f in FIGURES} for r in self.GameStat.search([])}

    def test_each_game_hour_holds_the_sums_of_its_servers_buckets(self):
        rows = self.game_rows()
        self.assertEqual(sorted(rows), [('csgo', dt(T0)), ('minecraft', dt(T0)), ('minecraft', dt('2024-05-01 13:00:00'))])
        self.assertEqual(rows[('minecraft', dt(T0))], {
            'polls': 4, 'polls_online': 3, 'players_sum': 42, 'players_peak': 30, 'latency_sum': 68.5,
            'uptime_pct': 75.0, 'players_avg': 14.0, 'latency_avg': 68.5 / 3,
        })
        self.assertEqual(rows[('minecraft', dt('2024-05-01 13:00:00'))]['polls'], 2)

    def test_grouped_figures_equal_those_of_the_per_server_rows(self):
        self.assertEqual(self.by_game_and_hour('game.server.game.stat'), self.by_game_and_hour('game.server.stat'))

    def test_replayed_and_older_reports_add_nothing(self):
        before = self.game_rows()
        self.apply([online(self.alpha.id, T0, players_online=99), offline(self.gamma.id, T0)])
        self.assertEqual(self.game_rows(), before)

    def test_a_daily_roll_up_leaves_the_game_hours_as_they_were(self):
        before = self.game_rows()
        self.Stat._roll_up_before(dt('2024-05-02 00:00:00'), 1000, ZoneInfo('UTC'))
        self.assertEqual(self.stats(self.alpha).mapped('bucket_minutes'), [1440])
        self.assertEqual(self.game_rows(), before)

    def test_a_deleted_server_stays_in_its_games_history(self):
        before = self.game_rows()
        self.gamma.unlink()
        self.assertEqual(self.game_rows(), before)

    def test_an_upgrade_builds_the_game_hours_from_existing_server_rows_once(self):
        expected = self.game_rows()
        self.env.cr.execute("DELETE FROM game_server_game_stat")
        self.GameStat.invalidate_model()
        self.GameStat._fill_from_server_stats()
        self.assertEqual(self.game_rows(), expected)
        self.GameStat._fill_from_server_stats()
        self.assertEqual(self.game_rows(), expected, "rows already there: nothing is added twice")

    def test_a_server_without_game_row_counts_nowhere_and_fails_nothing(self):
        self.env.cr.execute("UPDATE game_server SET game_id = NULL WHERE id = %s", [self.beta.id])
        self.Server.invalidate_model(['game_id'])
        before = self.game_rows()
        result = self.apply([online(self.beta.id, '2024-05-01 12:30:00')])
        self.assertEqual(result['applied'], 1)
        self.assertEqual(self.game_rows(), before)
