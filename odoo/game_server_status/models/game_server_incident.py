"""game.server.incident: several servers of one host down together, told as one event.

When a machine of the host dies, every game server on it fails in the same poll
round. Rather than one outage message per server (thousands in a storm, each
mailed to every follower), their outages join one incident for the host: one
record, one message when it opens, one when the host is back. The outages stay
(each server's history and uptime are its own); only the telling is grouped.

Opened and closed only by ``game.server.apply_status_reports``; people read them.
"""
from datetime import timedelta

from odoo import _, api, fields, models

from .game_server import _record_url

#: Outages of one host join an incident when their first failed polls lie within this
#: span of each other: servers of a dead machine all fail within one poll interval.
INCIDENT_WINDOW = timedelta(minutes=10)

#: Servers named in an incident's event (its count gives the rest).
MAX_EVENT_SERVERS = 100


class GameServerIncident(models.Model):
    _name = 'game.server.incident'
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _description = 'Game Server Host Incident'
    _order = 'start desc, id desc'

    host = fields.Char(required=True, index=True, readonly=True, help="Host name or address the servers share.")
    start = fields.Datetime(required=True, index=True, readonly=True,
                            help="First failed poll of the earliest outage of the incident.")
    end = fields.Datetime(index=True, readonly=True,
                          help="Check time of the poll that brought the host back (its open outages under "
                               "the threshold).")
    state = fields.Selection([('open', 'Open'), ('closed', 'Closed')], compute='_compute_state', store=True,
                             index=True)
    outage_ids = fields.One2many('game.server.outage', 'incident_id', string='Outages', readonly=True)
    server_count = fields.Integer(string='Servers', compute='_compute_counts', store=True)
    servers_down_count = fields.Integer(string='Still Down', compute='_compute_counts', store=True)
    reason = fields.Char(readonly=True, help="Reason of the outage that opened the incident.")
    duration_display = fields.Char(string='Duration', compute='_compute_duration_display')

    @api.depends('end')
    def _compute_state(self):
        for incident in self:
            incident.state = 'closed' if incident.end else 'open'

    @api.depends('outage_ids', 'outage_ids.end')
    def _compute_counts(self):
        # Counted in SQL: in a storm each batch changes a few outages of incidents holding
        # hundreds, and reading them all back per batch was most of its cost.
        Outage = self.env['game.server.outage']
        ids = self._origin.ids
        counts = {}
        for still_down in (False, True):
            domain = [('incident_id', 'in', ids)] + ([('end', '=', False)] if still_down else [])
            for incident, servers in Outage._read_group(domain, ['incident_id'], ['server_id:count_distinct']):
                counts[incident.id, still_down] = servers
        for incident in self:
            incident.server_count = counts.get((incident._origin.id, False), 0)
            incident.servers_down_count = counts.get((incident._origin.id, True), 0)

    @api.depends('start', 'end')
    def _compute_duration_display(self):
        Outage = self.env['game.server.outage']
        for incident in self:
            incident.duration_display = Outage._duration_display(incident.start, incident.end)

    @api.depends('host', 'server_count', 'state')
    def _compute_display_name(self):
        for incident in self:
            incident.display_name = _("%(count)s servers on %(host)s", count=incident.server_count,
                                      host=incident.host or '')

    # ------------------------------------------------------------------
    # Grouping, called by game.server.apply_status_reports
    # ------------------------------------------------------------------
    @api.model
    def _group_new_outages(self, outages, threshold):
        """Attach outages just opened to their host's incident, opening one where enough servers of a
        host are down together.

        :param outages: the still open outages this batch created
        :param threshold: servers of one host down together that make an incident
        :return: the incidents this call opened
        """
        if not outages:
            return self.browse()
        Outage = self.env['game.server.outage']
        by_host = {}
        for outage in outages:
            by_host.setdefault(outage.server_id.host, Outage)
            by_host[outage.server_id.host] |= outage
        open_incidents = {incident.host: incident
                          for incident in self.search([('state', '=', 'open'), ('host', 'in', sorted(by_host))])}
        opened = self.browse()
        for host, new in sorted(by_host.items()):
            incident = open_incidents.get(host)
            if incident:
                new.incident_id = incident
                continue
            # Outages of this host opened by earlier batches of the same round (announced one by
            # one, under the threshold then) join too, without a second message.
            earliest = min(new.mapped('start'))
            alone = Outage.search([
                ('server_id.host', '=', host), ('state', '=', 'open'), ('incident_id', '=', False),
                ('start', '>=', earliest - INCIDENT_WINDOW), ('id', 'not in', new.ids),
            ])
            members = new | alone
            if len(members.server_id) < threshold:
                continue
            first = members.sorted(lambda o: (o.start, o.id))[:1]
            # No "created" note: the opening message says it.
            incident = self.with_context(mail_create_nolog=True).create(
                {'host': host, 'start': first.start, 'reason': first.reason})
            members.incident_id = incident
            opened |= incident
        return opened

    @api.model
    def _close_recovered(self, incidents, threshold):
        """Close those of ``incidents`` whose host is back: fewer than ``threshold`` of their servers
        still down. The servers still down are named in the closing message; their outages go on
        and are told one by one from then on.

        :return: the incidents closed
        """
        closed = self.browse()
        for incident in incidents.filtered(lambda i: i.state == 'open'):
            if incident.servers_down_count >= threshold:
                continue
            incident.end = max(incident.outage_ids.filtered('end').mapped('end'), default=fields.Datetime.now())
            closed |= incident
        return closed

    # ------------------------------------------------------------------
    # Messages
    # ------------------------------------------------------------------
    def _post_opened(self):
        """One message per incident, to the followers of its servers (subscribed here, once).

        :return: the values of the game.server.event of each message posted
        """
        for incident in self:
            servers = incident.outage_ids.server_id
            incident.message_subscribe(partner_ids=servers.message_partner_ids.ids)
            incident.message_post(
                body=_("%(count)s servers on %(host)s down since %(start)s UTC (%(reason)s): %(servers)s.",
                       count=len(servers), host=incident.host, start=incident.start,
                       reason=incident.reason or _("no answer"), servers=incident._names(servers)),
                subtype_xmlid='game_server_status.mt_incident_opened', message_type='notification')
        return [incident._event_values('incident_opened') for incident in self]

    def _post_closed(self):
        for incident in self:
            still_down = incident.outage_ids.filtered(lambda o: not o.end).server_id
            if still_down:
                body = _("%(host)s is back at %(end)s UTC, after %(duration)s. Still down: %(servers)s.",
                         host=incident.host, end=incident.end, duration=incident.duration_display,
                         servers=incident._names(still_down))
            else:
                body = _("%(host)s is back at %(end)s UTC, after %(duration)s: all %(count)s servers answer.",
                         host=incident.host, end=incident.end, duration=incident.duration_display,
                         count=incident.server_count)
            incident.message_post(body=body, subtype_xmlid='game_server_status.mt_incident_closed',
                                  message_type='notification')
        return [incident._event_values('incident_closed') for incident in self]

    def _event_values(self, kind):
        self.ensure_one()
        servers = self.outage_ids.server_id.sorted('name')
        still_down = self.outage_ids.filtered(lambda o: not o.end).server_id.sorted('name')
        if kind == 'incident_opened':
            summary = _("%(count)s servers on %(host)s down", count=len(servers), host=self.host)
        else:
            summary = _("%(host)s is back after %(duration)s", host=self.host, duration=self.duration_display)
        return {
            'kind': kind, 'at': self.start if kind == 'incident_opened' else self.end,
            'cause': '%s:%s' % (kind, self.id), 'summary': summary, 'incident_id': self.id,
            'payload': {'incident': {
                'id': self.id, 'host': self.host, 'start': fields.Datetime.to_string(self.start),
                'end': fields.Datetime.to_string(self.end) if self.end else None,
                'duration_s': int((self.end - self.start).total_seconds()) if self.end else None,
                'reason': self.reason or None, 'server_count': len(servers),
                # Enough for any message; the count says how many more there are.
                'servers': [s._event_payload() for s in servers[:MAX_EVENT_SERVERS]],
                'still_down': still_down[:MAX_EVENT_SERVERS].mapped('name'),
                'still_down_count': len(still_down),
                'url': _record_url(self.env, self),
            }},
        }

    @api.model
    def _names(self, servers, limit=20):
        """'A, B, C and 7 more': server names for a message, at most ``limit`` of them."""
        names = sorted(servers.mapped('name'))
        if len(names) <= limit:
            return ', '.join(names)
        return _("%(names)s and %(count)s more", names=', '.join(names[:limit]), count=len(names) - limit)
