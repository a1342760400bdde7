from odoo.tests.common import tagged

from .common import T0, GameServerCase, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestIncidents(GameServerCase):
    """Servers of one host down together make one incident, told once when it opens and once when it closes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Incident = cls.env['game.server.incident']
        cls.rack = cls.Server.create([
            {'name': 'Rack %02d' % n, 'game': 'minecraft', 'host': '10.1.2.3', 'port': 25565 + n} for n in range(5)
        ])
        cls.follower = cls.env['res.partner'].create({'name': 'On-call', 'email': 'oncall@example.test'})
        cls.rack.message_subscribe(partner_ids=cls.follower.ids)

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(20))
        self.outage_subtypes = (self.env.ref('game_server_status.mt_outage_opened')
                                | self.env.ref('game_server_status.mt_outage_closed'))

    def fail(self, servers, *minutes):
        return self.apply([offline(s.id, self.t[m], 'timeout', 'no answer within 3000 ms')
                           for m in minutes for s in servers])

    def recover(self, servers, minute):
        return self.apply([online(s.id, self.t[minute]) for s in servers])

    def outage_messages(self, servers):
        return servers.message_ids.filtered(lambda m: m.subtype_id in self.outage_subtypes)

    def test_servers_of_a_host_down_together_make_one_incident_told_once(self):
        result = self.fail(self.rack, 0, 1, 2)
        self.assertEqual(result['outages_opened'], 5, "each server keeps its own outage")
        incident = self.Incident.search([])
        self.assertEqual(len(incident), 1)
        self.assertEqual((incident.host, incident.state, incident.server_count), ('10.1.2.3', 'open', 5))
        self.assertEqual(incident.outage_ids, self.rack.outage_ids)
        self.assertEqual(incident.start, self.rack.outage_ids[0].start)
        self.assertFalse(self.outage_messages(self.rack), "no message per server")
        (message,) = incident.message_ids.filtered(lambda m: m.message_type == 'notification')
        self.assertIn('5 servers on 10.1.2.3 down since 2024-05-01 12:00:00 UTC', message.body)
        self.assertIn('Rack 00, Rack 01, Rack 02, Rack 03, Rack 04', message.body)
        self.assertIn('timeout: no answer within 3000 ms', message.body)
        notified = self.env['mail.notification'].search([('mail_message_id', '=', message.id)]).res_partner_id
        self.assertEqual(notified, self.follower, "the servers' followers hear it once")

    def test_fewer_servers_than_the_threshold_stay_server_outages(self):
        self.fail(self.rack[:2], 0, 1, 2)
        self.assertFalse(self.Incident.search([]))
        self.assertEqual(len(self.outage_messages(self.rack)), 2)

    def test_servers_announced_by_an_earlier_batch_of_the_round_join_without_a_second_message(self):
        self.fail(self.rack[:2], 0, 1, 2)
        self.fail(self.rack[2:], 1, 2, 3)
        incident = self.Incident.search([])
        self.assertEqual(incident.outage_ids, self.rack.outage_ids)
        self.assertEqual(len(self.outage_messages(self.rack)), 2, "the two told before, nothing more")
        self.assertEqual(len(incident.message_ids.filtered(lambda m: m.message_type == 'notification')), 1)

    def test_a_server_going_down_during_an_open_incident_joins_it_silently(self):
        late = self.Server.create({'name': 'Rack late', 'game': 'minecraft', 'host': '10.1.2.3', 'port': 1})
        self.fail(self.rack, 0, 1, 2)
        self.fail(late, 5, 6, 7)
        self.assertEqual(late.outage_ids.incident_id, self.Incident.search([]))
        self.assertFalse(self.outage_messages(late))

    def test_the_host_back_closes_the_incident_naming_the_servers_still_down(self):
        self.fail(self.rack, 0, 1, 2)
        incident = self.Incident.search([])
        self.recover(self.rack[:2], 10)
        self.assertEqual((incident.state, incident.servers_down_count), ('open', 3), "3 still down: not back yet")
        self.recover(self.rack[2:4], 11)
        self.assertEqual((incident.state, incident.end), ('closed', self.rack[3].outage_ids.end))
        closing = incident.message_ids.filtered(lambda m: m.message_type == 'notification').sorted('id')[-1]
        self.assertIn('10.1.2.3 is back at 2024-05-01 12:11:00 UTC, after 11 min 0 s. Still down: Rack 04.',
                      closing.body)
        self.assertFalse(self.outage_messages(self.rack), "the recoveries are told by the incident")
        # The server that stayed down is told on its own from now on.
        self.recover(self.rack[4], 15)
        (back,) = self.outage_messages(self.rack[4])
        self.assertIn('Back online at 2024-05-01 12:15:00 UTC', back.body)

    def test_all_back_in_one_batch(self):
        self.fail(self.rack, 0, 1, 2)
        self.recover(self.rack, 4)
        incident = self.Incident.search([])
        self.assertEqual(incident.state, 'closed')
        closing = incident.message_ids.filtered(lambda m: m.message_type == 'notification').sorted('id')[-1]
        self.assertIn('all 5 servers answer', closing.body)

    def test_replayed_batches_open_and_tell_nothing_twice(self):
        batch = [offline(s.id, self.t[m]) for m in (0, 1, 2) for s in self.rack]
        self.apply(batch)
        self.apply(batch)
        self.recover(self.rack, 4)
        self.recover(self.rack, 4)
        incident = self.Incident.search([])
        self.assertEqual(len(incident), 1)
        self.assertEqual(len(incident.message_ids.filtered(lambda m: m.message_type == 'notification')), 2)

    def test_a_new_round_after_the_incident_closed_opens_a_new_incident(self):
        self.fail(self.rack, 0, 1, 2)
        self.recover(self.rack, 4)
        self.fail(self.rack, 10, 11, 12)
        self.assertEqual(self.Incident.search([]).mapped('state'), ['open', 'closed'])

    def test_threshold_setting(self):
        self.set_setting('incident_threshold', 6)
        self.fail(self.rack, 0, 1, 2)
        self.assertFalse(self.Incident.search([]))
        self.assertEqual(len(self.outage_messages(self.rack)), 5)

    def test_a_storm_posts_one_message_per_host(self):
        hosts = ['10.9.0.%d' % n for n in range(4)]
        fleet = self.Server.create([{'name': 'S%03d' % n, 'game': 'minecraft', 'host': hosts[n % 4], 'port': 1000 + n}
                                    for n in range(200)])
        before = self.env['mail.message'].search_count([])
        self.fail(fleet, 0, 1, 2)
        incidents = self.Incident.search([('host', 'in', hosts)])
        self.assertEqual(sorted(incidents.mapped('server_count')), [50, 50, 50, 50])
        self.assertEqual(self.env['mail.message'].search_count([]) - before, 4)
        opened = incidents.message_ids.filtered(lambda m: m.message_type == 'notification')
        self.assertTrue(all('and 30 more' in m.body for m in opened), "long lists are cut")
