from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests.common import tagged

from .common import T0, GameServerCase, at, dt, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestMaintenance(GameServerCase):
    """During a maintenance window a failing server opens no outage, and nobody hears of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Window = cls.env['game.server.maintenance']
        channel = cls.env['game.server.notify.channel'].create(
            {'name': 'Ops', 'kind': 'discord', 'url': 'https://discord.test/api/webhooks/1/x'})
        cls.env['game.server.notify.rule'].create({'name': 'All', 'channel_ids': [(6, 0, channel.ids)],
                                                   'cooldown_minutes': 0})

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(40))  # 12:00 .. 12:39

    def down(self, server, *minutes):
        return self.apply([offline(server.id, self.t[m]) for m in minutes])

    def test_failures_inside_a_one_off_window_open_no_outage_and_notify_nobody(self):
        self.Window.create({'name': 'Upgrade', 'server_ids': [(6, 0, self.alpha.ids)],
                            'start': '2024-05-01 12:00:00', 'end': '2024-05-01 12:10:00'})
        result = self.down(self.alpha, *range(0, 10))
        self.assertEqual((result['applied'], result['outages_opened']), (10, 0))
        self.assertFalse(self.alpha.is_online, "the failures are still the server's status")
        self.assertEqual(sum(self.stats(self.alpha).mapped('polls')), 10, "and still in its statistics")
        self.assertFalse(self.env['game.server.event'].search([]))
        # After the window the count starts afresh: three more failures open an outage.
        self.assertEqual(self.down(self.alpha, 10, 11)['outages_opened'], 0)
        self.assertEqual(self.down(self.alpha, 12)['outages_opened'], 1)
        self.assertEqual(self.alpha.open_outage_id.start, dt(self.t[10]))
        self.assertEqual(len(self.env['game.server.notify.delivery'].search([])), 1)

    def test_uptime_can_leave_out_the_failures_inside_a_window(self):
        start = fields.Datetime.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
        self.Window.create({'name': 'Patch', 'server_ids': [(6, 0, self.alpha.ids)],
                            'start': start, 'end': start + timedelta(minutes=10)})
        moments = [at(start + timedelta(minutes=m)) for m in range(20)]
        self.apply([offline(self.alpha.id, moment) for moment in moments[:10]]
                   + [offline(self.alpha.id, moments[10])]
                   + [online(self.alpha.id, moment) for moment in moments[11:]])
        rows = self.stats(self.alpha)
        self.assertEqual((sum(rows.mapped('polls')), sum(rows.mapped('polls_unplanned'))), (20, 10),
                         "the failure after the window counts; the ten inside do not")
        self.assertEqual(self.alpha.uptime_24h, 45.0, "by default uptime counts every poll")
        self.set_setting('uptime_excludes_maintenance', True)
        self.alpha.invalidate_recordset(['uptime_24h'])
        self.assertEqual(self.alpha.uptime_24h, 90.0)
        hours = self.env['game.server.game.stat'].search([('game_id', '=', self.alpha.game_id.id)])
        self.assertEqual(sum(hours.mapped('polls_unplanned')), 10, "the per-game hours hold the same sums")
        self.Stat._roll_up_before(start + timedelta(days=1), 1000, ZoneInfo("UTC"))
        daily = self.stats(self.alpha)
        self.assertEqual((set(daily.mapped('bucket_minutes')), sum(daily.mapped('polls_unplanned'))), ({1440}, 10),
                         "a daily roll-up keeps the sums")
        self.alpha.invalidate_recordset(['uptime_7d'])
        self.assertEqual(self.alpha.uptime_7d, 90.0, "so the figure stays exact")

    def test_a_window_for_a_host_covers_every_server_on_it(self):
        self.Window.create({'name': 'Node', 'host': 'beta.example.test',
                            'start': '2024-05-01 11:00:00', 'end': '2024-05-01 13:00:00'})
        self.apply([offline(s.id, self.t[m]) for m in range(5) for s in (self.alpha | self.beta)])
        self.assertTrue(self.alpha.open_outage_id)
        self.assertFalse(self.beta.outage_ids)

    def test_an_outage_open_before_the_window_stays_open_until_the_server_answers(self):
        self.down(self.alpha, 0, 1, 2)
        outage = self.alpha.open_outage_id
        self.Window.create({'name': 'Late', 'server_ids': [(6, 0, self.alpha.ids)],
                            'start': '2024-05-01 12:05:00', 'end': '2024-05-01 12:30:00'})
        self.down(self.alpha, 6, 7)
        self.assertEqual(self.alpha.open_outage_id, outage)
        self.apply([online(self.alpha.id, self.t[20])])
        self.assertEqual(outage.end, dt(self.t[20]))

    def test_a_weekly_window_in_local_time(self):
        # 2024-05-01 is a Wednesday; 14:00 in Paris (summer time) is 12:00 UTC.
        window = self.Window.create({'name': 'Wednesday reboot', 'server_ids': [(6, 0, self.alpha.ids)],
                                     'recurrence': 'weekly', 'weekday': '2', 'start_time': 14.0,
                                     'duration_minutes': 15, 'tz': 'Europe/Paris'})
        self.assertEqual(window._intervals(dt('2024-05-01 00:00:00'), dt('2024-05-16 00:00:00')),
                         [(dt('2024-05-01 12:00:00'), dt('2024-05-01 12:15:00')),
                          (dt('2024-05-08 12:00:00'), dt('2024-05-08 12:15:00')),
                          (dt('2024-05-15 12:00:00'), dt('2024-05-15 12:15:00'))])
        self.assertEqual(self.down(self.alpha, *range(0, 15))['outages_opened'], 0)
        self.assertEqual(self.down(self.alpha, 15, 16, 17)['outages_opened'], 1)
        # In winter the same local time is 13:00 UTC.
        self.assertEqual(window._intervals(dt('2024-12-04 00:00:00'), dt('2024-12-05 00:00:00')),
                         [(dt('2024-12-04 13:00:00'), dt('2024-12-04 13:15:00'))])

    def test_the_kanban_shows_a_server_in_maintenance_now(self):
        now = datetime.now().replace(microsecond=0)
        self.Window.create({'name': 'Now', 'server_ids': [(6, 0, self.alpha.ids)],
                            'start': now.replace(year=now.year - 1), 'end': now.replace(year=now.year + 1)})
        self.assertEqual((self.alpha.in_maintenance, self.beta.in_maintenance), (True, False))
        self.assertEqual((self.alpha.status_label, self.beta.status_label), ('maintenance', 'unchecked'))

    def test_a_window_must_cover_something_at_some_time(self):
        for values in ({'server_ids': [(6, 0, self.alpha.ids)], 'start': '2024-05-01 12:00:00',
                        'end': '2024-05-01 11:00:00'},
                       {'start': '2024-05-01 12:00:00', 'end': '2024-05-01 13:00:00'},
                       {'host': 'x', 'recurrence': 'weekly', 'weekday': '1', 'start_time': 25.0},
                       {'host': 'x', 'recurrence': 'weekly', 'weekday': '1', 'duration_minutes': 0}):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.Window.create({'name': 'Bad', **values})
