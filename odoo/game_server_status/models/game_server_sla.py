"""SLA: the uptime a customer pays for, per server and calendar month of the company's timezone.

A policy (a target uptime over a month, whether failed polls inside maintenance windows count)
applies to the servers it is set on, and to every server of the customers it is set on that has
none of its own. Each server's month is a game.server.sla.month row, recomputed from the
statistics buckets (sums, so the figure is exact whether the month's buckets are 15-minute rows
or daily ones), the outages that overlap the month, and the policy. The row outlives the buckets:
once the statistics are purged, the months already computed stay.

Downtime is counted in the month's own unit: the share of counted polls that failed, applied to
the minutes the month has covered so far (from its start, or from the server's first poll in it).
A month may lose (1 - target) of its minutes; the margin is what is left of that. So a month in
progress is breached as soon as no good rest of the month could save it, and a finished month is
breached exactly when its uptime is under the target. When the margin of a month in progress falls
under the policy's warning share, or any month's below zero, the server's month becomes at risk or
breached: an event, once per server, month and state, routed by the notification rules.
"""
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from . import local_time, series

STATES = [('none', 'No SLA'), ('met', 'On track'), ('at_risk', 'At risk'), ('breached', 'Breached')]
#: How bad a state is: a month only tells when it gets worse.
SEVERITY = {'none': 0, 'met': 0, 'at_risk': 1, 'breached': 2}
EVENT_OF_STATE = {'at_risk': 'sla_at_risk', 'breached': 'sla_breached'}

#: uptime_pct of a month or of any group of months: online polls over counted polls; players_avg:
#: players per poll, offline polls counting 0 (what a server held on average over the month);
#: utilization_pct: those players over the slots (of a group: all its players over all its slots).
SLA_RATIOS = {'uptime_pct': ('polls_online', 'polls_counted', 100.0), 'players_avg': ('players_sum', 'polls', 1.0),
              'utilization_pct': ('players_avg', 'capacity', 100.0)}

#: Columns written by a refresh, in the order of its VALUES.
MONTH_COLUMNS = ('server_id', 'month', 'partner_id', 'game_id', 'policy_id', 'polls', 'polls_online',
                 'polls_unplanned', 'players_sum', 'players_avg', 'capacity', 'utilization_pct', 'polls_counted',
                 'uptime_pct', 'target_pct', 'minutes_covered', 'minutes_elapsed', 'downtime_minutes',
                 'allowed_downtime_minutes', 'margin_minutes', 'outage_count', 'outage_minutes',
                 'longest_outage_minutes', 'state', 'is_current')


def month_figures(polls, online, unplanned, policy, covered_minutes, elapsed_minutes):
    """A server's month from its sums and policy.

    :param policy: None, or a mapping with target_pct, maintenance_counts and warn_margin_pct
    :param covered_minutes: minutes of the month the SLA covers (from its start or the server's
        first poll in it, to its end)
    :param elapsed_minutes: the part of them gone by (all of them once the month is over)
    :return: dict of the month's derived fields
    """
    counted = polls if policy is None or policy['maintenance_counts'] else unplanned
    uptime = 100.0 * online / counted if counted else 100.0
    downtime = (100.0 - uptime) / 100.0 * elapsed_minutes
    figures = {'polls_counted': counted, 'uptime_pct': uptime, 'downtime_minutes': downtime,
               'target_pct': 0.0, 'allowed_downtime_minutes': 0.0, 'margin_minutes': 0.0, 'state': 'none'}
    if policy is None:
        return figures
    allowed = (100.0 - policy['target_pct']) / 100.0 * covered_minutes
    margin = allowed - downtime
    if margin < 0:
        state = 'breached'
    elif elapsed_minutes < covered_minutes and margin < policy['warn_margin_pct'] / 100.0 * allowed:
        state = 'at_risk'
    else:
        state = 'met'
    figures.update(target_pct=policy['target_pct'], allowed_downtime_minutes=allowed, margin_minutes=margin,
                   state=state)
    return figures


