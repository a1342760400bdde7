from odoo.tests.common import tagged

from .common import T0, GameServerCase, counts, dt, minutes_after, offline, online


@tagged('post_install', '-at_install')
class TestOutages(GameServerCase):

    def setUp(self):
        super().setUp()
        self.t = minutes_after(T0, *range(12))
        self.opened = self.env.ref('game_server_status.mt_outage_opened')
        self.closed = self.env.ref('game_server_status.mt_outage_closed')

    def outage_messages(self, server):
        return server.message_ids.filtered(lambda m: m.subtype_id in (self.opened | self.closed)).sorted('id')

    def test_outage_opens_at_the_threshold_with_the_first_failure_as_start(self):
        t = self.t
        self.apply([online(self.alpha.id, t[0]), offline(self.alpha.id, t[1], 'timeout', 'no answer')])
        self.assertEqual(self.alpha.failing_since, dt(t[1]))
        self.assertEqual(self.apply([offline(self.alpha.id, t[2], 'refused', 'connection refused')]), counts(applied=1))
        self.assertFalse(self.alpha.outage_ids, "2 failed polls are below the default threshold of 3")

        result = self.apply([offline(self.alpha.id, t[3], 'unreachable', 'no route to host')])
        self.assertEqual(result, counts(applied=1, opened=1))
        outage = self.alpha.outage_ids
        self.assertEqual(len(outage), 1)
        self.assertEqual((outage.start, outage.end, outage.state, outage.duration_s), (dt(t[1]), False, 'open', 0))
        self.assertEqual(outage.reason, 'unreachable: no route to host')
        self.assertEqual(outage.game, 'minecraft')
        self.assertEqual(self.alpha.open_outage_id, outage)

        # More failures keep the same outage open.
        self.assertEqual(self.apply([offline(self.alpha.id, t[4])]), counts(applied=1))
        self.assertEqual(self.alpha.outage_ids, outage)

    def test_first_online_report_closes_the_outage(self):
        t = self.t
        self.apply([offline(self.alpha.id, x) for x in t[0:4]])
        outage = self.alpha.open_outage_id
        result = self.apply([online(self.alpha.id, t[6]), offline(self.alpha.id, t[7])])
        self.assertEqual(result, counts(applied=2, closed=1))
        self.assertEqual((outage.start, outage.end, outage.state), (dt(t[0]), dt(t[6]), 'closed'))
        self.assertEqual(outage.duration_s, 6 * 60)
        self.assertFalse(self.alpha.open_outage_id)
        self.assertEqual(self.alpha.failing_since, dt(t[7]), "a new run of failures starts after the recovery")
        self.assertEqual(self.alpha.consecutive_failures, 1)

    def test_outages_opened_and_closed_inside_one_batch(self):
        t = self.t
        reports = ([offline(self.alpha.id, x) for x in t[0:3]] + [online(self.alpha.id, t[3])]
                   + [offline(self.alpha.id, x, 'refused', 'connection refused') for x in t[4:8]])
        self.assertEqual(self.apply(reports), counts(applied=8, opened=2, closed=1))
        first, second = self.alpha.outage_ids.sorted('start')
        self.assertEqual((first.start, first.end, first.state), (dt(t[0]), dt(t[3]), 'closed'))
        self.assertEqual((second.start, second.end, second.state), (dt(t[4]), False, 'open'))
        self.assertEqual(second.reason, 'refused: connection refused')
        self.assertEqual(self.alpha.open_outage_id, second)
        self.assertEqual([m.subtype_id for m in self.outage_messages(self.alpha)],
                         [self.opened, self.closed, self.opened])

    def test_threshold_setting(self):
        self.set_setting('outage_threshold', 1)
        self.assertEqual(self.apply([offline(self.alpha.id, self.t[0])]), counts(applied=1, opened=1))
        self.set_setting('outage_threshold', 5)
        self.assertEqual(self.apply([offline(self.beta.id, x) for x in self.t[0:4]]), counts(applied=4))
        self.assertFalse(self.beta.outage_ids)

    def test_replay_opens_and_closes_nothing_twice(self):
        batch = [offline(self.alpha.id, x) for x in self.t[0:3]] + [online(self.alpha.id, self.t[3])]
        self.assertEqual(self.apply(batch), counts(applied=4, opened=1, closed=1))
        self.assertEqual(self.apply(batch), counts(ignored=4))
        self.assertEqual(len(self.alpha.outage_ids), 1)
        self.assertEqual(len(self.outage_messages(self.alpha)), 2)

    def test_chatter_messages_on_open_and_close_reach_followers(self):
        follower = self.env['res.partner'].create({'name': 'On-call admin', 'email': 'oncall@example.test'})
        self.alpha.message_subscribe(partner_ids=follower.ids)
        self.apply([offline(self.alpha.id, x, 'timeout', 'no answer within 3000 ms') for x in self.t[0:3]])
        self.apply([online(self.alpha.id, self.t[9])])

        opened, closed = self.outage_messages(self.alpha)
        self.assertEqual(opened.subtype_id, self.opened)
        self.assertIn('3 polls in a row failed since 2024-05-01 12:00:00 UTC', opened.body)
        self.assertIn('timeout: no answer within 3000 ms', opened.body)
        self.assertEqual(closed.subtype_id, self.closed)
        self.assertIn('Back online at 2024-05-01 12:09:00 UTC', closed.body)
        self.assertIn('9 min 0 s', closed.body)
        for message in (opened, closed):
            notified = self.env['mail.notification'].search([('mail_message_id', '=', message.id)]).res_partner_id
            self.assertIn(follower, notified, "followers are notified by Odoo itself")

    def test_a_failed_poll_alone_posts_nothing(self):
        # Only outages (after the threshold) and host incidents are told: a message per flip would be
        # the noise the threshold removes, and a message per server in a storm.
        self.env.cr.precommit.clear()
        before = len(self.alpha.message_ids)
        for report in (online(self.alpha.id, self.t[0]), offline(self.alpha.id, self.t[1]),
                       online(self.alpha.id, self.t[2])):
            self.apply([report])
            self.env.flush_all()
            self.env.cr.precommit.run()
        self.assertEqual(len(self.alpha.message_ids), before)

    def test_failing_server_from_before_failing_since_existed(self):
        # A server already failing when the addon was upgraded has no failing_since.
        self.alpha.write({'consecutive_failures': 2, 'last_report_ms': 1})
        self.assertEqual(self.apply([offline(self.alpha.id, self.t[5])]), counts(applied=1, opened=1))
        self.assertEqual(self.alpha.open_outage_id.start, dt(self.t[5]))

    def test_outage_duration_display(self):
        self.apply([offline(self.alpha.id, x) for x in self.t[0:3]] + [online(self.alpha.id, '2024-05-01 14:05:00')])
        self.assertEqual(self.alpha.outage_ids.duration_display, '2 h 05 min')
        self.assertEqual(self.alpha.outage_count, 1)
