"""What players may see: only published servers, their address only when shown, one call."""
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import new_test_user, tagged

from .common import GameServerCase, dt, offline, online

NOW = dt('2024-05-01 12:40:00')


@tagged('post_install', '-at_install')
class TestPublic(GameServerCase):

    def test_a_server_is_private_until_published_and_gets_a_name_for_links(self):
        self.assertEqual((self.alpha.published, self.alpha.public_slug), (False, False))
        self.alpha.published = True
        self.assertEqual(self.alpha.public_slug, 'alpha')
        gamma = self.Server.create({'name': 'Älpha!', 'game': 'minecraft', 'host': 'g.example.test', 'port': 1,
                                    'published': True})
        self.assertEqual(gamma.public_slug, 'alpha-%s' % gamma.id, "taken: the id makes it unique")
        with self.assertRaises(ValidationError):
            self.beta.public_slug = 'Not A Slug'
        with self.assertRaises(ValidationError):
            self.beta.public_slug = 'alpha'

    def test_public_status_lists_published_servers_with_the_address_only_when_shown(self):
        self.alpha.write({'published': True})
        self.beta.write({'published': True, 'show_address': True})
        self.Server.create({'name': 'Hidden', 'game': 'minecraft', 'host': 'h.example.test', 'port': 1})
        self.apply([
            online(self.alpha.id, '2024-05-01 11:10:00', players_online=4),
            online(self.alpha.id, '2024-05-01 12:10:00', players_online=6),
            online(self.alpha.id, '2024-05-01 12:20:00', players_online=10),
            offline(self.beta.id, '2024-05-01 12:30:00'),
        ])
        with patch.object(fields.Datetime, 'now', return_value=NOW):
            status = self.Server.public_status()
        self.assertEqual((len(status['hours']), status['hours'][-1]), (24, '2024-05-01 12:00:00'))
        alpha, beta = status['servers']
        self.assertEqual({key: alpha[key] for key in ('slug', 'name', 'online', 'players', 'players_max', 'map',
                                                       'version', 'last_checked', 'host', 'port')},
                         {'slug': 'alpha', 'name': 'Alpha', 'online': True, 'players': 10, 'players_max': 32,
                          'map': 'de_dust2', 'version': '1.20.4', 'last_checked': '2024-05-01 12:20:00',
                          'host': None, 'port': None})
        self.assertEqual(alpha['players_24h'][-2:], [4.0, 8.0], "11:00: one poll of 4; 12:00: 6 and 10")
        self.assertIsNone(alpha['players_24h'][0])
        self.assertEqual((beta['online'], beta['host'], beta['port']), (False, 'beta.example.test', 27015))
        self.assertEqual(beta['players_24h'][-1], 0.0, "an offline poll counts no player")

    def test_archived_or_unpublished_servers_are_not_listed(self):
        self.alpha.write({'published': True})
        self.beta.write({'published': True})
        self.beta.active = False
        self.assertEqual([s['slug'] for s in self.Server.public_status()['servers']], ['alpha'])
        self.alpha.published = False
        self.assertEqual(self.Server.public_status()['servers'], [])

    def test_only_the_service_or_a_manager_may_read_it(self):
        reader = new_test_user(self.env, login='gss_public_reader',
                               groups='base.group_user,game_server_status.group_game_server_user')
        with self.assertRaises(AccessError):
            self.Server.with_user(reader).public_status()
        service = new_test_user(self.env, login='gss_public_service',
                                groups='base.group_user,game_server_status.group_game_server_service')
        self.assertEqual(self.Server.with_user(service).public_status()['servers'], [])
