"""Follow-up in a project: a task per outage told on its own and per host incident.

The task is made once, when its outage or incident opens, for the people who answer for the
servers (the settings' follow-up user for servers without one), with the customer when the
servers have one. When the outage or incident closes, the task moves to the project's closing
stage (its first folded stage) and is marked done, unless a person has moved it on in the
meantime: then only a message says the servers are back. The name, description, people and
anything else a person edits are never written again.
"""
from markupsafe import Markup

from odoo import _, api, fields, models


class GameServerOutage(models.Model):
    _inherit = 'game.server.outage'

    task_id = fields.Many2one('project.task', string='Task', readonly=True, ondelete='set null', copy=False)


class GameServerIncident(models.Model):
    _inherit = 'game.server.incident'

    task_id = fields.Many2one('project.task', string='Task', readonly=True, ondelete='set null', copy=False)


class ProjectTask(models.Model):
    _inherit = 'project.task'

    game_server_opened_stage_id = fields.Many2one(
        'project.task.type', readonly=True, copy=False,
        help="The stage the task was opened in: it is closed on recovery only while still there.")


class GameServerFollowUp(models.AbstractModel):
    _inherit = 'game.server.followup'

    @api.model
    def _follow(self, events):
        project = self.env['res.config.settings']._followup_project()
        if not project:
            return super()._follow(events)
        fallback = self.env['res.config.settings']._followup_user()
        for event in events:
            if event.kind in ('outage_opened', 'incident_opened'):
                self._open_task(project, event, fallback)
            elif event.kind in ('outage_closed', 'incident_closed'):
                self._close_task(event)

    @api.model
    def _open_task(self, project, event, fallback):
        record = event.outage_id if event.kind == 'outage_opened' else event.incident_id
        servers = self._subject(event)[1]
        stage = project.type_ids.sorted(lambda s: (s.sequence, s.id))[:1]
        task = self.env['project.task'].sudo().create({
            'name': event.summary,
            'project_id': project.id,
            'stage_id': stage.id,
            'game_server_opened_stage_id': stage.id,
            'user_ids': [(6, 0, self._assignees(servers, fallback).ids)],
            'partner_id': servers.partner_id.id if len(servers.partner_id) == 1 else False,
            'description': Markup('<p>%s</p><ul>%s</ul>') % (
                self._reason(event), Markup('').join(Markup('<li>%s (%s:%s)</li>') % (s.name, s.host, s.port)
                                              for s in servers.sorted('name'))),
        })
        record.task_id = task

    @api.model
    def _close_task(self, event):
        record = event.outage_id if event.kind == 'outage_closed' else event.incident_id
        task = record.task_id
        if not task:
            return
        task = task.sudo()
        closing = task.project_id.type_ids.filtered('fold').sorted(lambda s: (s.sequence, s.id))[:1]
        if task.stage_id == task.game_server_opened_stage_id:
            task.write({'state': '1_done', **({'stage_id': closing.id} if closing else {})})
        task.message_post(body=_("Back: %(summary)s", summary=event.summary), message_type='comment',
                          subtype_xmlid='mail.mt_note')
