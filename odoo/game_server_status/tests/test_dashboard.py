"""The dashboard's figures, each from the rows that hold it, and only for those who may read them."""
from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user, tagged

from .common import T0, GameServerCase, dt, minutes_after, offline, online

NOW = dt('2024-05-01 12:30:00')


@tagged('post_install', '-at_install')
class TestDashboard(GameServerCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gamma = cls.Server.create({'name': 'Gamma', 'game': 'minecraft', 'host': 'gamma.example.test',
                                       'port': 25565})
        Policy = cls.env['game.server.sla.policy']
        cls.alpha.sla_policy_id = Policy.create({'name': 'Standard', 'target_pct': 99.5})
        cls.beta.sla_policy_id = Policy.create({'name': 'Strict', 'target_pct': 99.95})

    def setUp(self):
        super().setUp()
        t = minutes_after(T0, 0, 5, 10, 15)
        self.apply([online(self.alpha.id, at, players_online=10, players_max=20) for at in t[:3]]
                   + [online(self.beta.id, t[0], players_online=4, players_max=10)]
                   + [offline(self.beta.id, at) for at in t[1:]])
        self.env['game.server.sla.month']._refresh(now=NOW)
        self.data = self.env['game.server.dashboard']._dashboard_data(NOW)

    def test_fleet_now_and_utilization_per_game_from_the_live_status(self):
        self.assertEqual(self.data['fleet'], {'servers': 3, 'online': 1, 'players': 10, 'slots': 20})
        [minecraft] = self.data['games']
        self.assertEqual((minecraft['name'], minecraft['online'], minecraft['players'], minecraft['slots']),
                         (self.alpha.game_id.display_name, 1, 10, 20))
        self.assertEqual((minecraft['utilization_now'], minecraft['utilization_month']), (50.0, 50.0))

    def test_uptime_incidents_and_sla_at_risk(self):
        self.assertAlmostEqual(self.data['uptime_30d'], 100.0 * 4 / 7, places=6, msg="4 of 7 checks online")
        self.assertEqual((self.data['open_incidents'], self.data['open_outages']), (0, 1))
        # Beta: 1 of 4 checks online over 30 minutes is 22.5 minutes down, of the 21.96 a 99.95 % month
        # from 12:00 on 1 May may lose.
        self.assertEqual(self.data['sla'], {'measured': 2, 'at_risk': 0, 'breached': 1})

    def test_players_at_once_per_game_by_hour_and_the_peak_of_today(self):
        players = self.data['players']
        self.assertEqual((len(players['hours']), players['hours'][-1], players['hours'][0]),
                         (24, '2024-05-01 12:00:00', '2024-04-30 13:00:00'))
        series = {line['name']: line['values'] for line in players['series']}
        # 12:00-12:15: Alpha held 10 on each check, Beta 4, 0, 0 (1.33 on average); 12:15-12:30: Beta 0.
        self.assertEqual(series[self.alpha.game_id.display_name][-1], 10.0)
        self.assertEqual(series[self.beta.game_id.display_name][-1], round((4 / 3 + 0) / 2, 1))
        self.assertEqual(players['series'][0]['name'], self.alpha.game_id.display_name, "most players first")
        self.assertEqual(players['peak_today'], round(10 + 4 / 3, 1))

    def test_players_read_the_same_once_the_hourly_job_computed_their_buckets(self):
        self.assertFalse(self.env['game.server.game.players'].search([]), "nothing computed yet: all from buckets")
        self.Stat._maintain(1000, now=NOW)
        computed = self.env['game.server.game.players'].search([])
        rows = [(row.bucket_start, row.game_id, round(row.players, 6), row.servers) for row in computed]
        self.assertCountEqual(rows, [
            (dt('2024-05-01 12:00:00'), self.alpha.game_id, 10.0, 1),
            (dt('2024-05-01 12:00:00'), self.beta.game_id, round(4 / 3, 6), 1),
            (dt('2024-05-01 12:15:00'), self.beta.game_id, 0.0, 1),
        ])
        self.assertEqual(self.env['game.server.dashboard']._dashboard_data(NOW)['players'], self.data['players'])
        # A report after the run (in the last bucket written) counts: that bucket is read from the detail rows.
        self.apply([online(self.beta.id, '2024-05-01 12:20:00', players_online=6, players_max=10)])
        players = self.env['game.server.dashboard']._dashboard_data(NOW)['players']
        self.assertEqual(players['series'][1]['values'][-1], round((4 / 3 + 6 / 2) / 2, 1))

    def test_least_used_servers_of_the_month_lowest_utilization_first(self):
        names = [server['name'] for server in self.data['least_used']]
        self.assertIn('Alpha', names)
        alpha = next(server for server in self.data['least_used'] if server['name'] == 'Alpha')
        self.assertEqual((alpha['players_avg'], alpha['slots'], alpha['utilization_pct']), (10.0, 20, 50.0))
        utilizations = [server['utilization_pct'] for server in self.data['least_used']]
        self.assertEqual(utilizations, sorted(utilizations))

    def test_only_game_server_users_may_read_it(self):
        employee = new_test_user(self.env, login='gss_dash_employee', groups='base.group_user')
        with self.assertRaises(AccessError):
            self.env['game.server.dashboard'].with_user(employee).dashboard_data()
        reader = new_test_user(self.env, login='gss_dash_reader',
                               groups='base.group_user,game_server_status.group_game_server_user')
        self.assertEqual(self.env['game.server.dashboard'].with_user(reader).dashboard_data()['fleet']['servers'], 3)
