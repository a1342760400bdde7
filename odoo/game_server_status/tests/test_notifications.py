from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import new_test_user, tagged

from .common import T0, GameServerCase, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestNotifications(GameServerCase):
    """Events are written with the reports that cause them; rules turn them into pending deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env['game.server.event']
        cls.Delivery = cls.env['game.server.notify.delivery']
        Channel = cls.env['game.server.notify.channel']
        cls.discord = Channel.create({'name': 'Ops', 'kind': 'discord',
                                      'url': 'https://discord.example.test/api/webhooks/1/abc'})
        cls.hook = Channel.create({'name': 'Tooling', 'kind': 'webhook', 'url': 'http://127.0.0.1:9/hook',
                                   'lang': 'en_US'})
        cls.rule = cls.env['game.server.notify.rule'].create({
            'name': 'Everything to ops', 'channel_ids': [(6, 0, cls.discord.ids)], 'cooldown_minutes': 0})
        cls.service = new_test_user(cls.env, login='gss_notify_service',
                                    groups='base.group_user,game_server_status.group_game_server_service')
        cls.reader = new_test_user(cls.env, login='gss_notify_reader',
                                   groups='base.group_user,game_server_status.group_game_server_user')

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(30))

    def down(self, server, *minutes):
        return self.apply([offline(server.id, self.t[m], 'timeout', 'no answer') for m in minutes])

    def up(self, server, minute):
        return self.apply([online(server.id, self.t[minute])])

    def deliveries(self, **filters):
        domain = [(name, '=', value) for name, value in filters.items()]
        return self.Delivery.search(domain, order='id')

    def test_an_outage_makes_one_event_and_one_pending_delivery_per_channel_each_way(self):
        self.down(self.alpha, 0, 1, 2)
        self.up(self.alpha, 5)
        events = self.Event.search([('server_id', '=', self.alpha.id)], order='id')
        self.assertEqual(events.mapped('kind'), ['outage_opened', 'outage_closed'])
        self.assertEqual(events.mapped('cause'), ['outage_opened:%s' % self.alpha.outage_ids.id,
                                                  'outage_closed:%s' % self.alpha.outage_ids.id])
        opened = events[0].payload
        self.assertEqual((opened['server']['name'], opened['server']['game'], opened['outage']['reason']),
                         ('Alpha', 'minecraft', 'timeout: no answer'))
        self.assertIn('model=game.server', opened['server']['url'])
        self.assertEqual(events[1].payload['outage']['duration_s'], 300)
        self.assertEqual([(d.event_id, d.channel_id, d.state) for d in self.deliveries()],
                         [(events[0], self.discord, 'pending'), (events[1], self.discord, 'pending')])

    def test_a_replayed_batch_makes_nothing_twice(self):
        batch = [offline(self.alpha.id, self.t[m]) for m in (0, 1, 2)] + [online(self.alpha.id, self.t[4])]
        self.apply(batch)
        self.apply(batch)
        self.assertEqual(len(self.Event.search([])), 2)
        self.assertEqual(len(self.deliveries()), 2)

    def test_a_host_incident_is_one_event_and_one_delivery(self):
        rack = self.Server.create([{'name': 'R%s' % n, 'game': 'minecraft', 'host': '10.0.0.9', 'port': 10 + n}
                                   for n in range(4)])
        self.apply([offline(s.id, self.t[m]) for m in (0, 1, 2) for s in rack])
        (event,) = self.Event.search([])
        self.assertEqual((event.kind, event.incident_id.host), ('incident_opened', '10.0.0.9'))
        self.assertEqual(event.payload['incident']['server_count'], 4)
        self.assertEqual([s['name'] for s in event.payload['incident']['servers']], ['R0', 'R1', 'R2', 'R3'])
        self.assertEqual(len(self.deliveries()), 1)
        self.apply([online(s.id, self.t[6]) for s in rack])
        closed = self.Event.search([('kind', '=', 'incident_closed')])
        self.assertEqual((closed.payload['incident']['duration_s'], closed.payload['incident']['still_down_count']),
                         (360, 0))
        self.assertEqual(len(self.deliveries()), 2)

    def test_scope_by_game_and_by_server(self):
        self.rule.write({'scope': 'games', 'game_ids': [(6, 0, self.beta.game_id.ids)]})
        self.down(self.alpha, 0, 1, 2)
        self.assertFalse(self.deliveries(), "Alpha's game is not in the rule")
        self.down(self.beta, 0, 1, 2)
        self.assertEqual(self.deliveries().server_id, self.beta)
        self.rule.write({'scope': 'servers', 'server_ids': [(6, 0, self.alpha.ids)]})
        self.up(self.alpha, 5)
        self.assertEqual(self.deliveries(server_id=self.alpha.id).kind, 'outage_closed')

    def test_the_cooldown_keeps_a_flapping_server_from_flooding_a_channel(self):
        self.rule.cooldown_minutes = 30
        self.down(self.alpha, 0, 1, 2)
        self.up(self.alpha, 3)
        self.down(self.alpha, 4, 5, 6)
        self.up(self.alpha, 7)
        self.assertEqual(len(self.Event.search([('server_id', '=', self.alpha.id)])), 4, "every event is recorded")
        self.assertEqual(self.deliveries().mapped('kind'), ['outage_opened', 'outage_closed'],
                         "the first down and its back go out; the second pair is kept back")
        self.down(self.beta, 0, 1, 2)
        self.assertEqual(len(self.deliveries(server_id=self.beta.id)), 1, "the cooldown is per server")

    def test_a_host_back_is_told_within_the_cooldown_and_so_is_a_server_that_stayed_down(self):
        self.rule.cooldown_minutes = 30
        rack = self.Server.create([{'name': 'R%s' % n, 'game': 'minecraft', 'host': '10.0.0.7', 'port': 10 + n}
                                   for n in range(4)])
        self.apply([offline(s.id, self.t[m]) for m in (0, 1, 2) for s in rack])
        self.apply([online(s.id, self.t[5]) for s in rack[:3]])
        self.assertEqual(self.deliveries().mapped('kind'), ['incident_opened', 'incident_closed'])
        self.up(rack[3], 8)
        self.assertEqual(self.deliveries(server_id=rack[3].id).kind, 'outage_closed',
                         "its down was told by the incident; its back is told on its own")

    def test_one_delivery_per_event_and_channel_whatever_the_rules(self):
        self.env['game.server.notify.rule'].create({'name': 'Again', 'channel_ids': [(6, 0, self.discord.ids)],
                                                    'cooldown_minutes': 0})
        self.down(self.alpha, 0, 1, 2)
        self.assertEqual(len(self.deliveries()), 1)

    def test_archived_channels_and_rules_send_nothing(self):
        self.discord.active = False
        self.down(self.alpha, 0, 1, 2)
        self.discord.active = True
        self.rule.active = False
        self.down(self.beta, 0, 1, 2)
        self.assertFalse(self.deliveries())
        self.assertEqual(len(self.Event.search([])), 2)

    def test_the_notifier_reads_pending_deliveries_with_their_channel(self):
        self.rule.channel_ids = [(4, self.hook.id)]
        self.down(self.alpha, 0, 1, 2)
        pending = self.Delivery.with_user(self.service).pending_deliveries(0, 10)
        self.assertEqual([(p['channel']['kind'], p['event']['kind']) for p in pending],
                         [('discord', 'outage_opened'), ('webhook', 'outage_opened')])
        self.assertEqual(pending[1]['channel']['secret'], self.hook.secret)
        self.assertEqual(len(self.hook.secret), 64, "a secret is made when the channel is created")
        self.assertEqual(self.Delivery.with_user(self.service).pending_deliveries(pending[0]['id'], 10), pending[1:])
        self.assertEqual(pending[0]['event']['payload']['server']['name'], 'Alpha')
        by_id = self.Delivery.with_user(self.service).pending_deliveries(delivery_ids=[pending[1]['id']])
        self.assertEqual(by_id, pending[1:])

    def test_webhook_urls_and_secrets_stay_with_managers_and_the_service(self):
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.reader).pending_deliveries()
        channel = self.discord.with_user(self.reader)
        self.assertEqual(channel.name, 'Ops')
        with self.assertRaises(AccessError):
            channel.read(['url'])
        with self.assertRaises(AccessError):
            channel.read(['secret'])

    def test_results_are_written_back_once(self):
        self.down(self.alpha, 0, 1, 2)
        self.up(self.alpha, 5)
        first, second = self.deliveries()
        Delivery = self.Delivery.with_user(self.service)
        answer = Delivery.report_deliveries([
            {'id': first.id, 'state': 'sent', 'attempts': 1, 'error': None, 'at': '2024-05-01 12:10:00'},
            {'id': second.id, 'state': 'pending', 'attempts': 2, 'error': 'HTTP 503', 'at': '2024-05-01 12:10:00'},
            {'id': 999999, 'state': 'sent', 'attempts': 1, 'error': None, 'at': '2024-05-01 12:10:00'},
        ])
        self.assertEqual(answer, {'written': 2, 'missing': [999999]})
        self.assertEqual((first.state, first.attempts, str(first.sent_at)), ('sent', 1, '2024-05-01 12:10:00'))
        self.assertEqual((second.state, second.attempts, second.last_error), ('pending', 2, 'HTTP 503'))
        Delivery.report_deliveries([
            {'id': first.id, 'state': 'failed', 'attempts': 2, 'error': 'late', 'at': '2024-05-01 12:11:00'},
            {'id': second.id, 'state': 'failed', 'attempts': 3, 'error': 'HTTP 404: Unknown Webhook',
             'at': '2024-05-01 12:11:00'},
        ])
        self.assertEqual(first.state, 'sent', "a sent delivery stays sent")
        self.assertEqual((second.state, second.last_error), ('failed', 'HTTP 404: Unknown Webhook'))
        self.assertEqual(Delivery.pending_deliveries(), [])

    def test_malformed_results_write_nothing(self):
        self.down(self.alpha, 0, 1, 2)
        delivery = self.deliveries()
        with self.assertRaises(ValidationError) as caught:
            self.Delivery.with_user(self.service).report_deliveries([
                {'id': delivery.id, 'state': 'sent', 'attempts': 1, 'error': None, 'at': '2024-05-01 12:10:00'},
                {'id': delivery.id, 'state': 'delivered', 'attempts': 1, 'at': 'soon'},
            ])
        self.assertIn('results[1]', str(caught.exception))
        self.assertEqual(delivery.state, 'pending')

    def test_send_test_message_shows_its_result_on_the_channel(self):
        self.discord.action_send_test()
        self.assertEqual(self.discord.last_test_state, 'pending')
        (pending,) = self.Delivery.with_user(self.service).pending_deliveries()
        self.assertEqual((pending['event']['kind'], pending['channel']['id']), ('test', self.discord.id))
        self.Delivery.with_user(self.service).report_deliveries([
            {'id': pending['id'], 'state': 'failed', 'attempts': 1, 'error': 'HTTP 401: Invalid Webhook Token',
             'at': '2024-05-01 12:10:00'}])
        self.assertEqual((self.discord.last_test_state, self.discord.last_test_error),
                         ('failed', 'HTTP 401: Invalid Webhook Token'))

    def test_a_webhook_url_must_be_an_http_address(self):
        for url in ('discord.com/api/webhooks/1', 'ftp://example.test/x', ''):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.env['game.server.notify.channel'].create({'name': 'Bad', 'kind': 'slack', 'url': url})

    def test_messages_in_french_whether_or_not_odoo_has_french_installed(self):
        channel = self.env['game.server.notify.channel'].create(
            {'name': 'Équipe', 'kind': 'slack', 'url': 'https://hooks.slack.test/services/T/B/x', 'lang': 'fr_FR'})
        self.assertEqual(channel.lang, 'fr_FR')

    def test_an_email_channel_hands_its_messages_to_odoos_mail_queue(self):
        oncall = self.env['res.partner'].create({'name': 'On-call', 'email': 'oncall@example.test'})
        mail_channel = self.env['game.server.notify.channel'].create(
            {'name': 'On-call e-mail', 'kind': 'email', 'partner_ids': [(6, 0, oncall.ids)]})
        self.rule.channel_ids = [(6, 0, mail_channel.ids)]
        self.down(self.alpha, 0, 1, 2)
        (delivery,) = self.deliveries()
        self.assertEqual((delivery.state, delivery.attempts), ('sent', 1))
        mail = delivery.mail_id
        self.assertEqual((mail.subject, mail.recipient_ids, mail.state),
                         ('Alpha is down (timeout: no answer)', oncall, 'outgoing'))
        self.assertIn('timeout: no answer', mail.body_html)
        self.assertIn('model=game.server', mail.body_html)
        self.assertEqual(self.Delivery.with_user(self.service).pending_deliveries(), [],
                         "the notifier never takes an e-mail")

    def test_an_email_channel_needs_a_recipient(self):
        with self.assertRaises(ValidationError):
            self.env['game.server.notify.channel'].create({'name': 'Nobody', 'kind': 'email'})
