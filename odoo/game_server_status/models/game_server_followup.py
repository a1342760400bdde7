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
            if event.kind == 'outage_opened':
                self._schedule(event.server_id, event.server_id.user_id or fallback, event)
            elif event.kind == 'incident_opened':
                servers = event.incident_id.outage_ids.server_id
                users = servers.user_id | (fallback if any(not s.user_id for s in servers) else fallback.browse())
                for user in users:
                    self._schedule(event.incident_id, user, event)
            elif event.kind in ('outage_closed', 'incident_closed'):
                record = event.server_id if event.kind == 'outage_closed' else event.incident_id
                self._finish(record, event)

    @api.model
    def _schedule(self, record, user, event):
        if not user:
            return
        payload = event.payload or {}
        reason = (payload.get('outage') or payload.get('incident') or {}).get('reason')
        record.activity_schedule(ACTIVITY_TYPE, summary=event.summary, note=reason or '', user_id=user.id)

    @api.model
    def _finish(self, record, event):
        activities = record.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(ACTIVITY_TYPE))
        if activities:
            activities.action_feedback(feedback=_("Back: %(summary)s", summary=event.summary))