class GameServerSlaPolicy(models.Model):
    _name = 'game.server.sla.policy'
    _description = 'SLA Policy'
    _order = 'name, id'

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    target_pct = fields.Float(string='Target Uptime (%)', required=True, default=99.5,
                              help="Uptime each covered server must reach over a calendar month.")
    maintenance_counts = fields.Boolean(
        string='Maintenance counts as downtime',
        help="Off: polls that failed inside a maintenance window are left out of the month's uptime.")
    warn_margin_pct = fields.Float(
        string='At risk under (%)', default=25.0,
        help="A month is at risk when the downtime it may still lose falls under this share of its allowed "
             "downtime.")
    partner_ids = fields.One2many('res.partner', 'game_server_sla_policy_id', string='Customers',
                                  help="Every server of these customers without a policy of its own.")
    server_ids = fields.One2many('game.server', 'sla_policy_id', string='Servers',
                                 help="These servers, whatever their customer's policy.")

    @api.constrains('target_pct', 'warn_margin_pct')
    def _check_levels(self):
        for policy in self:
            if not 0 < policy.target_pct <= 100:
                raise ValidationError(_("The target of SLA policy %(name)s must be above 0 %% and at most 100 %%.",
                                        name=policy.name))
            if not 0 <= policy.warn_margin_pct <= 100:
                raise ValidationError(_("The warning share of SLA policy %(name)s must be from 0 %% to 100 %%.",
                                        name=policy.name))


