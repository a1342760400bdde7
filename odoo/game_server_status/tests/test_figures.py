from datetime import timedelta

from odoo import fields
from odoo.tests.common import tagged

from .common import GameServerCase, at, offline, online


@tagged('post_install', '-at_install')
class TestFigures(GameServerCase):
    """peak_players_24h and uptime_24h / 7d / 30d: exact, over the buckets that start in each window."""

    def setUp(self):
        super().setUp()
        now = fields.Datetime.now().replace(microsecond=0)

        def ago(**delta):
            return at(now - timedelta(**delta))
        self.apply([
            online(self.alpha.id, ago(days=40), players_online=99),           # outside every window
            offline(self.alpha.id, ago(days=20)),                             # 30 d
            offline(self.alpha.id, ago(days=20, minutes=-1)),                 # 30 d
            online(self.alpha.id, ago(days=5), players_online=50),            # 7 d
            offline(self.alpha.id, ago(days=3)),                              # 7 d
            online(self.alpha.id, ago(hours=5), players_online=7),            # 24 h
            online(self.alpha.id, ago(hours=2), players_online=11),           # 24 h
            offline(self.alpha.id, ago(hours=1)),                             # 24 h
            online(self.alpha.id, ago(minutes=30), players_online=9),         # 24 h
        ])

    def test_uptime_over_each_window_is_online_polls_over_polls(self):
        self.assertEqual(self.alpha.uptime_24h, 75.0)            # 3 of 4
        self.assertAlmostEqual(self.alpha.uptime_7d, 400 / 6)    # 4 of 6
        self.assertEqual(self.alpha.uptime_30d, 50.0)            # 4 of 8

    def test_peak_players_over_24_hours(self):
        self.assertEqual(self.alpha.peak_players_24h, 11)

    def test_server_without_statistics_has_zero_figures(self):
        self.assertEqual((self.beta.uptime_24h, self.beta.uptime_7d, self.beta.uptime_30d,
                          self.beta.peak_players_24h), (0, 0, 0, 0))

    def test_figures_follow_new_reports(self):
        self.assertEqual(self.alpha.uptime_24h, 75.0)
        self.apply([online(self.alpha.id, at(fields.Datetime.now().replace(microsecond=0)), players_online=30)])
        self.assertEqual(self.alpha.uptime_24h, 80.0)
        self.assertEqual(self.alpha.peak_players_24h, 30)

    def test_figures_are_computed_for_many_servers_at_once(self):
        servers = self.alpha | self.beta
        self.assertEqual(servers.mapped('uptime_24h'), [75.0, 0.0])
