"""The project that follow-up tasks go to."""
from odoo import api, fields, models

PARAM = 'game_server_status.followup_project_id'


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    game_server_followup_project_id = fields.Many2one(
        'project.project', string='Follow-up project', config_parameter=PARAM,
        help="Each outage told on its own and each host incident opens a task in this project instead of an "
             "activity; empty: activities.")

    @api.model
    def _followup_project(self):
        return self._record_setting(PARAM, 'project.project')
