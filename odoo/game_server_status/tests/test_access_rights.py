from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user, tagged

from .common import T0, T1, T2, GameServerCase, offline, online

SERVER = {'name': 'New', 'game': 'minecraft', 'host': 'new.example.test', 'port': 25565}


@tagged('post_install', '-at_install')
class TestAccessRights(GameServerCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Server.apply_status_reports([offline(cls.alpha.id, t) for t in (T0, T1, T2)])
        cls.reader = new_test_user(cls.env, login='gss_reader',
                                   groups='base.group_user,game_server_status.group_game_server_user')
        cls.manager = new_test_user(cls.env, login='gss_manager',
                                    groups='base.group_user,game_server_status.group_game_server_manager')
        cls.service = new_test_user(cls.env, login='gss_service',
                                    groups='base.group_user,game_server_status.group_game_server_service')
        cls.employee = new_test_user(cls.env, login='gss_employee', groups='base.group_user')

    def allowed(self, user, model, operation):
        return self.env['ir.model.access'].with_user(user).check(model, operation, raise_exception=False)

    def assertCan(self, user, model, operation):
        self.assertTrue(self.allowed(user, model, operation), '%s should %s %s' % (user.login, operation, model))

    def assertCannot(self, user, model, operation):
        self.assertFalse(self.allowed(user, model, operation), '%s should not %s %s' % (user.login, operation, model))

    def test_user_group_reads_everything_and_writes_nothing(self):
        for model in ('game.server', 'game.server.stat', 'game.server.game.stat', 'game.server.outage'):
            self.assertCan(self.reader, model, 'read')
            for operation in ('write', 'create', 'unlink'):
                self.assertCannot(self.reader, model, operation)
        self.assertCannot(self.reader, 'game.server.deletion', 'read')
        server = self.Server.with_user(self.reader).browse(self.alpha.id)
        self.assertEqual(server.name, 'Alpha')
        self.assertEqual(len(server.outage_ids), 1)
        self.assertEqual(server.uptime_24h, 0)
        with self.assertRaises(AccessError):
            self.Server.with_user(self.reader).apply_status_reports([online(self.alpha.id, '2024-05-01 12:05:00')])

    def test_manager_group_edits_the_catalog_and_may_apply_reports(self):
        for operation in ('read', 'write', 'create', 'unlink'):
            self.assertCan(self.manager, 'game.server', operation)
        for model in ('game.server.stat', 'game.server.game.stat', 'game.server.outage'):
            self.assertCan(self.manager, model, 'read')
            self.assertCannot(self.manager, model, 'write')
        self.assertCan(self.manager, 'game.server.deletion', 'read')
        result = self.Server.with_user(self.manager).apply_status_reports([online(self.alpha.id, '2024-05-01 12:05:00')])
        self.assertEqual((result['applied'], result['outages_closed']), (1, 1))

    def test_service_group_has_what_the_system_uses(self):
        Server = self.Server.with_user(self.service)
        # The scheduler's catalog sync and the API's /servers.
        for operation in ('read', 'write', 'create', 'unlink'):
            self.assertCan(self.service, 'game.server', operation)
        # The API reads history; only apply_status_reports writes it.
        for model in ('game.server.stat', 'game.server.game.stat', 'game.server.outage', 'game.server.deletion'):
            self.assertCan(self.service, model, 'read')
            for operation in ('write', 'create', 'unlink'):
                self.assertCannot(self.service, model, operation)
        self.assertCannot(self.service, 'res.config.settings', 'read')
        with self.assertRaises(AccessError):
            self.env['game.server.outage'].with_user(self.service).create(
                {'server_id': self.alpha.id, 'start': '2024-05-01 00:00:00'})

        server = Server.create(SERVER)
        self.assertNotIn(self.service.partner_id, server.message_partner_ids,
                         "the service's login does not follow the servers it registers")
        result = Server.apply_status_reports([offline(server.id, t) for t in (T0, T1, T2)]
                                             + [online(self.alpha.id, '2024-05-01 12:05:00')])
        self.assertEqual((result['applied'], result['outages_opened'], result['outages_closed']), (4, 1, 1))
        self.assertTrue(Server.browse(server.id).open_outage_id)
        # Alpha's 12:00 bucket (3 failures, then the recovery) and the new server's.
        self.assertEqual(len(self.env['game.server.stat'].with_user(self.service).search([])), 2)
        message = server.message_ids.filtered(lambda m: m.subtype_id == self.env.ref(
            'game_server_status.mt_outage_opened'))
        self.assertEqual(message.author_id, self.service.partner_id, "messages are signed by the caller")
        server.with_user(self.service).unlink()
        self.assertEqual(self.env['game.server.deletion'].with_user(self.service).search(
            [('server_ref', '=', server.id)]).server_ref, server.id)

    def test_other_employees_see_nothing(self):
        for model in ('game.server', 'game.server.stat', 'game.server.game.stat', 'game.server.outage',
                      'game.server.deletion'):
            self.assertCannot(self.employee, model, 'read')
        with self.assertRaises(AccessError):
            self.Server.with_user(self.employee).apply_status_reports([])

    def test_settings_administrators_manage_game_servers(self):
        admin = new_test_user(self.env, login='gss_admin', groups='base.group_user,base.group_system')
        self.assertTrue(admin.has_group('game_server_status.group_game_server_manager'))
        self.assertCan(admin, 'game.server', 'unlink')
