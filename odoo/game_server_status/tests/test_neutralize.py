"""Odoo's neutralization of a copy runs the addon's data/neutralize.sql: nothing can notify a
real person, no job runs, production's service key no longer opens anything."""
import inspect

from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests.common import new_test_user, tagged

from .common import GameServerCase


@tagged('post_install', '-at_install')
class TestNeutralize(GameServerCase):

    def test_a_neutralized_copy_notifies_nobody_runs_no_job_and_forgets_the_service_key(self):
        Channel = self.env['game.server.notify.channel']
        hook = Channel.create({'name': 'Ops', 'kind': 'webhook', 'url': 'https://hooks.example.test/gss'})
        self.assertTrue(hook.secret)
        rule = self.env['game.server.notify.rule'].create({'name': 'All', 'channel_ids': [hook.id]})
        self.env['game.server.event']._record([{
            'kind': 'outage_opened', 'at': '2024-05-01 12:00:00', 'cause': 'neutralize-test', 'summary': 'Alpha down',
            'server_id': self.alpha.id, 'payload': {}}])
        delivery = self.env['game.server.notify.delivery'].search([('rule_id', '=', rule.id)])
        self.assertEqual(delivery.state, 'pending')
        service = new_test_user(self.env, login='gss_neutral_service',
                                groups='base.group_user,game_server_status.group_game_server_service')
        person = new_test_user(self.env, login='gss_neutral_person', groups='base.group_user')
        Keys = self.env['res.users.apikeys']
        for user in (service, person):
            generate = Keys.with_user(user).sudo()._generate
            if 'expiration_date' in inspect.signature(generate).parameters:
                generate('rpc', 'key', None)
            else:
                generate('rpc', 'key')
        self.env.flush_all()

        for query in get_neutralization_queries(['game_server_status']):
            self.env.cr.execute(query)
        self.env.invalidate_all()

        channel = Channel.with_context(active_test=False).browse(hook.id)
        self.assertEqual((channel.active, channel.url, channel.secret), (False, False, False))
        self.assertEqual((delivery.state, delivery.last_error), ('failed', 'Not sent: this database was neutralized.'))
        crons = self.env['ir.cron'].with_context(active_test=False).search(
            [('id', 'in', [self.env.ref('game_server_status.' + xmlid).id for xmlid in (
                'ir_cron_game_server_stat_maintenance', 'ir_cron_game_server_sla_refresh')])])
        self.assertEqual(crons.mapped('active'), [False, False])
        self.assertFalse(Keys.sudo().search([('user_id', '=', service.id)]), "the service's key is revoked")
        self.assertTrue(Keys.sudo().search([('user_id', '=', person.id)]), "a person's own key is not ours to revoke")
