from unittest.mock import patch

from odoo import fields
from odoo.tests.common import tagged

from odoo.addons.game_server_status.models import game_server_stat

from .common import GameServerCase, dt, offline, online

#: Reference "now" for roll-ups: detail rows before 2024-05-13 00:00 (7 days) are rolled up,
#: rows before 2023-05-21 00:00 (365 days) are purged.
NOW = dt('2024-05-20 10:30:00')
SUMS = ['polls', 'polls_online', 'players_sum', 'players_peak', 'latency_sum']


@tagged('post_install', '-at_install')
class TestStatMaintenance(GameServerCase):

    def setUp(self):
        super().setUp()
        self.apply([
            online(self.alpha.id, '2024-05-01 00:00:00', players_online=4, latency_ms=10.5),
            online(self.alpha.id, '2024-05-01 00:10:00', players_online=8, latency_ms=12),
            offline(self.alpha.id, '2024-05-01 06:30:00'),
            online(self.alpha.id, '2024-05-01 23:50:00', players_online=20, latency_ms=30),
            online(self.alpha.id, '2024-05-02 00:00:00', players_online=1, latency_ms=5),
            offline(self.alpha.id, '2024-05-02 13:00:00'),
            online(self.alpha.id, '2024-05-15 09:00:00', players_online=3, latency_ms=7),
            online(self.beta.id, '2024-05-01 12:00:00', players_online=2, latency_ms=50),
            online(self.beta.id, '2024-05-01 12:20:00', players_online=6, latency_ms=70),
        ])

    def rows(self, server):
        return [(r.bucket_start, r.bucket_minutes, *[r[f] for f in SUMS]) for r in self.stats(server)]

    def uptime(self, server):
        ((uptime,),) = [row[1:] for row in self.Stat._read_group(
            [('server_id', '=', server.id)], ['server_id'], ['uptime_pct:avg'])]
        return uptime

    EXPECTED_ALPHA = [
        # day, minutes, polls, online, players sum, peak, latency sum
        (dt('2024-05-01 00:00:00'), 1440, 4, 3, 32, 20, 52.5),
        (dt('2024-05-02 00:00:00'), 1440, 2, 1, 1, 1, 5.0),
        (dt('2024-05-15 09:00:00'), 15, 1, 1, 3, 3, 7.0),
    ]
    EXPECTED_BETA = [(dt('2024-05-01 00:00:00'), 1440, 2, 2, 8, 6, 120.0)]

    def test_roll_up_makes_one_daily_row_per_server_per_day_with_exact_sums(self):
        uptimes = (self.uptime(self.alpha), self.uptime(self.beta))
        self.assertEqual(self.Stat._maintain(10000, now=NOW), {'purged': 0, 'rolled_up': 7, 'game_hours_purged': 0})
        self.assertEqual(self.rows(self.alpha), self.EXPECTED_ALPHA)
        self.assertEqual(self.rows(self.beta), self.EXPECTED_BETA)
        self.assertEqual((self.uptime(self.alpha), self.uptime(self.beta)), uptimes, "uptime is unchanged")
        daily = self.stats(self.alpha)[0]
        self.assertEqual((daily.uptime_pct, daily.players_avg, daily.latency_avg), (75.0, 32 / 3, 52.5 / 3))
        self.assertEqual(daily.game, 'minecraft')
        # Nothing left to do.
        self.assertEqual(self.Stat._maintain(10000, now=NOW), {'purged': 0, 'rolled_up': 0, 'game_hours_purged': 0})

    def test_roll_up_in_small_chunks_gives_the_same_rows(self):
        done = []
        while not done or done[-1]:
            done.append(self.Stat._maintain(1, now=NOW)['rolled_up'])
        self.assertEqual(sum(done), 7)
        self.assertEqual(self.rows(self.alpha), self.EXPECTED_ALPHA)
        self.assertEqual(self.rows(self.beta), self.EXPECTED_BETA)

    def test_late_report_in_a_rolled_up_day_is_merged_by_the_next_roll_up(self):
        self.Stat._maintain(10000, now=NOW)
        gamma = self.Server.create({'name': 'Gamma', 'game': 'minecraft', 'host': 'g.example.test', 'port': 1})
        self.apply([online(gamma.id, '2024-05-03 10:00:00', players_online=5)])
        self.Stat._maintain(10000, now=NOW)
        # A report newer than gamma's last one, on a day already rolled up.
        self.apply([online(gamma.id, '2024-05-03 23:55:00', players_online=9)])
        self.assertEqual(len(self.stats(gamma)), 2)
        self.assertEqual(self.Stat._maintain(10000, now=NOW), {'purged': 0, 'rolled_up': 1, 'game_hours_purged': 0})
        self.assertEqual(self.rows(gamma), [(dt('2024-05-03 00:00:00'), 1440, 2, 2, 14, 9, 46.0)])

    def test_purge_deletes_rows_older_than_the_cutoff_in_bounded_chunks(self):
        cutoff = dt('2024-05-02 00:00:00')  # 3 rows of Alpha and 2 of Beta are older
        self.assertEqual([self.Stat._purge_before(cutoff, 2) for _run in range(4)], [2, 2, 1, 0])
        self.assertEqual(min(self.Stat.search([]).mapped('bucket_start')), cutoff)
        self.assertEqual(len(self.stats(self.alpha)), 3)

    def test_purge_follows_the_retention_setting(self):
        self.set_setting('stat_detail_days', 10)
        self.set_setting('stat_retention_days', 10)  # cut-off 2024-05-10 00:00
        self.assertEqual(self.Stat._maintain(10000, now=NOW), {'purged': 7, 'rolled_up': 0, 'game_hours_purged': 6})
        self.assertEqual(self.rows(self.alpha), [self.EXPECTED_ALPHA[-1]])
        self.assertFalse(self.stats(self.beta))
        self.assertEqual(self.env['game.server.game.stat'].search([]).mapped('bucket_start'),
                         [dt('2024-05-15 09:00:00')], "game hours follow the same retention")

    def test_cron_runs_again_soon_while_rows_remain(self):
        # Real "now": every row of 2024 is past the 365 days retention.
        cron = self.env.ref('game_server_status.ir_cron_game_server_stat_maintenance')
        Trigger = self.env['ir.cron.trigger']
        Trigger.search([('cron_id', '=', cron.id)]).unlink()
        with patch.object(game_server_stat, 'MAINTENANCE_ROWS_PER_RUN', 4):
            # The 4 oldest of the 8 rows are purged, the 4 others rolled up into 3 daily rows.
            self.assertEqual(self.Stat._cron_maintain(), {'purged': 4, 'rolled_up': 4, 'game_hours_purged': 4})
            self.assertTrue(Trigger.search([('cron_id', '=', cron.id), ('call_at', '>', fields.Datetime.now())]))
            Trigger.search([('cron_id', '=', cron.id)]).unlink()
            self.assertEqual(self.Stat._cron_maintain(), {'purged': 3, 'rolled_up': 0, 'game_hours_purged': 3})
            self.assertFalse(Trigger.search([('cron_id', '=', cron.id)]), "done: no extra run")
        self.assertFalse(self.Stat.search([]))
        self.assertFalse(self.env['game.server.game.stat'].search([]))

    def test_maintenance_cron_runs_hourly_forever(self):
        cron = self.env.ref('game_server_status.ir_cron_game_server_stat_maintenance')
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, 'hours'))
        self.assertEqual(cron.model_id.model, 'game.server.stat')
        if 'numbercall' in cron._fields:  # 17 only
            self.assertEqual(cron.numbercall, -1)