class GameServerSlaMonth(models.Model):
    _name = 'game.server.sla.month'
    _inherit = ['game.server.ratio.mixin']
    _description = 'Game Server SLA Month'
    _order = 'month desc, server_id'
    _rec_name = 'server_id'
    _ratios = SLA_RATIOS

    server_id = fields.Many2one('game.server', string='Server', required=True, readonly=True, index=True,
                                ondelete='cascade')
    month = fields.Date(required=True, readonly=True, index=True,
                        help="First day of the month, in the company's timezone.")
    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True, index=True)
    game_id = fields.Many2one('game.server.game', string='Game', readonly=True, index=True)
    policy_id = fields.Many2one('game.server.sla.policy', string='SLA Policy', readonly=True, index=True)
    polls = fields.Integer(readonly=True)
    polls_online = fields.Integer(string='Polls Online', readonly=True)
    polls_unplanned = fields.Integer(string='Polls Outside Maintenance', readonly=True)
    polls_counted = fields.Integer(string='Polls Counted', readonly=True,
                                   help="The polls uptime is counted over: all, or those outside maintenance.")
    players_sum = fields.Integer(string='Players (sum)', readonly=True)
    players_avg = fields.Float(string='Average Players', readonly=True, **series.aggregator('avg'),
                               help="Players per poll over the month, offline polls counting none.")
    capacity = fields.Integer(string='Slots', readonly=True, help="The server's player slots at its last answer.")
    utilization_pct = fields.Float(string='Utilization (%)', readonly=True, **series.aggregator('avg'),
                                   help="Average players over the slots.")
    uptime_pct = fields.Float(string='Uptime (%)', readonly=True, **series.aggregator('avg'))
    target_pct = fields.Float(string='Target (%)', readonly=True, **series.aggregator('max'))
    minutes_covered = fields.Integer(string='Minutes Covered', readonly=True,
                                     help="Minutes of the month the SLA covers: all, or from the server's first poll.")
    minutes_elapsed = fields.Integer(string='Minutes Elapsed', readonly=True)
    downtime_minutes = fields.Float(string='Downtime (min)', readonly=True,
                                    help="Share of counted polls that failed, over the minutes elapsed.")
    allowed_downtime_minutes = fields.Float(string='Allowed Downtime (min)', readonly=True)
    margin_minutes = fields.Float(string='Margin Left (min)', readonly=True, **series.aggregator('min'),
                                  help="Downtime the month may still lose and meet its target; negative: breached.")
    outage_count = fields.Integer(string='Outages', readonly=True)
    outage_minutes = fields.Float(string='Outage Minutes', readonly=True,
                                  help="Minutes of the outages within the month.")
    longest_outage_minutes = fields.Float(string='Longest Outage (min)', readonly=True, **series.aggregator('max'))
    state = fields.Selection(STATES, string='SLA', readonly=True, index=True)
    is_current = fields.Boolean(string='Current Month', readonly=True, index=True)

    def init(self):
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_sla_month_server_month_uniq
            ON game_server_sla_month (server_id, month)
        """)

    @api.depends('server_id.name', 'month')
    def _compute_display_name(self):
        for row in self:
            row.display_name = '%s, %s' % (row.server_id.name or '', row.month.strftime('%Y-%m') if row.month else '')

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    @api.model
    def _cron_refresh(self):
        return self._refresh()

    @api.model
    def _refresh(self, now=None):
        """Recompute this month, and the last one during the first day of this one (late reports,
        its final state), telling what got worse. :return: rows written"""
        zone = self.env['res.config.settings']._game_server_timezone()
        now = now or fields.Datetime.now()
        month = local_time.month_of(now, zone)
        start = local_time.month_bounds(month, zone)[0]
        months = [month]
        if now - start < timedelta(days=1):
            months.insert(0, local_time.month_of(start - timedelta(days=1), zone))
        written = sum(self._refresh_month(m, zone, now, notify=True) for m in months)
        # A month the job did not see end (it was stopped through the first day of the next) is
        # no longer the current one either.
        self.env.cr.execute(SQL("UPDATE game_server_sla_month SET is_current = false WHERE is_current AND month != %s",
                                month))
        if self.env.cr.rowcount:
            self.invalidate_model(['is_current'])
        return written

    @api.model
    def _refresh_all(self):
        """Compute every month the statistics hold (on install and update), telling nothing: a
        month long gone is history, not news."""
        zone = self.env['res.config.settings']._game_server_timezone()
        self.env['game.server.stat'].flush_model(['bucket_start'])
        self.env.cr.execute(SQL(
            "SELECT DISTINCT date_trunc('month', bucket_start AT TIME ZONE 'UTC' AT TIME ZONE %s)::date "
            "FROM game_server_stat", zone.key))
        now = fields.Datetime.now()
        return sum(self._refresh_month(month, zone, now, notify=False) for (month,) in self.env.cr.fetchall())

    @api.model
    def _refresh_month(self, month, zone, now, notify):
        """Recompute every server's row of the local month starting on ``month`` (a date)."""
        start, end = local_time.month_bounds(month, zone)
        for model in ('game.server.stat', 'game.server.outage', 'game.server', 'res.partner',
                      'game.server.sla.policy'):
            self.env[model].flush_model()
        self.env.cr.execute(SQL("""
            WITH st AS (
                SELECT server_id, SUM(polls) AS polls, SUM(polls_online) AS online,
                       SUM(polls_unplanned) AS unplanned, SUM(players_sum) AS players,
                       MIN(bucket_start) AS first_bucket
                FROM game_server_stat WHERE bucket_start >= %(start)s AND bucket_start < %(end)s
                GROUP BY server_id),
            o AS (
                SELECT server_id, COUNT(*) AS n, SUM(secs) AS secs, MAX(secs) AS longest FROM (
                    SELECT server_id, EXTRACT(EPOCH FROM LEAST(COALESCE("end", %(now)s), %(end)s)
                                                         - GREATEST(start, %(start)s)) AS secs
                    FROM game_server_outage
                    WHERE start < %(end)s AND COALESCE("end", %(now)s) > %(start)s) clipped
                GROUP BY server_id)
            SELECT srv.id, srv.partner_id, srv.game_id, srv.players_max, pol.id, pol.target_pct,
                   pol.maintenance_counts, pol.warn_margin_pct, st.polls, st.online, st.unplanned, st.players,
                   st.first_bucket, COALESCE(o.n, 0), COALESCE(o.secs, 0), COALESCE(o.longest, 0)
            FROM st
            JOIN game_server srv ON srv.id = st.server_id
            LEFT JOIN res_partner p ON p.id = srv.partner_id
            LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
            LEFT JOIN game_server_sla_policy pol ON pol.active AND pol.id = COALESCE(
                srv.sla_policy_id, p.game_server_sla_policy_id, cp.game_server_sla_policy_id)
            LEFT JOIN o ON o.server_id = srv.id
        """, start=start, end=end, now=now))
        fetched = self.env.cr.fetchall()
        self.env.cr.execute(SQL("SELECT server_id, state FROM game_server_sla_month WHERE month = %s", month))
        before = dict(self.env.cr.fetchall())
        is_current = start <= now < end
        rows = []
        for (server_id, partner_id, game_id, capacity, policy_id, target, maintenance_counts, warn, polls, online,
             unplanned, players, first_bucket, outages, outage_secs, longest_secs) in fetched:
            covered_from = max(start, first_bucket)
            covered = (end - covered_from).total_seconds() / 60
            elapsed = max((min(now, end) - covered_from).total_seconds() / 60, 0)
            policy = {'target_pct': target, 'maintenance_counts': maintenance_counts,
                      'warn_margin_pct': warn} if policy_id else None
            figures = month_figures(polls, online, unplanned, policy, covered, elapsed)
            rows.append({
                'server_id': server_id, 'month': month, 'partner_id': partner_id, 'game_id': game_id,
                'policy_id': policy_id, 'polls': polls, 'polls_online': online, 'polls_unplanned': unplanned,
                'players_sum': players, 'players_avg': players / polls if polls else 0.0,
                'capacity': capacity or 0,
                'utilization_pct': 100.0 * players / polls / capacity if polls and capacity else 0.0,
                'minutes_covered': round(covered), 'minutes_elapsed': round(elapsed), 'outage_count': outages,
                'outage_minutes': float(outage_secs) / 60, 'longest_outage_minutes': float(longest_secs) / 60,
                'is_current': is_current, **figures,
            })
        self._upsert(rows)
        if notify:
            self._tell([row for row in rows
                        if SEVERITY[row['state']] > SEVERITY[before.get(row['server_id'], 'none')]], now)
        return len(rows)

    @api.model
    def _upsert(self, rows):
        if not rows:
            return
        uid, now = self.env.uid, fields.Datetime.now()
        columns = MONTH_COLUMNS + ('create_uid', 'create_date', 'write_uid', 'write_date')
        updates = SQL(', ').join(SQL('%s = EXCLUDED.%s', SQL.identifier(c), SQL.identifier(c))
                                 for c in MONTH_COLUMNS[2:] + ('write_uid', 'write_date'))
        for chunk in range(0, len(rows), 1000):
            self.env.cr.execute(SQL(
                "INSERT INTO game_server_sla_month (%s) VALUES %s ON CONFLICT (server_id, month) DO UPDATE SET %s",
                SQL(', ').join(SQL.identifier(c) for c in columns),
                SQL(', ').join(SQL('(%s)', SQL(', ').join([row[c] for c in MONTH_COLUMNS] + [uid, now, uid, now]))
                               for row in rows[chunk:chunk + 1000]),
                updates))
        self.invalidate_model()

    @api.model
    def _tell(self, rows, now):
        """An event, and a note on the server, for each month that became at risk or breached."""
        if not rows:
            return
        servers = self.env['game.server'].browse(row['server_id'] for row in rows)
        policies = self.env['game.server.sla.policy'].browse(row['policy_id'] for row in rows)
        causes = {'%s:%s:%s' % (EVENT_OF_STATE[row['state']], row['server_id'], row['month'].strftime('%Y-%m')): row
                  for row in rows}
        told = set(self.env['game.server.event'].sudo().search([('cause', 'in', list(causes))]).mapped('cause'))
        events = []
        for cause, row in causes.items():
            if cause in told:
                continue
            server = servers.browse(row['server_id'])
            summary = self._summary(server, row)
            server.message_post(body=summary, message_type='notification', subtype_xmlid='mail.mt_note')
            events.append({
                'kind': EVENT_OF_STATE[row['state']], 'at': now, 'cause': cause, 'summary': summary,
                'server_id': server.id,
                'payload': {'server': server._event_payload(), 'sla': {
                    'month': row['month'].strftime('%Y-%m'), 'policy': policies.browse(row['policy_id']).name,
                    'target_pct': row['target_pct'], 'uptime_pct': round(row['uptime_pct'], 4),
                    'downtime_minutes': round(row['downtime_minutes'], 1),
                    'allowed_downtime_minutes': round(row['allowed_downtime_minutes'], 1),
                    'margin_minutes': round(row['margin_minutes'], 1), 'outages': row['outage_count']}},
            })
        self.env['game.server.event'].sudo()._record(events)

    @api.model
    def _summary(self, server, row):
        values = {'server': server.name, 'month': row['month'].strftime('%Y-%m'),
                  'uptime': '%.3f' % row['uptime_pct'], 'target': '%g' % row['target_pct'],
                  'margin': '%d' % max(row['margin_minutes'], 0)}
        if row['state'] == 'breached':
            return _("SLA breached: %(server)s, %(month)s: %(uptime)s %% uptime for a %(target)s %% target", **values)
        return _("SLA at risk: %(server)s, %(month)s: %(uptime)s %% uptime for a %(target)s %% target, "
                 "%(margin)s min of downtime left", **values)


