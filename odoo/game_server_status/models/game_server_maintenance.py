"""game.server.maintenance: planned work, during which a failing server opens no outage.

A window covers chosen servers, or every server of a host, once (from a start to an end) or
every week (a weekday, a local start time in the window's timezone, a duration). While a
window covers a server, its failed polls are recorded as usual (live status, statistics) but
do not count towards an outage, so nothing is announced and nobody is notified; counting
starts afresh after the window. An outage already open when a window starts stays open and
closes when the server answers.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import _, api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError

WEEKDAYS = [('0', 'Monday'), ('1', 'Tuesday'), ('2', 'Wednesday'), ('3', 'Thursday'), ('4', 'Friday'),
            ('5', 'Saturday'), ('6', 'Sunday')]
#: Longest weekly window: a week (a longer one would cover everything).
MINUTES_PER_WEEK = 7 * 24 * 60


class GameServerMaintenance(models.Model):
    _name = 'game.server.maintenance'
    _description = 'Maintenance Window'
    _order = 'active desc, start desc, id desc'

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    server_ids = fields.Many2many('game.server', string='Servers')
    host = fields.Char(help="Every server on this host (name or address, as the servers give it), "
                            "besides the servers chosen.")
    recurrence = fields.Selection([('once', 'Once'), ('weekly', 'Every week')], required=True, default='once')
    start = fields.Datetime(help="Start of a one-off window.")
    end = fields.Datetime(help="End of a one-off window.")
    weekday = fields.Selection(WEEKDAYS, help="Day of a weekly window, in its timezone.")
    start_time = fields.Float(string='Start Time', help="Local start of a weekly window, e.g. 4.5 for 04:30.")
    duration_minutes = fields.Integer(string='Duration (minutes)', default=60)
    tz = fields.Selection(_tz_get, string='Timezone', default=lambda self: self.env.user.tz or 'UTC',
                          help="Timezone of a weekly window's day and start time.")

    @api.constrains('recurrence', 'start', 'end', 'weekday', 'start_time', 'duration_minutes', 'server_ids', 'host')
    def _check_window(self):
        for window in self:
            if not window.server_ids and not (window.host or '').strip():
                raise ValidationError(_("Maintenance window %(name)s covers no server: choose servers or a host.",
                                        name=window.name))
            if window.recurrence == 'once':
                if not (window.start and window.end and window.start < window.end):
                    raise ValidationError(_("Maintenance window %(name)s needs a start before its end.",
                                            name=window.name))
            elif (not window.weekday or not 0 <= window.start_time < 24
                  or not 0 < window.duration_minutes <= MINUTES_PER_WEEK):
                raise ValidationError(_(
                    "Weekly maintenance window %(name)s needs a day, a start time from 00:00 to 23:59 and a "
                    "duration of 1 minute to a week.", name=window.name))

    def _intervals(self, since, until):
        """The UTC (start, end) spans of this window that meet [since, until], naive datetimes."""
        self.ensure_one()
        if self.recurrence == 'once':
            return [(self.start, self.end)] if self.start < until and self.end > since else []
        try:
            zone = ZoneInfo(self.tz or 'UTC')
        except ZoneInfoNotFoundError:
            zone = ZoneInfo('UTC')
        utc = ZoneInfo('UTC')
        duration = timedelta(minutes=self.duration_minutes)
        hours, minutes = divmod(round(self.start_time * 60), 60)
        local_since = (since - duration).replace(tzinfo=utc).astimezone(zone).date()
        spans = []
        day = local_since - timedelta(days=(local_since.weekday() - int(self.weekday)) % 7)
        while True:
            begin = datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(utc).replace(tzinfo=None)
            if begin >= until:
                return spans
            if begin + duration > since:
                spans.append((begin, begin + duration))
            day += timedelta(days=7)

    @api.model
    def _spans_by_server(self, servers, since, until):
        """{server id: [(start, end), ...]} of the active windows covering ``servers`` within [since, until]."""
        hosts = sorted({host for host in servers.mapped('host') if host})
        windows = self.sudo().search(['|', ('server_ids', 'in', servers.ids), ('host', 'in', hosts)])
        spans = {}
        for window in windows:
            intervals = window._intervals(since, until)
            if not intervals:
                continue
            covered = servers.filtered(lambda s: s in window.server_ids or (window.host and s.host == window.host))
            for server in covered:
                spans.setdefault(server.id, []).extend(intervals)
        return spans

    @api.model
    def _covers(self, spans, moment):
        return any(start <= moment < end for start, end in spans)
