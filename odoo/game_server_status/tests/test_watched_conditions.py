from odoo.exceptions import ValidationError
from odoo.tests.common import tagged

from .common import T0, GameServerCase, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestWatchedConditions(GameServerCase):
    """Players, full, version and latency conditions: told once when they start to hold, routed by the
    rules watching them; and flap damping of recoveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env['game.server.event']
        cls.Delivery = cls.env['game.server.notify.delivery']
        cls.Watch = cls.env['game.server.watch']
        cls.channel = cls.env['game.server.notify.channel'].create({
            'name': 'Community', 'kind': 'discord', 'url': 'https://discord.example.test/api/webhooks/2/x'})
        cls.rule = cls.env['game.server.notify.rule'].create({
            'name': 'Activity', 'channel_ids': [(6, 0, cls.channel.ids)], 'cooldown_minutes': 0,
            'on_outage_opened': False, 'on_outage_closed': False,
            'on_incident_opened': False, 'on_incident_closed': False})

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(120))

    def players(self, server, *pairs):
        """Apply online reports of (minute, players) pairs, one batch each."""
        for minute, count in pairs:
            self.apply([online(server.id, self.t[minute], players_online=count)])

    def events(self, kind):
        return self.Event.search([('kind', '=', kind)], order='at, id')

    def test_players_at_or_above_a_level_are_told_once_per_rise(self):
        self.rule.write({'on_players_high': True, 'players_high': 20})
        self.players(self.alpha, (0, 5), (1, 19), (2, 20), (3, 25), (4, 18), (5, 21))
        events = self.events('players_high')
        self.assertEqual([e.payload['condition']['players_online'] for e in events], [20, 21],
                         "told at 20 and again at 21 after falling under the level, never while it stays above")
        self.assertEqual(events[0].payload['condition']['threshold'], 20)
        self.assertEqual(events[0].payload['server']['players_online'], 20, "the server as it was then")
        self.assertEqual(len(self.Delivery.search([('event_id', 'in', events.ids)])), 2)

    def test_a_full_server_is_told_when_it_fills(self):
        self.rule.on_server_full = True
        self.apply([online(self.alpha.id, self.t[0], players_online=31, players_max=32),
                    online(self.alpha.id, self.t[1], players_online=32, players_max=32),
                    online(self.alpha.id, self.t[2], players_online=32, players_max=32),
                    online(self.alpha.id, self.t[3], players_online=0, players_max=0)])
        (event,) = self.events('server_full')
        self.assertEqual(event.summary, 'Alpha is full (32/32)')
        self.assertEqual(event.at.minute, 1, "told when it filled, not while it stayed full; a server with no "
                                             "maximum (0) is never full")

    def test_an_empty_server_is_told_after_the_minutes_and_once(self):
        self.rule.write({'on_players_low': True, 'players_low': 0, 'players_low_minutes': 30})
        self.players(self.alpha, (0, 3), (10, 0), (25, 0), (39, 0))
        self.assertFalse(self.events('players_low'), "29 minutes empty is not 30")
        self.assertEqual(self.Watch.search([]).mapped('key'), ['players_low:0:30'])
        self.players(self.alpha, (40, 0), (60, 0), (90, 0))
        (event,) = self.events('players_low')
        self.assertEqual((event.at.minute, event.payload['condition']['since']), (40, self.t[10]))
        self.players(self.alpha, (95, 2))
        self.assertFalse(self.Watch.search([]), "the run ends when players come back")
        self.players(self.alpha, (96, 0), (110, 0))
        self.assertEqual(len(self.events('players_low')), 1, "a new run starts its own minutes")

    def test_an_offline_poll_ends_an_empty_run(self):
        self.rule.write({'on_players_low': True, 'players_low': 0, 'players_low_minutes': 10})
        self.players(self.alpha, (0, 0), (5, 0))
        self.apply([offline(self.alpha.id, self.t[8])])
        self.players(self.alpha, (9, 0), (12, 0))
        self.assertFalse(self.events('players_low'))

    def test_the_version_changed_is_told_with_the_old_and_new_version(self):
        self.rule.on_version_changed = True
        self.apply([online(self.alpha.id, self.t[0], version='1.20.4')])
        self.apply([offline(self.alpha.id, self.t[1]), online(self.alpha.id, self.t[2], version=None),
                    online(self.alpha.id, self.t[3], version='1.21'), online(self.alpha.id, self.t[4], version='1.21')])
        (event,) = self.events('version_changed')
        self.assertEqual((event.payload['condition']['previous_version'], event.payload['condition']['version']),
                         ('1.20.4', '1.21'), "an offline poll or a reply without a version is not a change")

    def test_latency_above_a_level_for_n_polls(self):
        self.rule.write({'on_latency_high': True, 'latency_high_ms': 200, 'latency_high_polls': 3})
        for minute, latency in ((0, 250), (1, 300), (2, 90), (3, 210), (4, 220), (5, 400), (6, 500)):
            self.apply([online(self.alpha.id, self.t[minute], latency_ms=latency)])
        (event,) = self.events('latency_high')
        self.assertEqual((event.at.minute, event.payload['condition']['polls'],
                          event.payload['condition']['latency_ms']), (5, 3, 400))
        self.assertEqual(self.Watch.search([]).told, True)

    def test_a_replayed_batch_tells_nothing_twice(self):
        self.rule.write({'on_players_high': True, 'players_high': 10, 'on_latency_high': True,
                         'latency_high_ms': 100, 'latency_high_polls': 2})
        batch = [online(self.alpha.id, self.t[m], players_online=12, latency_ms=150) for m in (0, 1)]
        self.apply(batch)
        self.apply(batch)
        self.assertEqual(self.Event.search([]).mapped('kind'), ['latency_high', 'players_high'])

    def test_rules_route_only_their_own_levels_and_share_one_event_per_level(self):
        other = self.rule.copy({'name': 'Big games', 'players_high': 30, 'on_players_high': True})
        self.rule.copy({'name': 'Same level', 'players_high': 20, 'on_players_high': True})
        self.rule.write({'on_players_high': True, 'players_high': 20})
        self.players(self.alpha, (0, 0), (1, 25), (2, 0), (3, 35))
        keys = self.events('players_high').mapped(lambda e: e.payload['condition']['key'])
        self.assertEqual(keys, ['players_high:20', 'players_high:20', 'players_high:30'],
                         "two rules at 20 share one event; 30 has its own")
        routed = {d.event_id.payload['condition']['key']: d.rule_id
                  for d in self.Delivery.search([('rule_id', '=', other.id)])}
        self.assertEqual(list(routed), ['players_high:30'])
        self.assertEqual(len(self.Delivery.search([])), 3, "one delivery per event and channel")

    def test_the_cooldown_of_a_condition_does_not_silence_an_outage(self):
        self.rule.write({'on_players_high': True, 'players_high': 1, 'on_outage_opened': True,
                         'cooldown_minutes': 60})
        self.players(self.alpha, (0, 0), (1, 5), (2, 0), (3, 6))
        self.apply([offline(self.alpha.id, self.t[m]) for m in (4, 5, 6)])
        self.assertEqual(self.Delivery.search([], order='id').mapped('kind'), ['players_high', 'outage_opened'],
                         "the second rise is kept back by the cooldown; the outage is not")

    def test_a_rule_by_tag(self):
        eu = self.env['game.server.tag'].create({'name': 'EU'})
        self.beta.tag_ids = eu
        self.rule.write({'on_players_high': True, 'players_high': 5, 'scope': 'tags', 'tag_ids': [(6, 0, eu.ids)]})
        self.players(self.alpha, (0, 9))
        self.players(self.beta, (0, 9))
        self.assertEqual(self.Delivery.search([]).server_id, self.beta)
        Tag = self.env['game.server.tag']
        with self.assertRaises(ValidationError), self.cr.savepoint():
            Tag.create({'name': 'EU'})
        us = Tag.create({'name': 'US'})
        with self.assertRaises(ValidationError), self.cr.savepoint():
            us.name = 'EU'

    def test_a_rule_by_customer(self):
        guild = self.env['res.partner'].create({'name': 'Pixel Guild'})
        self.alpha.partner_id = guild
        self.rule.write({'on_players_high': True, 'players_high': 5, 'scope': 'customers',
                         'partner_ids': [(6, 0, guild.ids)]})
        self.players(self.alpha, (0, 9))
        self.players(self.beta, (0, 9))
        self.assertEqual(self.Delivery.search([]).server_id, self.alpha)

    def test_conditions_need_sensible_levels(self):
        for values in ({'on_players_high': True, 'players_high': 0},
                       {'on_players_low': True, 'players_low_minutes': 0},
                       {'on_latency_high': True, 'latency_high_polls': 0}):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.rule.write(values)

    def test_a_run_no_rule_watches_any_more_is_dropped(self):
        self.rule.write({'on_players_low': True, 'players_low': 0, 'players_low_minutes': 30,
                         'on_players_high': True, 'players_high': 50})
        self.players(self.alpha, (0, 0))
        self.assertEqual(self.Watch.search([]).key, 'players_low:0:30')
        self.rule.players_low_minutes = 60
        self.players(self.alpha, (1, 0))
        self.assertEqual(self.Watch.search([]).key, 'players_low:0:60')

    def test_quiet_servers_cost_no_watch_rows(self):
        self.rule.write({'on_players_low': True, 'players_low': 0, 'players_low_minutes': 30,
                         'on_latency_high': True, 'latency_high_ms': 500, 'latency_high_polls': 3})
        self.players(self.alpha, (0, 8), (1, 9), (2, 7))
        self.assertFalse(self.Watch.search([]))


@tagged('post_install', '-at_install')
class TestRecoveryDamping(GameServerCase):
    """An open outage closes after the recovery setting's good polls in a row, ending at the first."""

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(20))
        self.set_setting('recovery_threshold', 3)

    def test_one_answer_between_failures_keeps_the_outage_open(self):
        self.apply([offline(self.alpha.id, self.t[m]) for m in (0, 1, 2)])
        self.apply([online(self.alpha.id, self.t[3]), offline(self.alpha.id, self.t[4]),
                    online(self.alpha.id, self.t[5]), online(self.alpha.id, self.t[6])])
        self.assertEqual(len(self.alpha.outage_ids), 1)
        self.assertTrue(self.alpha.open_outage_id, "two good polls are not three")
        self.assertTrue(self.alpha.is_online, "the live status still shows the last poll")
        result = self.apply([online(self.alpha.id, self.t[7])])
        self.assertEqual(result['outages_closed'], 1)
        self.assertEqual(self.alpha.outage_ids.end, self.alpha.outage_ids.start.replace(minute=5),
                         "the outage ends at the first good poll of the run that closed it")
        self.assertEqual((self.alpha.recovery_polls, self.alpha.recovering_since), (0, False))

    def test_the_run_of_good_polls_spans_batches(self):
        self.apply([offline(self.alpha.id, self.t[m]) for m in (0, 1, 2)])
        for minute in (3, 4):
            self.apply([online(self.alpha.id, self.t[minute])])
        self.assertEqual(self.alpha.recovery_polls, 2)
        self.apply([online(self.alpha.id, self.t[5])])
        self.assertFalse(self.alpha.open_outage_id)
        closed = self.env['game.server.event'].search([('kind', '=', 'outage_closed')])
        self.assertEqual(closed.payload['outage']['duration_s'], 180)
