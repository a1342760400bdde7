from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import new_test_user, tagged

from .common import T0, GameServerCase, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestCustomers(GameServerCase):
    """A server's customer and responsible: on its outages, and the customer's servers from their form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env['res.partner'].create({'name': 'Pixel Guild', 'is_company': True})
        cls.other = cls.env['res.partner'].create({'name': 'Other Co'})
        cls.tech = new_test_user(cls.env, login='gss_tech', groups='base.group_user,game_server_status.group_game_server_user')
        (cls.alpha | cls.beta).write({'partner_id': cls.customer.id, 'user_id': cls.tech.id})

    def test_the_customer_form_counts_their_servers_and_those_online(self):
        t = minutes_after(T0, 0, 1)
        self.apply([online(self.alpha.id, t[0]), offline(self.beta.id, t[1])])
        self.customer.invalidate_recordset(['game_server_count', 'game_server_online_count'])
        self.assertEqual((self.customer.game_server_count, self.customer.game_server_online_count), (2, 1))
        self.assertEqual((self.other.game_server_count, self.other.game_server_online_count), (0, 0))
        action = self.customer.action_view_game_servers()
        self.assertEqual(self.env['game.server'].search(action['domain']), self.alpha | self.beta)
        self.assertEqual(action['context'], {'default_partner_id': self.customer.id})

    def test_the_kanban_card_says_the_status_in_words_odoo_translates(self):
        t = minutes_after(T0, 0, 1)
        self.apply([online(self.alpha.id, t[0], players_online=3, players_max=10, latency_ms=42),
                    offline(self.beta.id, t[1], 'refused', 'connection refused')])
        self.assertEqual((self.alpha.status_label, self.alpha.status_detail), ('online', '3 / 10 players, 42 ms'))
        self.assertEqual((self.beta.status_label, self.beta.status_detail), ('offline', 'refused: connection refused'))
        self.assertEqual(self.alpha.uptime_24h_display, 'Uptime 24 h: 0.00 %', "the reports are from 2024")

    def test_outages_carry_the_customer_and_the_responsible(self):
        self.apply([offline(self.alpha.id, t) for t in minutes_after(T0, 0, 1, 2)])
        outage = self.alpha.open_outage_id
        self.assertEqual((outage.partner_id, outage.user_id), (self.customer, self.tech))
        self.assertEqual(self.env['game.server.outage'].search([('partner_id', '=', self.customer.id)]), outage)

    def test_a_change_of_customer_is_tracked_in_the_chatter(self):
        self.alpha.partner_id = self.other
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        tracked = self.alpha.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == 'partner_id')
        self.assertTrue(tracked, "who the server is rented to is history worth keeping")

    def test_the_service_creates_customers_for_the_seed_and_nothing_else(self):
        service = new_test_user(self.env, login='gss_customers_service',
                                groups='base.group_user,game_server_status.group_game_server_service')
        Partner = self.env['res.partner'].with_user(service)
        made = Partner.game_server_create_customers(['New Co', ' New Co ', 'Other New'])
        self.assertEqual(sorted(made), ['New Co', 'Other New'])
        self.assertTrue(self.env['res.partner'].browse(made['New Co']).is_company)
        with self.assertRaises(ValidationError):
            Partner.game_server_create_customers(['', 'x'])
        with self.assertRaises(AccessError):
            Partner.create({'name': 'Direct'})
        with self.assertRaises(AccessError):
            self.env['res.partner'].with_user(self.tech).game_server_create_customers(['Nope'])

    def test_a_user_of_the_app_reads_the_customer_counts(self):
        partner = self.customer.with_user(self.tech)
        self.assertEqual(partner.game_server_count, 2)