class GameServerSlaCustomer(models.Model):
    """A customer's month: their servers' months together (read from game.server.sla.month)."""
    _name = 'game.server.sla.customer'
    _inherit = ['game.server.ratio.mixin']
    _description = 'Customer SLA Month'
    _auto = False
    _order = 'month desc, partner_id'
    _rec_name = 'partner_id'
    _ratios = SLA_RATIOS

    partner_id = fields.Many2one('res.partner', string='Customer', readonly=True)
    month = fields.Date(readonly=True)
    server_count = fields.Integer(string='Servers', readonly=True)
    breached_count = fields.Integer(string='Servers Breached', readonly=True)
    at_risk_count = fields.Integer(string='Servers At Risk', readonly=True)
    polls_online = fields.Integer(string='Polls Online', readonly=True)
    polls_counted = fields.Integer(string='Polls Counted', readonly=True)
    uptime_pct = fields.Float(string='Uptime (%)', readonly=True, **series.aggregator('avg'))
    outage_count = fields.Integer(string='Outages', readonly=True)
    outage_minutes = fields.Float(string='Outage Minutes', readonly=True)
    longest_outage_minutes = fields.Float(string='Longest Outage (min)', readonly=True, **series.aggregator('max'))
    margin_minutes = fields.Float(string='Smallest Margin (min)', readonly=True, **series.aggregator('min'))
    state = fields.Selection(STATES, string='SLA', readonly=True,
                             help="The worst state of the customer's servers this month.")
    is_current = fields.Boolean(string='Current Month', readonly=True)

    def init(self):
        self.env.cr.execute("""
            CREATE OR REPLACE VIEW game_server_sla_customer AS
            SELECT MIN(m.id) AS id, m.partner_id, m.month, COUNT(*) AS server_count,
                   COUNT(*) FILTER (WHERE m.state = 'breached') AS breached_count,
                   COUNT(*) FILTER (WHERE m.state = 'at_risk') AS at_risk_count,
                   SUM(m.polls_online) AS polls_online, SUM(m.polls_counted) AS polls_counted,
                   COALESCE(100.0 * SUM(m.polls_online) / NULLIF(SUM(m.polls_counted), 0), 100.0) AS uptime_pct,
                   SUM(m.outage_count) AS outage_count, SUM(m.outage_minutes) AS outage_minutes,
                   MAX(m.longest_outage_minutes) AS longest_outage_minutes,
                   MIN(m.margin_minutes) FILTER (WHERE m.state != 'none') AS margin_minutes,
                   CASE WHEN bool_or(m.state = 'breached') THEN 'breached'
                        WHEN bool_or(m.state = 'at_risk') THEN 'at_risk'
                        WHEN bool_or(m.state = 'met') THEN 'met' ELSE 'none' END AS state,
                   bool_or(m.is_current) AS is_current
            FROM game_server_sla_month m
            WHERE m.partner_id IS NOT NULL
            GROUP BY m.partner_id, m.month
        """)

    @api.depends('partner_id', 'month')
    def _compute_display_name(self):
        for row in self:
            row.display_name = '%s, %s' % (row.partner_id.display_name or '',
                                           row.month.strftime('%Y-%m') if row.month else '')

    def _server_months(self):
        """The months of this customer's servers, for the report."""
        self.ensure_one()
        return self.env['game.server.sla.month'].search(
            [('partner_id', '=', self.partner_id.id), ('month', '=', self.month)], order='margin_minutes, server_id')
