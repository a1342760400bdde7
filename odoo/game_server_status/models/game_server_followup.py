"""Follow-up: whoever answers for a server gets an activity when it goes down, done when it is back.

Driven by the events of outages and host incidents (game.server.event), so it follows exactly
what the chatter tells: a server alone gets an activity on its form; the servers of a host
incident get one on the incident, per person answering for them. The person is the server's
responsible, else the follow-up user of the settings; with neither, nobody is assigned. When
the outage or incident closes, its open activities are marked done with the duration as
feedback; one a person already closed is left alone.
"""
from odoo import _, api, models

ACTIVITY_TYPE = 'game_server_status.mail_activity_type_server_down'


class GameServerFollowUp(models.AbstractModel):
    _name = 'game.server.followup'
    _description = 'Game Server Follow-up'

    @api.model
    def _follow(self, events):
        """Schedule or finish the activities of ``events`` (game.server.event)."""
        fallback = self.env['res.config.settings']._followup_user()
        for event in events:
            if event.kind in ('outage_opened', 'incident_opened'):
                record, servers = self._subject(event)
                for user in self._assignees(servers, fallback):
                    record.activity_schedule(ACTIVITY_TYPE, summary=event.summary, note=self._reason(event),
                                             user_id=user.id)
            elif event.kind in ('outage_closed', 'incident_closed'):
                self._finish(self._subject(event)[0], event)

    @api.model
    def _subject(self, event):
        """(the record an outage or incident event is followed up on, the servers it is about)"""
        if event.kind.startswith('outage_'):
            return event.server_id, event.server_id
        return event.incident_id, event.incident_id.outage_ids.server_id

    @api.model
    def _assignees(self, servers, fallback):
        """Who answers for ``servers``: their responsibles, and ``fallback`` for those without one."""
        return servers.user_id | (fallback if any(not server.user_id for server in servers) else fallback.browse())

    @api.model
    def _reason(self, event):
        payload = event.payload or {}
        return (payload.get('outage') or payload.get('incident') or {}).get('reason') or ''

    @api.model
    def _finish(self, record, event):
        activities = record.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(ACTIVITY_TYPE))
        if activities:
            activities.action_feedback(feedback=_("Back: %(summary)s", summary=event.summary))
