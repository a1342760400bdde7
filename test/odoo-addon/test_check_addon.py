#!/usr/bin/env python3
"""Self-test of check_addon.py (stdlib unittest, no Odoo):

    python3 test/odoo-addon/test_check_addon.py

The real addon must pass; copies of it with one known mistake each must fail
with a message naming that mistake.
"""
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = os.path.join(HERE, '..', '..', 'odoo', 'game_server_status')
sys.path.insert(0, HERE)

from check_addon import Checker  # noqa: E402

# (file, text to replace, replacement, fragment expected in a problem)
MUTATIONS = [
    ('views/game_server_views.xml', '<field name="view_mode">kanban,list,form</field>',
     '<field name="view_mode">kanban,tree,form</field>', "view_mode 'kanban,tree,form' names 'tree'"),
    ('views/game_server_views.xml', '<record id="action_game_server"',
     '<record id="v_list" model="ir.ui.view"><field name="model">game.server</field>'
     '<field name="arch" type="xml"><list><field name="name"/></list></field></record><record id="action_game_server"',
     '<list> in XML data'),
    ('views/game_server_views.xml', '<field name="game" placeholder="e.g. minecraft"/>',
     '<field name="hostname"/>', "field 'hostname' does not exist"),
    ('views/game_server_views.xml', '<field name="active" invisible="1"/>', '', "uses 'active', which is not a field"),
    ('views/game_server_views.xml', "('is_online', '=', True)", "('online', '=', True)", "unknown field 'online'"),
    ('views/game_server_views.xml', "{'group_by': 'game_id'}", "{'group_by': 'gamez'}", "group_by unknown field 'gamez'"),
    ('views/game_server_views.xml', 'invisible="not last_error"', 'attrs="{}"', 'attrs= was removed'),
    ('views/game_server_views.xml', '                <chatter/>', '<div class="oe_chatter"><field name="message_ids"/></div>',
     'div.oe_chatter renders only on 17'),
    ('views/game_server_views.xml', '%(action_game_server_outage)d', '%(action_game_server_nope)d',
     "button action 'action_game_server_nope' is not defined"),
    ('views/game_server_stat_views.xml', '<field name="uptime_pct" type="measure"/>',
     '<field name="uptime" type="measure"/>', "field 'uptime' does not exist on game.server.stat"),
    ('views/game_server_outage_views.xml', "[('state', '=', 'open')]", "[('status', '=', 'open')]",
     "unknown field 'status'"),
    ('views/res_config_settings_views.xml', '<field name="game_server_outage_threshold"/>',
     '<field name="game_server_outage_limit"/>', "'game_server_outage_limit' is not a field this addon defines"),
    ('views/menus.xml', 'action="action_game_server"', 'action="nope"', "reference 'nope' is not defined"),
    ('data/ir_cron_data.xml', '<field name="interval_type">hours</field>', '', 'must set interval_type'),
    ('data/ir_cron_data.xml', '<field name="interval_type">hours</field>',
     '<field name="interval_type">hours</field><field name="numbercall">-1</field>', 'ir.cron.numbercall is not portable'),
    ('data/ir_cron_data.xml', 'name="_keep_crons_repeating"', 'name="_keep_repeating"',
     "game.server.stat has no method '_keep_repeating'"),
    ('security/game_server_security.xml', '<field name="name">Game Servers: User</field>',
     '<field name="name">Game Servers: User</field><field name="category_id" ref="base.module_category_hidden"/>',
     'res.groups.category_id is not portable'),
    ('security/ir.model.access.csv', 'model_game_server,group_game_server_user',
     'model_game_serverx,group_game_server_user', "model 'model_game_serverx' is not a model"),
    ('security/ir.model.access.csv', 'access_game_server_deletion_manager,',
     'access_game_server_stat_user,', "duplicate id 'access_game_server_stat_user'"),
    ('models/game_server.py', "    _order = 'name'\n", "    _order = 'name'\n    _sql_constraints = []\n",
     '_sql_constraints is silently ignored'),
    ('models/game_server.py', "    bots = fields.Integer(copy=False)",
     "    bots = fields.Integer(copy=False, aggregator='avg')", 'aggregator= is unknown on 17.0'),
    ('models/series_views.py', '<field name="latency_ms" optional="show"/>', '<field name="latency"/>',
     "field 'latency' does not exist"),
    ('models/series_views.py', '<field name="bucket_start"/>', '<field name="bucket_begin"/>',
     "field 'bucket_begin' does not exist on game.server.stat"),
    ('models/series_views.py', "return list_arch(text, 'list')",
     "return list_arch(text, 'tree')", "_get_default_list_view must build the arch with root 'list'"),
    ('models/series_views.py', '    def _get_default_tree_view(self):', '    def _other(self):',
     'comes from list_view_hooks, which defines no _get_default_tree_view'),
    ('models/series_views.py', '    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_OUTAGE',
     '    _get_default_list_view, = list_view_hooks(GAME_SERVER_OUTAGE', 'has no _get_default_tree_view'),
    ('models/series_views.py', 'list_view_hooks(GAME_SERVER_TAG_LIST_VIEW_ARCH)', 'list_view_hooks(TAG_LIST)',
     'must build its arch from a module-level *LIST_VIEW_ARCH string'),
    ('models/series_views.py', '        <t t-name="card">', '        <t t-name="kanban-box">',
     "must define a 'card' template"),
    ('models/series_views.py', '    def _get_view(self,', '    def _get_other_view(self,',
     '<chatter/> renders only on 18+'),
    ('models/__init__.py', 'from . import game_server_deletion\n', '', "'game_server_deletion' is not imported"),
    ('__manifest__.py', "'version': '1.9.0'", "'version': '17.0.1.9.0'", 'without series prefix'),
    ('models/game_server_game_stat.py', "    _inherit = ['game.server.stat.figures']\n", '',
     "field 'uptime_pct' does not exist on game.server.game.stat"),
    ('__manifest__.py', "'views/menus.xml',", "'views/menus.xml', 'views/nope.xml',", "'views/nope.xml' does not exist"),
    ('__manifest__.py', "'views/game_server_outage_views.xml',\n", '',
     "button action 'action_game_server_outage' is not defined before this point"),
    ('views/menus.xml', '</odoo>', '', 'XML does not parse'),
    ('models/game_server.py', 'import math\n', 'import math(\n', 'does not compile'),
]


class CheckAddonTest(unittest.TestCase):

    def test_real_addon_passes(self):
        self.assertEqual(Checker(ADDON).run(), [])

    def test_each_mistake_is_reported(self):
        for path, old, new, expected in MUTATIONS:
            with self.subTest(file=path, expected=expected), tempfile.TemporaryDirectory() as tmp:
                copy = os.path.join(tmp, 'game_server_status')
                shutil.copytree(ADDON, copy, ignore=shutil.ignore_patterns('__pycache__'))
                full = os.path.join(copy, path)
                with open(full, encoding='utf-8') as f:
                    text = f.read()
                self.assertIn(old, text, 'mutation no longer applies')
                with open(full, 'w', encoding='utf-8') as f:
                    f.write(text.replace(old, new, 1))
                problems = Checker(copy).run()
                self.assertTrue(any(expected in p for p in problems),
                                'expected %r in:\n%s' % (expected, '\n'.join(problems)))


if __name__ == '__main__':
    unittest.main()
