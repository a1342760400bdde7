"""SLA months: exact figures from the buckets, in the company's timezone, across a clock change and
roll-ups; policies by customer and by server; at risk and breached told once."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from odoo.tests.common import tagged

from odoo.addons.game_server_status.models import local_time

from .common import GameServerCase, dt, offline, online

PARIS = ZoneInfo('Europe/Paris')
OCTOBER = date(2026, 10, 1)
# October 2026 in Paris: from 2026-10-01 00:00 CEST (2026-09-30 22:00 UTC) to 2026-11-01 00:00 CET
# (2026-10-31 23:00 UTC); the clocks go back on the 25th, so it lasts 31 days and 1 hour.
OCT_START, OCT_END = dt('2026-09-30 22:00:00'), dt('2026-10-31 23:00:00')
OCT_MINUTES = 745 * 60
POLLS_PER_BUCKET = 3  # a poll every 5 minutes, 15-minute buckets
#: Failed polls, by UTC bucket start: (failed polls, of which inside a maintenance window).
FAILURES = {
    dt('2026-09-30 21:45:00'): (3, 0),  # 23:45 CEST on 30 September: September's
    dt('2026-09-30 22:30:00'): (3, 0),  # 00:30 CEST on 1 October: October's (September's in UTC)
    dt('2026-10-10 10:00:00'): (3, 0),  # an hour down on the 10th, 12:00-13:00 CEST
    dt('2026-10-10 10:15:00'): (3, 0),
    dt('2026-10-10 10:30:00'): (3, 0),
    dt('2026-10-10 10:45:00'): (3, 0),
    **{dt('2026-10-20 00:00:00') + timedelta(minutes=15 * i): (3, 3) for i in range(8)},  # maintenance 02:00-04:00
    dt('2026-10-31 23:15:00'): (3, 0),  # 00:15 CET on 1 November: November's (October's in UTC)
}
# October: 2,980 buckets, 8,940 polls; 15 failed outside the window and 24 inside it.
OCT_POLLS, OCT_FAILED, OCT_IN_MAINTENANCE = 8940, 15, 24


@tagged('post_install', '-at_install')
class TestSla(GameServerCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['ir.config_parameter'].sudo().set_param('game_server_status.timezone', 'Europe/Paris')
        cls.Month = cls.env['game.server.sla.month']
        cls.Policy = cls.env['game.server.sla.policy']
        cls.customer = cls.env['res.partner'].create({'name': 'Pixel Guild', 'is_company': True})
        cls.standard = cls.Policy.create({'name': 'Standard', 'target_pct': 99.5})
        cls.customer.game_server_sla_policy_id = cls.standard
        cls.alpha.partner_id = cls.customer

    def build_month(self, server, first=OCT_START - timedelta(minutes=15), last=OCT_END + timedelta(minutes=15)):
        """15-minute buckets from ``first`` to ``last`` inclusive, three polls each, failing as FAILURES says."""
        deltas, start = [], first
        while start <= last:
            failed, planned = FAILURES.get(start, (0, 0))
            up = POLLS_PER_BUCKET - failed
            deltas.append((server.id, start, 15, POLLS_PER_BUCKET, up, 5 * up, 5 if up else 0, 20.0 * up,
                           POLLS_PER_BUCKET - planned))
            start += timedelta(minutes=15)
        self.Stat._add_to_buckets(deltas)

    def month(self, server, month=OCTOBER):
        return self.Month.search([('server_id', '=', server.id), ('month', '=', month)])

    FIGURES = ['polls', 'polls_online', 'polls_unplanned', 'polls_counted', 'uptime_pct', 'minutes_covered',
               'downtime_minutes', 'allowed_downtime_minutes', 'margin_minutes', 'state']

    def figures(self, row):
        return {name: round(row[name], 6) if isinstance(row[name], float) else row[name] for name in self.FIGURES}

    def test_local_month_bounds_follow_the_clock_change(self):
        self.assertEqual(local_time.month_bounds(OCTOBER, PARIS), (OCT_START, OCT_END))
        self.assertEqual((OCT_END - OCT_START).total_seconds() / 60, OCT_MINUTES)
        self.assertEqual(local_time.month_of(dt('2026-09-30 22:30:00'), PARIS), OCTOBER)
        self.assertEqual(local_time.month_of(dt('2026-10-31 23:15:00'), PARIS), date(2026, 11, 1))

    def test_hand_built_month_with_maintenance_and_a_clock_change(self):
        self.build_month(self.alpha)
        self.Outage.create([
            {'server_id': self.alpha.id, 'start': dt('2026-09-30 21:50:00'), 'end': dt('2026-09-30 22:40:00')},
            {'server_id': self.alpha.id, 'start': dt('2026-10-10 10:00:00'), 'end': dt('2026-10-10 11:00:00')},
        ])
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        row = self.month(self.alpha)
        online = OCT_POLLS - OCT_FAILED - OCT_IN_MAINTENANCE
        # Maintenance left out: 8,901 online of 8,916 counted; 15/8,916 of 44,700 minutes is 75.2 min,
        # of the 223.5 a 99.5 % month may lose.
        self.assertEqual(self.figures(row), {
            'polls': 8940, 'polls_online': 8901, 'polls_unplanned': 8916, 'polls_counted': 8916,
            'uptime_pct': round(100.0 * online / 8916, 6), 'minutes_covered': OCT_MINUTES,
            'downtime_minutes': round(15 / 8916 * OCT_MINUTES, 6), 'allowed_downtime_minutes': 223.5,
            'margin_minutes': round(223.5 - 15 / 8916 * OCT_MINUTES, 6), 'state': 'met',
        })
        self.assertAlmostEqual(row.uptime_pct, 99.831763, places=6)
        # The outage across midnight of 30 September counts from 00:00 CEST: 40 of its 50 minutes.
        self.assertEqual((row.outage_count, row.outage_minutes, row.longest_outage_minutes), (2, 100.0, 60.0))
        self.assertEqual((row.partner_id, row.policy_id, row.is_current), (self.customer, self.standard, False))

        # Maintenance counted: 39 failed polls of 8,940, every 5 minutes: 195 minutes down, 28.5 left;
        # a finished month that met its target is met, not at risk.
        self.standard.maintenance_counts = True
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        self.assertEqual(
            (row.polls_counted, round(row.uptime_pct, 6), round(row.downtime_minutes, 6),
             round(row.margin_minutes, 6), row.state),
            (8940, round(100.0 * online / 8940, 6), 195.0, 28.5, 'met'))
        self.standard.target_pct = 99.6
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        self.assertEqual((round(row.margin_minutes, 6), row.state), (round(0.004 * OCT_MINUTES - 195, 6), 'breached'))

    def test_month_reads_the_same_from_daily_rows_after_the_roll_up(self):
        self.build_month(self.alpha)
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        before = self.figures(self.month(self.alpha))
        rolled = self.Stat._maintain(100000, now=dt('2026-11-20 10:00:00'))['rolled_up']
        self.assertEqual(rolled, 2980 + 2 + 1, "every 15-minute row from 30 September 23:45 CEST on")
        days = self.stats(self.alpha)
        self.assertEqual(len(days), 1 + 31 + 1, "30 September, the 31 local days of October, 1 November")
        by_start = {day.bucket_start: day.bucket_minutes for day in days}
        self.assertEqual(by_start[dt('2026-09-30 22:00:00')], 1440, "1 October starts at 00:00 CEST")
        self.assertEqual(by_start[dt('2026-10-24 22:00:00')], 1500, "25 October lasts 25 hours")
        self.assertEqual(by_start[dt('2026-10-25 23:00:00')], 1440, "26 October starts at 00:00 CET")
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        self.assertEqual(self.figures(self.month(self.alpha)), before)

    def test_current_month_margin_turns_at_risk_then_breached_each_told_once(self):
        channel = self.env['game.server.notify.channel'].create({'name': 'Ops', 'kind': 'discord',
                                                                 'url': 'https://discord.com/api/webhooks/1/x'})
        rule = self.env['game.server.notify.rule'].create({
            'name': 'SLA', 'channel_ids': [channel.id], 'on_outage_opened': False, 'on_outage_closed': False,
            'on_incident_opened': False, 'on_incident_closed': False, 'on_sla_at_risk': True,
            'on_sla_breached': True, 'scope': 'customers', 'partner_ids': [self.customer.id]})
        # Up to 10 October 12:00 UTC (9 days 14 hours of the month gone), with the hour down on the 10th.
        now = dt('2026-10-10 12:00:00')
        self.build_month(self.alpha, last=now - timedelta(minutes=15))
        self.Month._refresh(now=now)
        row = self.month(self.alpha)
        # 15 failed of the 2,760 polls so far, over 13,800 minutes: 75 min down; the month may lose
        # 223.5 min, at risk under 55.875 left.
        self.assertEqual((row.state, row.is_current), ('met', True))
        self.assertAlmostEqual(row.downtime_minutes, 75.0, places=6)
        self.assertFalse(self.env['game.server.event'].search([('kind', 'like', 'sla_')]))

        self.standard.write({'target_pct': 99.8, 'warn_margin_pct': 50})  # 89.4 min allowed; at risk under 44.7
        self.Month._refresh(now=now)
        self.assertEqual(row.state, 'at_risk')
        self.assertAlmostEqual(row.margin_minutes, 14.4, places=6)
        event = self.env['game.server.event'].search([('kind', '=', 'sla_at_risk')])
        self.assertEqual(event.cause, 'sla_at_risk:%s:2026-10' % self.alpha.id)
        self.assertEqual(event.payload['sla']['target_pct'], 99.8)
        self.assertIn('SLA at risk: Alpha, 2026-10', event.summary)
        self.assertEqual(event.delivery_ids.rule_id, rule)

        self.Month._refresh(now=now)
        self.assertEqual(len(self.env['game.server.event'].search([('kind', 'like', 'sla_')])), 1,
                         "a state that holds is not told again")

        self.standard.target_pct = 99.9  # 44.7 min allowed
        self.Month._refresh(now=now)
        self.assertEqual(row.state, 'breached')
        breached = self.env['game.server.event'].search([('kind', '=', 'sla_breached')])
        self.assertEqual(len(breached), 1)
        self.assertIn('SLA breached: Alpha, 2026-10', breached.summary)
        self.assertIn('SLA breached', self.alpha.message_ids[0].body)

    def test_a_month_the_job_did_not_see_end_is_no_longer_current(self):
        self.build_month(self.alpha, last=dt('2026-10-31 22:45:00'))
        self.Month._refresh(now=dt('2026-10-31 22:50:00'))
        self.assertTrue(self.month(self.alpha).is_current)
        # The job was stopped through 1 November: on the 3rd, October is not this month any more.
        self.Month._refresh(now=dt('2026-11-03 08:00:00'))
        self.assertFalse(self.month(self.alpha).is_current)

    def test_a_server_policy_wins_over_its_customer_and_archived_policies_measure_nothing(self):
        premium = self.Policy.create({'name': 'Premium', 'target_pct': 99.9})
        self.beta.write({'partner_id': self.customer.id, 'sla_policy_id': premium.id})
        self.build_month(self.alpha)
        self.build_month(self.beta)
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        self.assertEqual((self.month(self.alpha).policy_id, self.month(self.beta).policy_id), (self.standard, premium))
        self.assertEqual(self.month(self.beta).state, 'breached', "75 min down against 44.7 allowed")
        self.assertEqual(self.month(self.beta).target_pct, 99.9)

        customer_month = self.env['game.server.sla.customer'].search([('partner_id', '=', self.customer.id)])
        self.assertEqual((customer_month.server_count, customer_month.breached_count, customer_month.state),
                         (2, 1, 'breached'))
        self.assertAlmostEqual(customer_month.uptime_pct, 100.0 * 2 * 8901 / (2 * 8916), places=6)

        premium.active = False
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        self.assertEqual((self.month(self.beta).policy_id.id, self.month(self.beta).state), (False, 'none'))

    def test_pivot_uptime_of_a_customer_is_the_ratio_of_its_sums(self):
        self.beta.partner_id = self.customer
        self.build_month(self.alpha)
        self.Stat._add_to_buckets([(self.beta.id, dt('2026-10-05 10:00:00'), 15, 3, 0, 0, 0, 0.0, 3)])
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        ((uptime,),) = [row[1:] for row in self.Month._read_group(
            [('partner_id', '=', self.customer.id)], ['partner_id'], ['uptime_pct:avg'])]
        self.assertAlmostEqual(uptime, 100.0 * 8901 / (8916 + 3), places=6)

    def test_reports_applied_near_midnight_fall_in_their_local_month(self):
        self.apply([
            offline(self.alpha.id, '2026-09-30 21:55:00'),  # 23:55 CEST, September
            online(self.alpha.id, '2026-09-30 22:05:00'),  # 00:05 CEST, October
            offline(self.alpha.id, '2026-09-30 22:10:00'),
        ])
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-10-01 08:00:00'), notify=False)
        self.Month._refresh_month(date(2026, 9, 1), PARIS, dt('2026-10-01 08:00:00'), notify=False)
        october, september = self.month(self.alpha), self.month(self.alpha, date(2026, 9, 1))
        self.assertEqual((october.polls, october.polls_online), (2, 1))
        self.assertEqual((september.polls, september.polls_online), (1, 0))
        self.assertEqual(october.minutes_covered, OCT_MINUTES, "the month is covered from its first bucket, "
                                                                 "00:00 CEST")

    def test_customer_report_renders_the_month_of_each_server(self):
        self.build_month(self.alpha)
        self.Month._refresh_month(OCTOBER, PARIS, dt('2026-11-03 08:00:00'), notify=False)
        customer_month = self.env['game.server.sla.customer'].search([('partner_id', '=', self.customer.id)])
        html, _kind = self.env['ir.actions.report']._render_qweb_html(
            'game_server_status.report_game_server_sla', customer_month.ids)
        html = html.decode()
        self.assertIn('Pixel Guild', html)
        self.assertIn('2026-10', html)
        self.assertIn('99.832', html)
        self.assertIn('Alpha', html)

    def test_policy_target_must_be_a_percentage(self):
        from odoo.exceptions import ValidationError
        with self.assertRaises(ValidationError):
            self.Policy.create({'name': 'Wrong', 'target_pct': 120})
        with self.assertRaises(ValidationError):
            self.Policy.create({'name': 'Wrong', 'target_pct': 99, 'warn_margin_pct': -1})
