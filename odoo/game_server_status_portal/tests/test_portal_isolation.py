"""A portal user of customer A sees A's servers and nothing of B's, by every path: the ORM as
that user, the portal pages, JSON-RPC and (where Odoo has it) JSON-2; and never a host address
the server does not show."""
import inspect
import json
from datetime import timedelta

from odoo import fields, release
from odoo.exceptions import AccessError
from odoo.tests.common import HttpCase, new_test_user, tagged

PASSWORD = 'portal-pass-1234'


@tagged('post_install', '-at_install')
class TestPortalIsolation(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env['res.partner']
        cls.company_a = Partner.create({'name': 'Pixel Guild', 'is_company': True})
        cls.company_b = Partner.create({'name': 'Block Forge', 'is_company': True})
        contact_a = Partner.create({'name': 'Ann of Pixel', 'parent_id': cls.company_a.id,
                                    'email': 'ann@pixel.example.test'})
        cls.portal_a = new_test_user(cls.env, login='portal_a', password=PASSWORD, groups='base.group_portal',
                                     partner_id=contact_a.id)
        Server = cls.env['game.server']
        cls.server_a = Server.create({'name': 'Pixel Survival', 'game': 'minecraft', 'host': 'a.secret.example.test',
                                      'port': 25565, 'partner_id': cls.company_a.id, 'notes': 'root password in vault'})
        cls.shown_a = Server.create({'name': 'Pixel Lobby', 'game': 'minecraft', 'host': 'lobby.pixel.example.test',
                                     'port': 25570, 'partner_id': cls.company_a.id, 'show_address': True})
        cls.server_b = Server.create({'name': 'Forge Arena', 'game': 'minecraft', 'host': 'b.secret.example.test',
                                      'port': 25565, 'partner_id': cls.company_b.id})
        Server.apply_status_reports([{
            'server_id': server.id, 'checked_at': '2024-05-01 12:00:00', 'online': True, 'latency_ms': 20,
            'players_online': 3, 'players_max': 20, 'bots': 0, 'player_names': [], 'name': None, 'map': 'world',
            'version': '1.21', 'game_mode': None, 'password_protected': False, 'error_code': None,
            'error_message': None} for server in cls.server_a | cls.shown_a | cls.server_b])
        policy = cls.env['game.server.sla.policy'].create({'name': 'Standard', 'target_pct': 99.5})
        (cls.company_a | cls.company_b).write({'game_server_sla_policy_id': policy.id})
        cls.env['game.server.sla.month']._refresh_all()

    def as_portal(self, model):
        return self.env[model].with_user(self.portal_a)

    def test_the_orm_gives_a_portal_user_only_their_company(self):
        self.assertEqual(self.as_portal('game.server').search([]), self.server_a | self.shown_a)
        with self.assertRaises(AccessError):
            self.as_portal('game.server').browse(self.server_b.id).read(['name'])
        months = self.as_portal('game.server.sla.month').search([])
        self.assertEqual(months.server_id, self.server_a | self.shown_a)
        self.assertEqual(self.as_portal('game.server.sla.customer').search([]).partner_id, self.company_a)
        with self.assertRaises(AccessError):
            self.as_portal('game.server').browse(self.server_b.id).write({'name': 'mine'})

    def test_host_and_notes_stay_hidden_unless_the_address_is_shown(self):
        with self.assertRaises(AccessError):
            self.as_portal('game.server').browse(self.server_a.id).read(['host'])
        with self.assertRaises(AccessError):
            self.as_portal('game.server').browse(self.server_a.id).read(['notes'])
        servers = self.as_portal('game.server').browse((self.server_a | self.shown_a).ids)
        self.assertEqual(servers.mapped('portal_address'), [False, 'lobby.pixel.example.test:25570'])

    def test_the_portal_pages_show_their_servers_and_refuse_the_others(self):
        self.authenticate('portal_a', PASSWORD)
        listing = self.url_open('/my/game_servers')
        self.assertEqual(listing.status_code, 200)
        self.assertIn('Pixel Survival', listing.text)
        self.assertIn('Pixel Lobby', listing.text)
        self.assertNotIn('Forge Arena', listing.text)
        self.assertNotIn('a.secret.example.test', listing.text)
        page = self.url_open('/my/game_servers/%s' % self.shown_a.id)
        self.assertIn('lobby.pixel.example.test:25570', page.text)
        own = self.url_open('/my/game_servers/%s' % self.server_a.id)
        self.assertIn('Pixel Survival', own.text)
        self.assertNotIn('a.secret.example.test', own.text)
        self.assertNotIn('root password', own.text)
        other = self.url_open('/my/game_servers/%s' % self.server_b.id)
        self.assertNotIn('Forge Arena', other.text)
        self.assertNotIn('b.secret.example.test', other.text)
        self.assertTrue(other.url.endswith('/my') or other.url.endswith('/my/home'), other.url)

    def test_a_customer_downloads_their_own_sla_report_only(self):
        Customer = self.env['game.server.sla.customer']
        own = Customer.search([('partner_id', '=', self.company_a.id)], limit=1)
        other = Customer.search([('partner_id', '=', self.company_b.id)], limit=1)
        self.authenticate('portal_a', PASSWORD)
        report = self.url_open('/my/game_servers/sla/%s?report_type=html' % own.id)
        self.assertEqual(report.status_code, 200)
        self.assertIn('Pixel Survival', report.text)
        self.assertNotIn('Forge Arena', report.text)
        refused = self.url_open('/my/game_servers/sla/%s?report_type=html' % other.id)
        self.assertNotIn('Forge Arena', refused.text)

    def _jsonrpc(self, *args):
        response = self.url_open('/jsonrpc', data=json.dumps({
            'jsonrpc': '2.0', 'method': 'call', 'id': 1,
            'params': {'service': 'object', 'method': 'execute_kw', 'args': list(args)}}),
            headers={'Content-Type': 'application/json'})
        return response.json()

    def test_json_rpc_gives_nothing_of_another_customer(self):
        db = self.env.cr.dbname
        uid = self.portal_a.id
        read_b = self._jsonrpc(db, uid, PASSWORD, 'game.server', 'read', [[self.server_b.id], ['name']])
        self.assertIn('error', read_b)
        self.assertNotIn('Forge Arena', json.dumps(read_b))
        found = self._jsonrpc(db, uid, PASSWORD, 'game.server', 'search_read', [[]], {'fields': ['name']})
        self.assertEqual(sorted(r['name'] for r in found['result']), ['Pixel Lobby', 'Pixel Survival'])
        host = self._jsonrpc(db, uid, PASSWORD, 'game.server', 'read', [[self.server_a.id], ['host']])
        self.assertIn('error', host)
        self.assertNotIn('a.secret.example.test', json.dumps(host))

    def test_json_2_gives_nothing_of_another_customer(self):
        """On 19 with a portal user's own API key; before 19 there is no JSON-2 to leak by."""
        Keys = self.env['res.users.apikeys'].with_user(self.portal_a)
        params = inspect.signature(Keys._generate).parameters
        key = (Keys._generate('rpc', 'portal test', fields.Datetime.now() + timedelta(days=1))
               if 'expiration_date' in params else Keys._generate('rpc', 'portal test'))
        headers = {'Authorization': 'bearer %s' % key, 'X-Odoo-Database': self.env.cr.dbname,
                   'Content-Type': 'application/json'}
        probe = self.url_open('/json/2/game.server/search_read', data=json.dumps({'domain': [], 'fields': ['name']}),
                              headers=headers)
        if not probe.headers.get('Content-Type', '').startswith('application/json'):
            # Before 19 Odoo has no JSON-2: the path is some web page, with none of the data.
            self.assertLess(release.version_info[0], 19)
            self.assertNotIn('Forge Arena', probe.text)
            self.assertNotIn('Pixel Survival', probe.text)
            return
        self.assertEqual(sorted(r['name'] for r in probe.json()), ['Pixel Lobby', 'Pixel Survival'])
        read_b = self.url_open('/json/2/game.server/read', data=json.dumps(
            {'ids': [self.server_b.id], 'fields': ['name']}), headers=headers)
        self.assertEqual(read_b.status_code, 403)
        self.assertNotIn('Forge Arena', read_b.text)
        host = self.url_open('/json/2/game.server/read', data=json.dumps(
            {'ids': [self.server_a.id], 'fields': ['host']}), headers=headers)
        self.assertEqual(host.status_code, 403)
        self.assertNotIn('a.secret.example.test', host.text)
