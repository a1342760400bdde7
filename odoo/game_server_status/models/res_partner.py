"""A customer's game servers, from their contact form."""
from odoo import _, fields, models

GROUP_USER = 'game_server_status.group_game_server_user'


class ResPartner(models.Model):
    _inherit = 'res.partner'

    game_server_ids = fields.One2many('game.server', 'partner_id', string='Game Servers', groups=GROUP_USER)
    game_server_count = fields.Integer(compute='_compute_game_server_counts', groups=GROUP_USER)
    game_server_online_count = fields.Integer(compute='_compute_game_server_counts', groups=GROUP_USER)

    def _compute_game_server_counts(self):
        counts = {(partner.id, online): count for partner, online, count in self.env['game.server']._read_group(
            [('partner_id', 'in', self.ids)], ['partner_id', 'is_online'], ['__count'])}
        for partner in self:
            partner.game_server_online_count = counts.get((partner.id, True), 0)
            partner.game_server_count = partner.game_server_online_count + counts.get((partner.id, False), 0)

    def action_view_game_servers(self):
        """The customer's servers with their live status."""
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('game_server_status.action_game_server')
        name = _("Game Servers of %(customer)s", customer=self.display_name)
        # 19's web client titles the breadcrumb with display_name when the action has one.
        action.update(domain=[('partner_id', '=', self.id)], context={'default_partner_id': self.id},
                      name=name, display_name=name)
        return action
