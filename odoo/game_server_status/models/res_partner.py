"""A customer's servers, from their contact form; customers made by the seed command."""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

GROUP_USER = 'game_server_status.group_game_server_user'


class ResPartner(models.Model):
    _inherit = 'res.partner'

    game_server_ids = fields.One2many('game.server', 'partner_id', string='Game Servers', groups=GROUP_USER)
    game_server_count = fields.Integer(compute='_compute_game_server_counts', groups=GROUP_USER)
    game_server_online_count = fields.Integer(compute='_compute_game_server_counts', groups=GROUP_USER)
    game_server_sla_policy_id = fields.Many2one(
        'game.server.sla.policy', string='Game Server SLA', groups=GROUP_USER,
        help="The SLA of every game server of this customer without a policy of its own.")

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

    @api.model
    def game_server_create_customers(self, names):
        """Create one company per name, for the game-status service's seed command (which may not
        create contacts otherwise): nothing else of res.partner is opened to it.

        :param names: list of non-empty names (at most 500, each at most 200 characters)
        :return: ``{name: id}``
        :raise AccessError: unless the caller is the Status Service or a Game Servers manager
        :raise ValidationError: on a malformed list (nothing is created)
        """
        self.env['game.server']._check_status_writer()
        if (not isinstance(names, list) or len(names) > 500
                or not all(isinstance(n, str) and n.strip() and len(n) <= 200 for n in names)):
            raise ValidationError(_("names must be a list of at most 500 non-empty names of at most 200 "
                                    "characters."))
        unique = list(dict.fromkeys(name.strip() for name in names))
        partners = self.sudo().create([{'name': name, 'is_company': True} for name in unique])
        return {name: partner.id for name, partner in zip(unique, partners)}

