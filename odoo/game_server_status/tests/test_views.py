from lxml import etree

from odoo import release
from odoo.tests.common import TransactionCase, tagged

ACTIONS = ['action_game_server', 'action_game_server_outage', 'action_game_server_game_stat_uptime',
           'action_game_server_game_stat_players', 'action_game_server_stat_uptime', 'action_game_server_stat_per_server',
           'action_game_server_incident', 'action_game_server_notify_channel', 'action_game_server_notify_rule',
           'action_game_server_notify_delivery', 'action_game_server_maintenance', 'action_game_server_settings']
LEGACY = release.version_info[0] < 18


@tagged('post_install', '-at_install')
class TestViews(TransactionCase):
    """Every view the actions open loads on the running series (see models/series_views.py)."""

    def views(self, model, types):
        return {t: etree.fromstring(v['arch'])
                for t, v in self.env[model].get_views([[False, t] for t in types])['views'].items()}

    def test_every_action_view_loads(self):
        for xmlid in ACTIONS:
            action = self.env.ref('game_server_status.' + xmlid)
            types = action.view_mode.split(',') + ['search']
            with self.subTest(action=xmlid):
                archs = self.views(action.res_model, types)
                self.assertEqual(sorted(archs), sorted(types))
                for view_type, arch in archs.items():
                    self.assertEqual(arch.tag, 'tree' if LEGACY and view_type == 'list' else view_type)

    def test_list_views_come_from_the_series_hooks(self):
        columns = {
            'game.server': ['name', 'game_id', 'partner_id', 'user_id'],
            'game.server.stat': ['server_id', 'game_id', 'bucket_start', 'bucket_minutes'],
            'game.server.game.stat': ['game_id', 'bucket_start', 'polls', 'polls_online'],
            'game.server.outage': ['server_id', 'game_id', 'partner_id', 'user_id'],
            'game.server.incident': ['host', 'start', 'end', 'duration_display'],
            'game.server.notify.channel': ['name', 'kind', 'lang', 'last_test_state'],
            'game.server.notify.rule': ['sequence', 'name', 'scope', 'channel_ids'],
            'game.server.notify.delivery': ['create_date', 'event_id', 'channel_id', 'state'],
        }
        for model, first in columns.items():
            arch = self.views(model, ['list'])['list']
            self.assertEqual([f.get('name') for f in arch.iter('field')][:4], first)

    def test_kanban_card_template_of_this_series(self):
        arch = self.views('game.server', ['kanban'])['kanban']
        names = [t.get('t-name') for t in arch.iter('t') if t.get('t-name')]
        self.assertEqual(names, ['kanban-box'] if LEGACY else ['card'])

    def test_every_field_of_every_form_exists_on_its_model(self):
        for model in ('game.server', 'game.server.incident', 'game.server.outage', 'game.server.notify.channel',
                      'game.server.notify.rule', 'game.server.event', 'game.server.maintenance'):
            form = self.views(model, ['form'])['form']
            missing = [f.get('name') for f in form.iter('field') if f.get('name') not in self.env[model]._fields
                       and not any(a.tag in ('list', 'tree') for a in f.iterancestors())]
            self.assertEqual(missing, [], model)

    def test_form_chatter_of_this_series(self):
        form = self.views('game.server', ['form'])['form']
        self.assertEqual(bool(form.xpath('//div[contains(@class, "oe_chatter")]')), LEGACY)
        self.assertEqual(bool(form.xpath('//chatter')), not LEGACY)
        self.assertTrue(form.xpath('//field[@name="stat_ids"]'))
        self.assertTrue(form.xpath('//field[@name="outage_ids"]'))

    def test_one2many_lists_in_the_form_use_the_hooks(self):
        form = self.views('game.server', ['form'])['form']
        (stats,) = form.xpath('//field[@name="stat_ids"]')
        sub = [child for child in stats if child.tag in ('tree', 'list')]
        self.assertEqual([child.tag for child in sub], ['tree' if LEGACY else 'list'])
        self.assertIn('uptime_pct', [f.get('name') for f in sub[0].iter('field')])
