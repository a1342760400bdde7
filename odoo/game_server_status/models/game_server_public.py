"""What players may see: the servers someone published, for the API's public status page.

A server is public only when a person chose it (``published``, off by default); its address
only when they also chose ``show_address`` (players need it to join, a host may not want it
known). ``public_status`` gives the page everything in one call, so the API's cache makes one
call per period whatever the traffic.
"""
import re
import unicodedata
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .game_server_stat import SHORTEST_DAY_MINUTES

SLUG = re.compile(r'^[a-z0-9]+(?:-[a-z0-9]+)*$')
MAX_SLUG_LENGTH = 64
#: Most servers the public page lists: it is a page for players, not an export of the fleet.
MAX_PUBLIC_SERVERS = 500
PUBLIC_HOURS = 24


def slugify(text):
    """'EU Survival #1' -> 'eu-survival-1': ASCII letters and digits joined by single dashes."""
    ascii_text = unicodedata.normalize('NFKD', text or '').encode('ascii', 'ignore').decode()
    return re.sub(r'[^a-z0-9]+', '-', ascii_text.lower()).strip('-')[:MAX_SLUG_LENGTH].strip('-')


class GameServer(models.Model):
    _inherit = 'game.server'

    published = fields.Boolean(
        string='On the Public Page', tracking=True, copy=False,
        help="Players see this server on the public status page, its badge and its card, without any login.")
    show_address = fields.Boolean(
        string='Show the Address', tracking=True, copy=False,
        help="The public page shows the host and port players join with; off, it shows neither.")
    public_slug = fields.Char(
        string='Public Name in Links', copy=False, index=True,
        help="The server's part of its public links (/public/servers/<name>): lowercase letters, digits and "
             "dashes. Made from the server's name when it is first published.")

    def init(self):
        super().init()
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_public_slug_uniq
            ON game_server (public_slug) WHERE public_slug IS NOT NULL
        """)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._check_slug_free(vals.get('public_slug'))
        servers = super().create(vals_list)
        servers.filtered(lambda s: s.published and not s.public_slug)._make_slugs()
        return servers

    def write(self, vals):
        if vals.get('public_slug') == '':
            vals = dict(vals, public_slug=False)
        self._check_slug_free(vals.get('public_slug'))
        result = super().write(vals)
        if vals.get('published'):
            self.filtered(lambda s: not s.public_slug)._make_slugs()
        return result

    def _make_slugs(self):
        for server in self:
            base = slugify(server.name) or 'server'
            server.public_slug = (base if not server._slug_taken(base)
                                  else '%s-%s' % (base[:MAX_SLUG_LENGTH - 12], server.id))

    def _slug_taken(self, slug):
        """Whether a server other than these, archived ones included, has this public name."""
        return bool(self.sudo().with_context(active_test=False).search_count(
            [('public_slug', '=', slug), ('id', 'not in', self.ids)]))

    def _check_slug_free(self, slug):
        """Refuse a public name another server has, before the unique index would (with a less
        readable error)."""
        if slug and self._slug_taken(slug):
            raise ValidationError(_("The public name %(slug)s is taken by another server.", slug=slug))

    @api.constrains('public_slug')
    def _check_public_slug(self):
        for server in self.filtered('public_slug'):
            if len(server.public_slug) > MAX_SLUG_LENGTH or not SLUG.match(server.public_slug):
                raise ValidationError(_(
                    "The public name of %(server)s may hold only lowercase letters, digits and single dashes "
                    "(at most %(max)s characters): %(slug)s", server=server.name, max=MAX_SLUG_LENGTH,
                    slug=server.public_slug))

    @api.model
    def public_status(self):
        """The published servers (active, at most MAX_PUBLIC_SERVERS, by name) as players see them.

        :return: ``{'hours': [24 'YYYY-MM-DD HH:00:00' UTC hours, the last one the current],
            'servers': [{slug, name, game, online, players, players_max, map, version, last_checked,
            uptime_30d, host, port, players_24h: [average players in each hour, None without a poll]}]}``;
            host and port are None unless the server shows its address.
        :raise AccessError: unless the caller is the Status Service or a Game Servers manager
        """
        self._check_status_writer()
        servers = self.sudo().search([('published', '=', True), ('public_slug', '!=', False)],
                                     order='name, id', limit=MAX_PUBLIC_SERVERS)
        now = fields.Datetime.now()
        hours = [now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=PUBLIC_HOURS - 1 - i)
                 for i in range(PUBLIC_HOURS)]
        self.env['game.server.stat'].flush_model()
        self.env.cr.execute(SQL("""
            SELECT server_id, date_trunc('hour', bucket_start), SUM(players_sum)::float8 / NULLIF(SUM(polls), 0)
            FROM game_server_stat
            WHERE server_id = ANY(%s) AND bucket_start >= %s AND bucket_minutes < %s
            GROUP BY 1, 2
        """, servers.ids, hours[0], SHORTEST_DAY_MINUTES))
        players = {(server_id, hour): value for server_id, hour, value in self.env.cr.fetchall()}
        return {
            'hours': [fields.Datetime.to_string(hour) for hour in hours],
            'servers': [{
                'slug': server.public_slug,
                'name': server.name,
                'game': server.game_id.name or server.game,
                'online': server.is_online,
                'players': server.players_online,
                'players_max': server.players_max,
                'map': server.map_name or None,
                'version': server.version or None,
                'last_checked': fields.Datetime.to_string(server.last_checked) if server.last_checked else None,
                'uptime_30d': round(server.uptime_30d, 3),
                'host': server.host if server.show_address else None,
                'port': server.port if server.show_address else None,
                'players_24h': [None if players.get((server.id, hour)) is None
                                else round(players[server.id, hour], 2) for hour in hours],
            } for server in servers],
        }
