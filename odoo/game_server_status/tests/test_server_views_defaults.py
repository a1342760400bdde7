from lxml import etree

from odoo.tests.common import tagged

from ..models.series_views import HOURLY_GROUPING

from .common import T0, T1, GameServerCase, offline, online


@tagged('post_install', '-at_install')
class TestServerViewDefaults(GameServerCase):
    """What management sees first: broken servers on top, empty defaults, statistics by game and time."""

    def arch(self, model, view_type, view_id=False):
        return etree.fromstring(self.env[model].get_views([[view_id, view_type]])['views'][view_type]['arch'])

    def test_down_after_being_up_first_then_never_up_then_online_then_not_checked(self):
        gamma, delta = self.Server.create([
            {'name': 'Gamma', 'game': 'minecraft', 'host': 'gamma.example.test', 'port': 25565},
            {'name': 'Delta', 'game': 'minecraft', 'host': 'delta.example.test', 'port': 25565},
        ])
        self.apply([online(self.alpha.id, T0), offline(self.alpha.id, T1),  # was up, now down
                    offline(self.beta.id, T0),                               # never answered
                    online(gamma.id, T0)])                                   # online; delta never checked
        for view_type in ('list', 'kanban'):
            order = self.arch('game.server', view_type).get('default_order')
            servers = self.Server.search([('id', 'in', (self.alpha | self.beta | gamma | delta).ids)], order=order)
            self.assertEqual(servers.mapped('name'), ['Alpha', 'Beta', 'Gamma', 'Delta'], view_type)
        self.apply([online(self.alpha.id, '2024-05-01 12:05:00')])
        self.assertEqual(self.alpha.status_rank, gamma.status_rank)

    def test_zero_query_port_and_interval_show_empty_with_the_default_in_the_placeholder(self):
        form = self.arch('game.server', 'form')
        for name in ('query_port', 'poll_interval'):
            (field,) = form.xpath('//field[@name="%s"]' % name)
            self.assertEqual(field.get('widget'), 'game_server_zero_empty_integer')
            self.assertTrue(field.get('placeholder'))
        server = self.Server.create({'name': 'Z', 'game': 'minecraft', 'host': 'z.test', 'port': 25565})
        self.assertEqual((server.query_port, server.poll_interval), (0, 0), "0 stays the 'default' value")

    def test_server_views_show_the_game_by_name(self):
        for view_type in ('list', 'kanban', 'form'):
            names = [f.get('name') for f in self.arch('game.server', view_type).iter('field')]
            self.assertIn('game_id', names, view_type)

    def test_reporting_opens_by_game_and_time_from_the_hourly_game_rows(self):
        for xmlid in ('action_game_server_game_stat_uptime', 'action_game_server_game_stat_players'):
            action = self.env.ref('game_server_status.' + xmlid)
            self.assertEqual(action.res_model, 'game.server.game.stat', xmlid)
            self.assertEqual(action.view_mode.split(',')[0], 'graph', xmlid)
        graph = self.arch('game.server.game.stat', 'graph')
        self.assertEqual([(f.get('name'), f.get('interval')) for f in graph.iter('field') if f.get('type') != 'measure'],
                         [('bucket_start', 'day'), ('game_id', None)])
        pivot = self.arch('game.server.game.stat', 'pivot')
        self.assertEqual([f.get('name') for f in pivot.iter('field') if f.get('type') == 'row'], ['game_id'])
        menus = self.env['ir.ui.menu'].search([('parent_id', '=', self.env.ref(
            'game_server_status.menu_game_server_reporting').id)])
        # The SLA menus read one row per server (or customer) and month.
        self.assertEqual([m.action.res_model for m in menus],
                         ['game.server.game.stat', 'game.server.game.stat', 'game.server.stat',
                          'game.server.sla.month', 'game.server.sla.customer'])

    def test_per_server_statistics_open_as_a_list_of_the_last_24_hours(self):
        action = self.env.ref('game_server_status.action_game_server_stat_per_server')
        self.assertEqual(action.view_mode.split(',')[0], 'list', "a graph or pivot per server is drawn on demand")
        self.assertIn("'search_default_last_24h': 1", action.context)
        search = self.arch('game.server.stat', 'search')
        self.assertTrue(search.xpath('//filter[@name="group_by_server"]'))
        pivot = self.arch('game.server.stat', 'pivot')
        self.assertNotIn('server_id', [f.get('name') for f in pivot.iter('field')],
                         "a pivot per server is expanded on demand, never opened so")

    def test_players_open_on_the_last_24_hours_by_hour_where_the_web_client_groups_by_hour(self):
        action = self.env.ref('game_server_status.action_game_server_game_stat_players')
        self.assertIn("'search_default_last_24h': 1", action.context)
        views = dict((view_type, view_id) for view_id, view_type in action.views)
        for view_type in ('graph', 'pivot'):
            arch = self.arch('game.server.game.stat', view_type, views[view_type])
            intervals = [f.get('interval') for f in arch.iter('field') if f.get('name') == 'bucket_start']
            self.assertEqual(intervals, ['hour' if HOURLY_GROUPING else 'day'], view_type)
        graph = self.arch('game.server.game.stat', 'graph', views['graph'])
        self.assertEqual(graph.get('type'), 'line' if HOURLY_GROUPING else 'bar',
                         'a first day reads as a line by hour, or as bars by day')

    def test_no_hourly_group_by_where_the_web_client_refuses_it(self):
        for model in ('game.server.stat', 'game.server.game.stat'):
            search = self.arch(model, 'search')
            hourly = search.xpath("//filter[contains(@context, ':hour')]")
            self.assertEqual(bool(hourly), HOURLY_GROUPING, model)
        for view_type in ('graph', 'pivot'):
            for view_id in (False, self.env.ref('game_server_status.game_server_game_stat_view_%s_players' % view_type).id):
                arch = self.arch('game.server.game.stat', view_type, view_id)
                if not HOURLY_GROUPING:
                    self.assertNotIn('hour', [f.get('interval') for f in arch.iter('field')], view_type)
