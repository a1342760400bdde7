from datetime import timedelta

from odoo import fields
from odoo.tests.common import new_test_user, tagged

from .common import T0, GameServerCase, offline, online


@tagged('post_install', '-at_install')
class TestDeletions(GameServerCase):

    def test_unlink_logs_each_deleted_id(self):
        before = fields.Datetime.now().replace(microsecond=0)
        gone = [self.alpha.id, self.beta.id]
        (self.alpha | self.beta).unlink()
        log = self.env['game.server.deletion'].search([('deleted_at', '>=', before)])
        self.assertEqual(sorted(log.mapped('server_ref')), sorted(gone))

    def test_unlink_removes_the_servers_history(self):
        self.apply([offline(self.alpha.id, t) for t in ('2024-05-01 12:00:00', '2024-05-01 12:01:00',
                                                         '2024-05-01 12:02:00')] + [online(self.beta.id, T0)])
        self.assertTrue(self.alpha.open_outage_id)
        self.alpha.unlink()
        self.assertFalse(self.Stat.search([('server_id', '=', self.alpha.id)]))
        self.assertFalse(self.Outage.search([('server_id', '=', self.alpha.id)]))
        self.assertTrue(self.stats(self.beta))

    def test_autovacuum_purges_entries_older_than_seven_days(self):
        Deletion = self.env['game.server.deletion']
        now = fields.Datetime.now()
        old, recent = Deletion.create([
            {'server_ref': 101, 'deleted_at': now - timedelta(days=7, minutes=1)},
            {'server_ref': 102, 'deleted_at': now - timedelta(days=6, hours=23)},
        ])
        Deletion._gc_old_deletions()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())

    def test_deleting_user_needs_no_right_on_the_log(self):
        manager = new_test_user(self.env, login='gss_deleting_manager',
                                groups='base.group_user,game_server_status.group_game_server_manager')
        self.alpha.with_user(manager).unlink()
        self.assertEqual(self.env['game.server.deletion'].search([('server_ref', '=', self.alpha.id)]).server_ref,
                         self.alpha.id)
