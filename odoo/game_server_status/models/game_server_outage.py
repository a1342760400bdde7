"""game.server.outage: a run of failed polls long enough to count (see the outage threshold setting).

Opened and closed only by ``game.server.apply_status_reports``; people read them.
"""
from odoo import _, api, fields, models
from odoo.tools import SQL

from .game_server_stat import precreate_game_column


class GameServerOutage(models.Model):
    _name = 'game.server.outage'
    _description = 'Game Server Outage'
    _order = 'start desc, id desc'

    server_id = fields.Many2one('game.server', string='Server', required=True, ondelete='cascade', index=True)
    game = fields.Char(related='server_id.game', store=True, index=True)
    game_id = fields.Many2one(related='server_id.game_id', store=True, index=True)
    partner_id = fields.Many2one(related='server_id.partner_id', string='Customer', store=True, index=True)
    user_id = fields.Many2one(related='server_id.user_id', string='Responsible', store=True, index=True)
    start = fields.Datetime(required=True, index=True, help="Check time of the first failed poll of the run.")
    end = fields.Datetime(index=True, help="Check time of the first poll that found the server online again.")
    duration_s = fields.Integer(string='Duration (s)', compute='_compute_duration_s', store=True,
                                help="Seconds from start to end; 0 while the outage is open.")
    duration_display = fields.Char(string='Duration', compute='_compute_duration_display')
    state = fields.Selection([('open', 'Open'), ('closed', 'Closed')], compute='_compute_state', store=True,
                             index=True)
    reason = fields.Char(help="'<error code>: <message>' of the failed poll that opened the outage.")
    incident_id = fields.Many2one('game.server.incident', string='Host Incident', index=True, ondelete='set null',
                                  help="The incident of the host when several of its servers went down together.")

    def _auto_init(self):
        precreate_game_column(self)
        return super()._auto_init()

    @api.model
    def _close(self, ends):
        """End outages, ``{outage id: end}``, in one UPDATE: when a host comes back, a batch closes
        hundreds, and one ORM write each (with its duration and state) was most of the batch's
        time. What depends on the end elsewhere (an incident's counts) is recomputed as usual."""
        if not ends:
            return
        outages = self.browse(sorted(ends))
        # Every field: a value still waiting to be written would land after this UPDATE.
        self.flush_model()
        self.env.cr.execute(SQL(
            """UPDATE game_server_outage AS o
               SET "end" = v.end_at, duration_s = EXTRACT(EPOCH FROM v.end_at - o.start)::int, state = 'closed',
                   write_uid = %s, write_date = %s
               FROM (VALUES %s) AS v(id, end_at) WHERE o.id = v.id""",
            self.env.uid, fields.Datetime.now(),
            SQL(', ').join(SQL('(%s, %s::timestamp)', oid, end) for oid, end in sorted(ends.items()))))
        outages.invalidate_recordset(['end', 'duration_s', 'state', 'write_uid', 'write_date'])
        outages.modified(['end'])
        for fname in ('duration_s', 'state'):
            self.env.remove_to_compute(self._fields[fname], outages)

    @api.model
    def _format_duration(self, seconds):
        """'2 d 3 h', '1 h 05 min', '4 min 10 s', '12 s': a duration for people."""
        minutes, secs = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        if days:
            return _("%(days)s d %(hours)s h", days=days, hours=hours)
        if hours:
            return _("%(hours)s h %(minutes)02d min", hours=hours, minutes=minutes)
        if minutes:
            return _("%(minutes)s min %(seconds)s s", minutes=minutes, seconds=secs)
        return _("%(seconds)s s", seconds=secs)

    @api.depends('start', 'end')
    def _compute_duration_s(self):
        for outage in self:
            outage.duration_s = int((outage.end - outage.start).total_seconds()) if outage.end else 0

    @api.model
    def _duration_display(self, start, end):
        """'1 h 05 min' from start to end, or '... so far' while open; False without a start."""
        if not start:
            return False
        if end:
            return self._format_duration((end - start).total_seconds())
        return _("%(duration)s so far", duration=self._format_duration((fields.Datetime.now() - start).total_seconds()))

    @api.depends('start', 'end')
    def _compute_duration_display(self):
        for outage in self:
            outage.duration_display = self._duration_display(outage.start, outage.end)

    @api.depends('end')
    def _compute_state(self):
        for outage in self:
            outage.state = 'closed' if outage.end else 'open'

    def _event_values(self, kind, opening=None):
        """A game.server.event of this outage: opened (``opening``: the fold's span) or closed."""
        self.ensure_one()
        outage = {'id': self.id, 'start': fields.Datetime.to_string(self.start),
                  'end': fields.Datetime.to_string(self.end) if self.end else None,
                  'duration_s': self.duration_s if self.end else None, 'reason': self.reason or None,
                  'failures': opening['failures'] if opening else None}
        if kind == 'outage_opened':
            summary = _("%(server)s is down (%(reason)s)", server=self.server_id.name, reason=self.reason or '')
            at = self.start
        else:
            summary = _("%(server)s is back after %(duration)s", server=self.server_id.name,
                        duration=self._format_duration(self.duration_s))
            at = self.end
        return {'kind': kind, 'at': at, 'cause': '%s:%s' % (kind, self.id), 'summary': summary,
                'server_id': self.server_id.id, 'outage_id': self.id,
                'payload': {'server': self.server_id._event_payload(), 'outage': outage}}

    @api.depends('server_id.name', 'start')
    def _compute_display_name(self):
        for outage in self:
            outage.display_name = _("%(server)s, %(start)s UTC", server=outage.server_id.name or '',
                                    start=fields.Datetime.to_string(outage.start) if outage.start else '')
