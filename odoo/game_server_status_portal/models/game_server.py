"""What a customer may read of their servers in the portal: everything the page shows, but the
address only where the server shows it (show_address), and never the internal notes."""
from odoo import api, fields, models

INTERNAL = 'base.group_user'


class GameServer(models.Model):
    _inherit = 'game.server'

    # Employees only: a portal user asking for them by JSON-RPC or JSON-2 gets an AccessError.
    host = fields.Char(groups=INTERNAL)
    port = fields.Integer(groups=INTERNAL)
    query_port = fields.Integer(groups=INTERNAL)
    notes = fields.Text(groups=INTERNAL)
    portal_address = fields.Char(
        string='Address to Join', compute='_compute_portal_address', compute_sudo=True,
        help="Host and port, when the server shows its address; empty otherwise.")

    @api.depends('host', 'port', 'show_address')
    def _compute_portal_address(self):
        for server in self:
            if server.show_address and server.host:
                host = '[%s]' % server.host if ':' in server.host else server.host
                server.portal_address = '%s:%s' % (host, server.port)
            else:
                server.portal_address = False
