"""My Game Servers in the customer portal.

Every search runs as the portal user, so the record rules decide what they see; a record asked
for by id goes through CustomerPortal._document_check_access (the user's rights and rules) and
is then read through ``portal_address`` and the other fields the templates show, never ``host``.
"""
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

SLA_REPORT = 'game_server_status.action_report_game_server_sla'
#: Months of SLA history on a server's page.
MONTHS_SHOWN = 12


class GameServerPortal(CustomerPortal):

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if 'game_server_count' in counters:
            try:
                values['game_server_count'] = request.env['game.server'].search_count([])
            except AccessError:
                values['game_server_count'] = 0
        return values

    def _current_months(self, servers):
        """{server id: its SLA month now} for ``servers``, as the user may read them."""
        months = request.env['game.server.sla.month'].search(
            [('server_id', 'in', servers.ids), ('is_current', '=', True)])
        return {month.server_id.id: month for month in months}

    @http.route(['/my/game_servers', '/my/game_servers/page/<int:page>'], type='http', auth='user', website=True)
    def portal_my_game_servers(self, page=1, **kw):
        Server = request.env['game.server']
        pager = portal_pager(url='/my/game_servers', total=Server.search_count([]), page=page,
                             step=self._items_per_page)
        servers = Server.search([], order='name, id', limit=self._items_per_page, offset=pager['offset'])
        values = self._prepare_portal_layout_values()
        values.update({
            'servers': servers,
            'months': self._current_months(servers),
            'customer_months': request.env['game.server.sla.customer'].search([], order='month desc', limit=12),
            'pager': pager,
            'page_name': 'game_servers',
            'default_url': '/my/game_servers',
        })
        return request.render('game_server_status_portal.portal_my_game_servers', values)

    @http.route('/my/game_servers/<int:server_id>', type='http', auth='user', website=True)
    def portal_my_game_server(self, server_id, **kw):
        try:
            self._document_check_access('game.server', server_id)
        except (AccessError, MissingError):
            return request.redirect('/my')
        server = request.env['game.server'].browse(server_id)
        values = self._prepare_portal_layout_values()
        values.update({
            'server': server,
            'months': request.env['game.server.sla.month'].search(
                [('server_id', '=', server.id)], order='month desc', limit=MONTHS_SHOWN),
            'outages': request.env['game.server.outage'].search(
                [('server_id', '=', server.id)], order='start desc', limit=20),
            'page_name': 'game_server',
        })
        return request.render('game_server_status_portal.portal_my_game_server', values)

    @http.route('/my/game_servers/sla/<int:month_id>', type='http', auth='user', website=True)
    def portal_my_sla_report(self, month_id, report_type='pdf', download=False, **kw):
        """The monthly SLA report of the user's company: PDF where wkhtmltopdf is, else HTML."""
        try:
            month = self._document_check_access('game.server.sla.customer', month_id)
        except (AccessError, MissingError):
            return request.redirect('/my')
        if report_type not in ('pdf', 'html'):
            report_type = 'pdf'
        return self._show_report(model=month, report_type=report_type, report_ref=SLA_REPORT, download=download)
