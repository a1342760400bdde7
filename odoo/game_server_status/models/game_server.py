"""game.server: the catalog of game servers, their live status, outages and figures.

The catalog fields are edited by people (or through the API); the live fields,
the statistics buckets and the outages are written only by the game-status
service through `apply_status_reports`. Everything in this file is identical on
Odoo 17.0, 18.0 and 19.0; what differs per series lives in `series.py` and
`series_views.py`.
"""
import math
import re
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import formatLang

from .game_server_stat import EPOCH, bucket_start, ratio_of

#: At most this many player names are kept (same cap as the service's MAX_PLAYER_NAMES).
MAX_PLAYER_NAMES = 50
#: Free-text values from game servers (MOTD, map, error message, ...) are cut to this length.
MAX_TEXT_LENGTH = 1024
#: A report may come from a clock slightly ahead of Odoo's, never further than this.
MAX_CLOCK_SKEW = timedelta(minutes=10)
#: PostgreSQL int4, the column type of fields.Integer.
MAX_INT4 = 2**31 - 1
#: Most errors listed in one ValidationError.
MAX_LISTED_PROBLEMS = 20

#: Fields the poller reads from the catalog; changing one of them bumps catalog_write_date.
CATALOG_FIELDS = frozenset({'name', 'game', 'host', 'port', 'query_port', 'poll_interval', 'active'})

CHECKED_AT_FORMAT = '%Y-%m-%d %H:%M:%S'
_CHECKED_AT_RE = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$')

# Report key -> game.server field, for the optional plain values of a report.
_REPORT_COUNTS = {'players_online': 'players_online', 'players_max': 'players_max', 'bots': 'bots'}
_REPORT_TEXTS = {'name': 'motd', 'map': 'map_name', 'version': 'version', 'game_mode': 'game_mode'}

GROUP_SERVICE = 'game_server_status.group_game_server_service'
GROUP_MANAGER = 'game_server_status.group_game_server_manager'

#: status_rank values, in the order the server views list them.
STATUS_RANK_DOWN = 0
STATUS_RANK_NEVER_UP = 1
STATUS_RANK_ONLINE = 2
STATUS_RANK_NOT_CHECKED = 3

#: Figure windows: field suffix -> days.
FIGURE_WINDOWS = {'24h': 1, '7d': 7, '30d': 30}


def _record_url(env, record):
    """The record's page in Odoo's web client, from Odoo's base URL setting (the /web# form, which
    17, 18 and 19 all open)."""
    base = (env['ir.config_parameter'].sudo().get_param('web.base.url') or '').rstrip('/')
    return '%s/web#id=%s&model=%s&view_type=form' % (base, record.id, record._name)


class GameServer(models.Model):
    _name = 'game.server'
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _description = 'Game Server'
    _order = 'name'

    # ------------------------------------------------------------------
    # Catalog
    # ------------------------------------------------------------------
    name = fields.Char(required=True)
    game = fields.Char(
        string='Game Id', required=True, index=True,
        help="Id of the game the service queries this server as, e.g. 'minecraft' (GameDig's ids).")
    # Kept equal to `game` by create and write (the service writes ids, people pick names),
    # stored so that lists, searches and the statistics group by the game's name.
    game_id = fields.Many2one('game.server.game', string='Game', index=True, ondelete='restrict',
                              help="The game, by name; choosing it sets the game id.")
    host = fields.Char(required=True, help="Host name or IP address of the game server.")
    port = fields.Integer(required=True, help="Game port (1-65535).")
    query_port = fields.Integer(
        help="Port answering status queries when it differs from the game port; empty (0) means the game port.")
    poll_interval = fields.Integer(
        string='Poll Interval (s)',
        help="Seconds between two status queries (at least 5); empty uses the poller's default "
             "(POLL_INTERVAL_S, 60 unless configured).")
    active = fields.Boolean(default=True)
    tag_ids = fields.Many2many('game.server.tag', string='Tags')
    partner_id = fields.Many2one('res.partner', string='Customer', index=True, tracking=True,
                                 help="Who rents the server: their portal, SLA and reports show it.")
    user_id = fields.Many2one('res.users', string='Responsible', index=True, tracking=True,
                              domain="[('share', '=', False)]",
                              help="Who follows the server up: the activity of each outage is theirs.")
    sla_policy_id = fields.Many2one('game.server.sla.policy', string='SLA Policy', index=True, tracking=True,
                                    help="The server's own SLA; empty: its customer's, if any.")
    notes = fields.Text()
    # write_date changes with every status report; this one only when the catalog does, so
    # the poller's catalog sync reads what people changed, not what the writer wrote.
    catalog_write_date = fields.Datetime(
        readonly=True, copy=False, index=True,
        help="Last change to the fields that tell the poller what and how to query.")

    # ------------------------------------------------------------------
    # Live status, written by apply_status_reports (readonly in views)
    # ------------------------------------------------------------------
    # Not tracked: a message per flip is the noise the outage threshold exists to remove, and in a
    # storm one per server; the chatter tells outages and host incidents instead.
    is_online = fields.Boolean(string='Online', index=True, copy=False)
    # Stored for the default order of the server views (default_order="status_rank, name").
    status_rank = fields.Integer(
        string='Status Order', compute='_compute_status_rank', store=True,
        help="0: down after having answered, 1: checked but never answered, 2: online, 3: not checked yet.")
    players_online = fields.Integer(string='Players', copy=False)
    players_max = fields.Integer(string='Max Players', copy=False)
    bots = fields.Integer(copy=False)
    latency_ms = fields.Integer(string='Latency (ms)', copy=False)
    map_name = fields.Char(string='Map', copy=False)
    version = fields.Char(copy=False)
    game_mode = fields.Char(copy=False)
    motd = fields.Char(string='MOTD / Server Name', copy=False)
    password_protected = fields.Boolean(copy=False)
    player_names = fields.Text(copy=False, help="Names the server shared, one per line (at most 50).")
    last_checked = fields.Datetime(copy=False, help="Time of the newest status report applied.")
    last_online = fields.Datetime(copy=False, help="Time of the newest report that found the server online.")
    last_error_code = fields.Char(copy=False)
    last_error = fields.Char(copy=False)
    consecutive_failures = fields.Integer(copy=False)
    failing_since = fields.Datetime(
        copy=False, help="Check time of the first failed poll of the current run of failures; "
                         "empty while the server answers.")
    recovery_polls = fields.Integer(
        copy=False, help="Good polls in a row since the open outage's server answered again (see the recovery setting).")
    recovering_since = fields.Datetime(
        copy=False, help="Check time of the first of those good polls: where the outage ends once it closes.")
    # Odoo datetimes keep whole seconds, but two polls of a server can finish in the same
    # second (a new server's first poll late in its slot, then the next slot's). The report
    # time in epoch milliseconds orders reports exactly; NUMERIC(16,0) holds it without loss.
    last_report_ms = fields.Float(digits=(16, 0), readonly=True, copy=False,
                                  help="Check time of the last applied report, epoch milliseconds.")

    # ------------------------------------------------------------------
    # History: statistics buckets, outages, figures computed from them
    # ------------------------------------------------------------------
    stat_ids = fields.One2many('game.server.stat', 'server_id', string='Statistics')
    outage_ids = fields.One2many('game.server.outage', 'server_id', string='Outages')
    open_outage_id = fields.Many2one('game.server.outage', string='Open Outage', readonly=True, copy=False,
                                     ondelete='set null')
    outage_count = fields.Integer(string='Outage Count', compute='_compute_outage_count')
    in_maintenance = fields.Boolean(string='In Maintenance', compute='_compute_in_maintenance',
                                    help="A maintenance window covers the server now: failures open no outage.")
    # Two computes: the lists and cards show only the day's figures, which read a day of buckets per
    # server; the week and month (the form) read 30 times more, scattered over the table.
    peak_players_24h = fields.Integer(string='Peak Players (24 h)', compute='_compute_day_figures')
    uptime_24h = fields.Float(string='Uptime 24 h (%)', compute='_compute_day_figures')
    uptime_7d = fields.Float(string='Uptime 7 days (%)', compute='_compute_long_figures')
    uptime_30d = fields.Float(string='Uptime 30 days (%)', compute='_compute_long_figures')
    # What the kanban card says, in words Odoo translates (a card's own text is not, since the
    # card is built per series in Python: see series_views).
    status_label = fields.Selection(
        [('maintenance', 'In maintenance'), ('online', 'Online'), ('offline', 'Offline'),
         ('unchecked', 'Not checked yet')], string='Status', compute='_compute_card_texts')
    status_detail = fields.Char(compute='_compute_card_texts')
    uptime_24h_display = fields.Char(string='Uptime 24 h', compute='_compute_card_texts')

    # ------------------------------------------------------------------
    # Constraints (@api.constrains works the same on 17, 18 and 19;
    # _sql_constraints would be silently ignored on 19)
    # ------------------------------------------------------------------
    @api.constrains('port')
    def _check_port(self):
        for server in self:
            if not 1 <= server.port <= 65535:
                raise ValidationError(_(
                    "Game server %(name)s: the port must be between 1 and 65535 (got %(port)s).",
                    name=server.name, port=server.port))

    @api.constrains('query_port')
    def _check_query_port(self):
        for server in self:
            if server.query_port and not 1 <= server.query_port <= 65535:
                raise ValidationError(_(
                    "Game server %(name)s: the query port must be empty or between 1 and 65535 (got %(port)s).",
                    name=server.name, port=server.query_port))

    @api.constrains('poll_interval')
    def _check_poll_interval(self):
        for server in self:
            if server.poll_interval and server.poll_interval < 5:
                raise ValidationError(_(
                    "Game server %(name)s: the poll interval must be empty or at least 5 seconds (got %(interval)s).",
                    name=server.name, interval=server.poll_interval))

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    def _window_figures(self, windows):
        """Exact figures over the buckets that start within each of ``windows`` (keys of
        FIGURE_WINDOWS): ``{(window, server id): sums}``, with uptime leaving out the failures
        inside maintenance windows when the setting says so."""
        now = fields.Datetime.now()
        uptime = ('uptime_unplanned_pct' if self.env['res.config.settings']._uptime_excludes_maintenance()
                  else 'uptime_pct')
        empty = {'polls': 0, 'polls_online': 0, 'polls_unplanned': 0, 'players_peak': 0}
        sums = {}
        for window in windows:
            for server, polls, polls_online, unplanned, peak in self.env['game.server.stat']._read_group(
                    [('server_id', 'in', self._origin.ids),
                     ('bucket_start', '>=', now - timedelta(days=FIGURE_WINDOWS[window]))],
                    ['server_id'], ['polls:sum', 'polls_online:sum', 'polls_unplanned:sum', 'players_peak:max']):
                sums[window, server.id] = {'polls': polls, 'polls_online': polls_online, 'polls_unplanned': unplanned,
                                           'players_peak': peak}
        return {(window, server._origin.id): dict(sums.get((window, server._origin.id), empty),
                                                  uptime=ratio_of(uptime, sums.get((window, server._origin.id), empty)))
                for window in windows for server in self}

    @api.depends('stat_ids.bucket_start', 'stat_ids.polls', 'stat_ids.polls_online', 'stat_ids.players_peak',
                 'stat_ids.polls_unplanned')
    def _compute_day_figures(self):
        figures = self._window_figures(['24h'])
        for server in self:
            day = figures['24h', server._origin.id]
            server.uptime_24h = day['uptime']
            server.peak_players_24h = day['players_peak'] or 0

    @api.depends('stat_ids.bucket_start', 'stat_ids.polls', 'stat_ids.polls_online', 'stat_ids.polls_unplanned')
    def _compute_long_figures(self):
        figures = self._window_figures(['7d', '30d'])
        for server in self:
            server.uptime_7d = figures['7d', server._origin.id]['uptime']
            server.uptime_30d = figures['30d', server._origin.id]['uptime']

    @api.depends('is_online', 'last_checked', 'in_maintenance', 'players_online', 'players_max', 'latency_ms',
                 'last_error_code', 'last_error', 'uptime_24h')
    def _compute_card_texts(self):
        for server in self:
            if server.in_maintenance:
                server.status_label = 'maintenance'
            elif server.is_online:
                server.status_label = 'online'
            else:
                server.status_label = 'offline' if server.last_checked else 'unchecked'
            if server.is_online:
                server.status_detail = _("%(players)s / %(max)s players, %(latency)s ms", players=server.players_online,
                                         max=server.players_max, latency=server.latency_ms)
            else:
                server.status_detail = ': '.join(filter(None, (server.last_error_code, server.last_error))) or False
            server.uptime_24h_display = _("Uptime 24 h: %(uptime)s %%",
                                          uptime=formatLang(self.env, server.uptime_24h, digits=2))

    @api.depends('is_online', 'last_online', 'last_checked')
    def _compute_status_rank(self):
        """Servers that went down first: they answered before, so something broke. Then those
        checked but never answered (likely a wrong address), the online ones, and last the new
        ones the service has not checked yet (down only in the sense of not known)."""
        for server in self:
            if server.is_online:
                server.status_rank = STATUS_RANK_ONLINE
            elif not server.last_checked:
                server.status_rank = STATUS_RANK_NOT_CHECKED
            elif server.last_online:
                server.status_rank = STATUS_RANK_DOWN
            else:
                server.status_rank = STATUS_RANK_NEVER_UP

    def _compute_in_maintenance(self):
        now = fields.Datetime.now()
        spans = self.env['game.server.maintenance']._spans_by_server(self, now, now + timedelta(seconds=1))
        for server in self:
            server.in_maintenance = bool(spans.get(server.id))

    def _compute_outage_count(self):
        counts = dict(self.env['game.server.outage']._read_group(
            [('server_id', 'in', self._origin.ids)], ['server_id'], ['__count']))
        for server in self:
            server.outage_count = counts.get(server._origin, 0)

    # ------------------------------------------------------------------
    # Create and delete
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        now = fields.Datetime.now()
        vals_list = [dict(vals, catalog_write_date=now) for vals in self._with_game(vals_list)]
        if self._is_status_service():
            # The service's login registers servers for people (through the API);
            # it must not follow them and collect every outage notification.
            self = self.with_context(mail_create_nosubscribe=True)
        return super(GameServer, self).create(vals_list)

    def write(self, vals):
        (vals,) = self._with_game([vals])
        if CATALOG_FIELDS.intersection(vals):
            vals = dict(vals, catalog_write_date=fields.Datetime.now())
        return super().write(vals)

    @api.model
    def _with_game(self, vals_list):
        """Values with `game` and `game_id` agreeing: the id wins when both are given (the service
        writes ids); a game id not known yet gets its game (see game.server.game._for_codes)."""
        Game = self.env['game.server.game']
        games = Game._for_codes(vals.get('game') for vals in vals_list)
        result = []
        for vals in vals_list:
            if vals.get('game'):
                vals = dict(vals, game_id=games[vals['game']].id)
            elif vals.get('game_id'):
                vals = dict(vals, game=Game.sudo().browse(vals['game_id']).code)
            result.append(vals)
        return result

    @api.onchange('game_id')
    def _onchange_game_id(self):
        if self.game_id:
            self.game = self.game_id.code

    @api.onchange('game')
    def _onchange_game(self):
        if self.game and self.game_id.code != self.game:
            self.game_id = self.env['game.server.game'].search([('code', '=', self.game)], limit=1)

    @api.model
    def _link_games(self):
        """Give servers, statistics and outages written before game_id existed their game.

        Called from the data file on every install and update (after all tables exist), in SQL:
        the statistics can be millions of rows, too many for the ORM's recompute of a related field.
        """
        cr = self.env.cr
        cr.execute("""
            INSERT INTO game_server_game (code, name, create_uid, create_date, write_uid, write_date)
            SELECT DISTINCT s.game, s.game, %(uid)s, %(now)s, %(uid)s, %(now)s
            FROM game_server s
            WHERE s.game_id IS NULL AND s.game IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM game_server_game g WHERE g.code = s.game)
        """, {'uid': self.env.uid, 'now': fields.Datetime.now()})
        cr.execute("""
            UPDATE game_server s SET game_id = g.id FROM game_server_game g
            WHERE s.game_id IS NULL AND g.code = s.game
        """)
        for table in ('game_server_stat', 'game_server_outage'):
            cr.execute(f"""
                UPDATE {table} t SET game_id = s.game_id FROM game_server s
                WHERE t.game_id IS NULL AND s.id = t.server_id AND s.game_id IS NOT NULL
            """)
        self.env.invalidate_all()

    def unlink(self):
        deleted_ids = self.ids
        result = super().unlink()
        # Written by the system for the poller, whatever the deleting user may create.
        self.env['game.server.deletion'].sudo().create([{'server_ref': server_id} for server_id in deleted_ids])
        return result

    def _is_status_service(self):
        user = self.env.user
        return not self.env.su and user.has_group(GROUP_SERVICE) and not user.has_group(GROUP_MANAGER)

    # ------------------------------------------------------------------
    # Status reports
    # ------------------------------------------------------------------
    @api.model
    def apply_status_reports(self, reports):
        """Apply a batch of status reports in one call (one RPC, one transaction).

        :param reports: list of dicts with the keys ``server_id`` (int),
            ``checked_at`` ('YYYY-MM-DD HH:MM:SS', UTC), ``online`` (bool) and
            optionally ``checked_at_ms`` (the same instant in epoch milliseconds,
            which orders reports finer than a second), ``latency_ms``, ``players_online``, ``players_max``,
            ``bots`` (numbers or null), ``player_names`` (list of str),
            ``name``, ``map``, ``version``, ``game_mode``, ``error_code``,
            ``error_message`` (str or null), ``password_protected`` (bool or null).
            Unknown keys are ignored.
        :return: ``{'applied': int, 'ignored': int, 'missing': [server ids],
            'outages_opened': int, 'outages_closed': int}``: reports applied;
            reports ignored because they are not newer than the last report
            applied to their server; servers that do not exist (their reports
            are dropped); outages opened and closed by the applied reports.
        :raise ValidationError: if any report is malformed (nothing is applied).
        :raise AccessError: unless the caller is in the Status Service or the
            Manager group.

        Per server, reports are applied in time order and only when newer than
        the last one applied: replaying a batch changes nothing and an
        older report never overwrites a newer one. Each applied report, and
        only an applied one, is counted in its statistics bucket; an outage
        opens when the failed polls in a row reach the outage threshold and
        closes at the first online report, with a message on the server's
        chatter each time. Archived servers still take reports. Each server is
        written once, with its final values.
        """
        self._check_status_writer()
        parsed = self._parse_status_reports(reports)
        result = {'applied': 0, 'ignored': 0, 'missing': [], 'outages_opened': 0, 'outages_closed': 0}
        if not parsed:
            return result

        by_server = defaultdict(list)
        for report in parsed:
            by_server[report['server_id']].append(report)

        # The caller may not write statistics, outages and messages itself
        # (see _check_status_writer): from here on the method writes as the
        # system. Servers in id order, so that concurrent batches lock rows in
        # the same order. One query finds the existing servers, the first field
        # access reads all of them (prefetch).
        servers = self.sudo().with_context(active_test=False).browse(sorted(by_server)).exists()
        found = set(servers.ids)
        result['missing'] = sorted(sid for sid in by_server if sid not in found)

        settings = self.env['res.config.settings']._game_server_settings()
        moments = [report['checked_at'] for report in parsed]
        maintenance = self.env['game.server.maintenance']._spans_by_server(
            servers, min(moments), max(moments) + timedelta(seconds=1))
        folds = []
        for server in servers:
            fold = _ServerFold(server, settings, maintenance.get(server.id, ()))
            for report in sorted(by_server[server.id], key=lambda r: r['report_ms']):  # stable: batch order breaks ties
                fold.add(report)
            result['applied'] += fold.applied
            result['ignored'] += fold.ignored
            if fold.applied:
                folds.append(fold)

        self._record_outages(folds, result)
        incidents_opened, incidents_closed = self._record_incidents(folds, settings)
        for fold in folds:
            fold.server.write(fold.values())
        deltas = sorted(delta for fold in folds for delta in fold.bucket_deltas())
        self.env['game.server.stat'].sudo()._add_to_buckets(deltas)
        events = []
        for fold in folds:
            events += fold.server._post_outage_messages(fold, told_by=incidents_opened | incidents_closed)
        events += incidents_opened._post_opened() + incidents_closed._post_closed()
        watching = self.env['game.server.notify.rule'].sudo()._watching()
        if watching:
            events += self.env['game.server.watch'].sudo()._events(folds, watching)
        self.env['game.server.event'].sudo()._record(events)
        self.env['game.server.game.stat'].sudo()._add_server_deltas(deltas)
        return result

    @api.model
    def _check_status_writer(self):
        if self.env.su or self.env.user.has_group(GROUP_SERVICE) or self.env.user.has_group(GROUP_MANAGER):
            return
        raise AccessError(_("Only the game-status service or a Game Servers manager may apply status reports."))

    @api.model
    def _record_outages(self, folds, result):
        """Create the outages the folds opened, close those they ended, and point each server at its open one."""
        Outage = self.env['game.server.outage'].sudo()
        created = iter(Outage.create([
            {'server_id': fold.server.id, 'start': span['start'], 'end': span['end'], 'reason': span['reason']}
            for fold in folds for span in fold.new_outages
        ]))
        ends = {}
        for fold in folds:
            fold.created_outages = [next(created) for _span in fold.new_outages]
            fold.closed_outage = fold.server.open_outage_id if fold.closes_open_outage_at else Outage
            if fold.closed_outage:
                ends[fold.closed_outage.id] = fold.closes_open_outage_at
        Outage._close(ends)
        for fold in folds:
            if fold.outage_open and fold.created_outages:
                fold.open_outage = fold.created_outages[-1]
            elif not fold.outage_open and (fold.created_outages or fold.closed_outage):
                fold.open_outage = Outage
            result['outages_opened'] += len(fold.created_outages)
            result['outages_closed'] += len(fold.closed_outage) + sum(1 for o in fold.created_outages if o.end)

    @api.model
    def _record_incidents(self, folds, settings):
        """Group the outages the folds opened by host into incidents, and close the incidents whose
        host came back: ``(incidents opened, incidents closed)`` by this batch."""
        Incident = self.env['game.server.incident'].sudo()
        opened = Incident._group_new_outages(
            self.env['game.server.outage'].sudo().union(
                *(outage for fold in folds for outage in fold.created_outages if not outage.end)),
            settings.incident_threshold)
        recovering = Incident.union(*(fold.closed_outage.incident_id for fold in folds if fold.closed_outage))
        return opened, Incident._close_recovered(recovering, settings.incident_threshold)

    def _post_outage_messages(self, fold, told_by):
        """Chatter messages, oldest event first; followers are notified through the subtypes.

        An outage of an incident is told by the incident (``told_by``: the incidents whose
        messages this batch posts) or not at all while the incident is open; once the incident
        is closed, the outages still open are told one by one again.

        :return: the values of the game.server.event of each message posted
        """
        self.ensure_one()
        Outage = self.env['game.server.outage']
        events = [(fold.closed_outage, None)] if fold.closed_outage else []
        for outage, span in zip(fold.created_outages, fold.new_outages):
            events.append((outage, span))
            if outage.end:
                events.append((outage, None))
        told = []
        for outage, opening in events:
            incident = outage.incident_id
            if incident and (incident in told_by or incident.state == 'open'):
                continue
            if opening:
                body = _("Outage: %(failures)s polls in a row failed since %(start)s UTC (%(reason)s).",
                         failures=opening['failures'], start=outage.start, reason=outage.reason)
                subtype = 'game_server_status.mt_outage_opened'
            else:
                body = _("Back online at %(end)s UTC, after an outage of %(duration)s.",
                         end=outage.end, duration=Outage._format_duration(outage.duration_s))
                subtype = 'game_server_status.mt_outage_closed'
            self.message_post(body=body, subtype_xmlid=subtype, message_type='notification')
            told.append(outage._event_values('outage_opened' if opening else 'outage_closed', opening))
        return told

    def _event_payload(self):
        """The server as notification messages show it."""
        self.ensure_one()
        return {
            'id': self.id, 'name': self.name, 'game': self.game, 'game_name': self.game_id.name or self.game,
            'host': self.host, 'port': self.port, 'players_online': self.players_online,
            'players_max': self.players_max, 'map': self.map_name or None, 'version': self.version or None,
            'error_code': self.last_error_code or None, 'error': self.last_error or None,
            'url': _record_url(self.env, self),
        }

    @api.model
    def _parse_status_reports(self, reports):
        """Check the types of a batch of reports and convert them.

        :return: list of dicts with Python values (datetime, int, bool, str or False)
        :raise ValidationError: listing every problem as ``report[<index>].<field>``
        """
        if not isinstance(reports, (list, tuple)):
            raise ValidationError(_("reports must be a list of status reports, got %(type)s.",
                                    type=type(reports).__name__))
        problems = []
        parsed = []
        now = fields.Datetime.now()
        for index, report in enumerate(reports):
            if not isinstance(report, dict):
                problems.append(_("report[%(index)s]: must be an object, got %(type)s.",
                                  index=index, type=type(report).__name__))
                continue
            parser = _ReportParser(self.env, index, report, problems)
            item = {
                'server_id': parser.server_id('server_id'),
                'checked_at': parser.checked_at('checked_at', now),
                'report_ms': parser.millis('checked_at_ms'),
                'online': parser.boolean('online', required=True),
                'latency_ms': parser.latency('latency_ms'),
                'password_protected': parser.boolean('password_protected'),
                'player_names': parser.names('player_names'),
                'error_code': parser.text('error_code'),
                'error_message': parser.text('error_message'),
            }
            if item['report_ms'] is None and item['checked_at']:
                item['report_ms'] = _epoch_ms(item['checked_at'])
            for key in _REPORT_COUNTS:
                item[key] = parser.count(key)
            for key in _REPORT_TEXTS:
                item[key] = parser.text(key)
            parsed.append(item)
        if problems:
            listed = problems[:MAX_LISTED_PROBLEMS]
            if len(problems) > len(listed):
                listed.append(_("... and %(count)s more problems.", count=len(problems) - len(listed)))
            raise ValidationError(_("Malformed status reports (nothing was applied):\n%(problems)s",
                                    problems='\n'.join(listed)))
        return parsed


def _epoch_ms(moment):
    """Epoch milliseconds of a naive UTC datetime, as Odoo stores them."""
    return int((moment - EPOCH).total_seconds() * 1000)


class _ReportParser:
    """Reads the values of one report, recording problems instead of raising.

    It carries ``env`` so that Odoo's ``_()`` finds the user's language in the
    caller's frame (``self.env``) on every series.
    """

    __slots__ = ('env', 'index', 'report', 'problems')

    def __init__(self, env, index, report, problems):
        self.env = env
        self.index = index
        self.report = report
        self.problems = problems

    def _problem(self, key, expected, value):
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + '...'
        self.problems.append(_("report[%(index)s].%(field)s: expected %(expected)s, got %(value)s.",
                               index=self.index, field=key, expected=expected, value=shown))

    def _get(self, key, required):
        value = self.report.get(key)
        if value is None and required:
            self._problem(key, _("a value (the field is required)"), value)
        return value

    def server_id(self, key):
        value = self._get(key, True)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_INT4:
            self._problem(key, _("a positive integer record id"), value)
            return 0
        return value

    def checked_at(self, key, now):
        value = self._get(key, True)
        if value is None:
            return None
        expected = _("a UTC datetime 'YYYY-MM-DD HH:MM:SS'")
        if not isinstance(value, str) or not _CHECKED_AT_RE.match(value):
            self._problem(key, expected, value)
            return None
        try:
            moment = datetime.strptime(value, CHECKED_AT_FORMAT)
        except ValueError:
            self._problem(key, expected, value)
            return None
        if moment > now + MAX_CLOCK_SKEW:
            self._problem(key, _("a time not after Odoo's clock plus %(minutes)s minutes",
                                 minutes=int(MAX_CLOCK_SKEW.total_seconds() // 60)), value)
            return None
        return moment

    def millis(self, key):
        """Optional epoch milliseconds (an integral number); None when absent."""
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**15:
            self._problem(key, _("epoch milliseconds (a positive integer) or null"), value)
            return None
        return value

    def boolean(self, key, required=False):
        value = self._get(key, required)
        if value is None:
            return False
        if not isinstance(value, bool):
            self._problem(key, _("true or false") if required else _("true, false or null"), value)
            return False
        return value

    def count(self, key):
        """A non-negative integer (an integral float is accepted); null means 0."""
        value = self._get(key, False)
        if value is None:
            return 0
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT4:
            self._problem(key, _("a non-negative integer or null"), value)
            return 0
        return value

    def latency(self, key):
        """Milliseconds, any non-negative number (kept exact for the statistics); null means 0."""
        value = self._get(key, False)
        if value is None:
            return 0.0
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not (math.isfinite(value) and 0 <= value <= MAX_INT4)):
            self._problem(key, _("a non-negative number of milliseconds or null"), value)
            return 0.0
        return float(value)

    def text(self, key):
        value = self._get(key, False)
        if value is None or value == '':
            return False
        if not isinstance(value, str):
            self._problem(key, _("a string or null"), value)
            return False
        return value[:MAX_TEXT_LENGTH]

    def names(self, key):
        value = self._get(key, False)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)) or not all(isinstance(name, str) for name in value):
            self._problem(key, _("a list of strings or null"), value)
            return []
        # One name per line: a line break inside a name would split it.
        names = (' '.join(name.split()) for name in value)
        return [name[:MAX_TEXT_LENGTH] for name in names if name][:MAX_PLAYER_NAMES]


class _ServerFold:
    """One server's applied reports of a batch, folded in time order.

    Gives the values of the server's one write, its statistics bucket deltas
    and the outages its reports opened and closed.
    """

    def __init__(self, server, settings, maintenance=()):
        self.server = server
        #: UTC (start, end) spans of the maintenance windows covering this server during the batch
        self.maintenance = maintenance
        self.bucket_minutes = settings.bucket_minutes
        self.threshold = settings.outage_threshold
        self.recovery_threshold = settings.recovery_threshold
        self.recovery_polls = server.recovery_polls
        self.recovering_since = server.recovering_since
        #: the server's values before this batch, which the notification rules' conditions compare with
        self.before = {'online': server.is_online, 'players_online': server.players_online,
                       'players_max': server.players_max, 'version': server.version or False}
        #: the applied reports, in time order
        self.reports = []
        self.last_ms = server.last_report_ms
        self.failures = server.consecutive_failures
        self.failing_since = server.failing_since
        self.outage_open = bool(server.open_outage_id)
        self.applied = self.ignored = 0
        self.latest = None
        self.last_online = None
        #: bucket start -> [polls, polls online, players sum, players peak, latency sum, polls outside maintenance]
        self.buckets = {}
        #: outages opened by these reports: {'start', 'end' (False while open), 'reason', 'failures'}
        self.new_outages = []
        #: check time of the report that closed the outage open before this batch
        self.closes_open_outage_at = None
        # set by GameServer._record_outages
        self.created_outages = []
        self.closed_outage = None
        self.open_outage = None

    def add(self, report):
        if report['report_ms'] <= self.last_ms:
            self.ignored += 1
            return
        self.applied += 1
        self.reports.append(report)
        self.latest = report
        self.last_ms = report['report_ms']
        checked_at = report['checked_at']
        bucket = self.buckets.setdefault(bucket_start(checked_at, self.bucket_minutes), [0, 0, 0, 0, 0.0, 0])
        bucket[0] += 1
        planned = not report['online'] and any(start <= checked_at < end for start, end in self.maintenance)
        if not planned:
            bucket[5] += 1
        if report['online']:
            players = report['players_online']
            bucket[1] += 1
            bucket[2] += players
            bucket[3] = max(bucket[3], players)
            bucket[4] += report['latency_ms']
            self.failures = 0
            self.failing_since = False
            self.last_online = checked_at
            if self.outage_open:
                self.recovery_polls += 1
                self.recovering_since = self.recovering_since or checked_at
                if self.recovery_polls >= self.recovery_threshold:
                    self._close_outage(self.recovering_since)
            return
        # A failure, planned or not, ends a run of good polls towards a recovery.
        self.recovery_polls = 0
        self.recovering_since = False
        if planned:
            # Planned work: the failure is recorded (live status, statistics) but counts towards
            # no outage, and the count starts afresh after the window.
            self.failures = 0
            self.failing_since = False
        else:
            self.failures += 1
            # Also covers a server already failing before failing_since existed.
            self.failing_since = self.failing_since or checked_at
            if self.failures >= self.threshold and not self.outage_open:
                self.new_outages.append({
                    'start': self.failing_since,
                    'end': False,
                    'reason': ': '.join(filter(None, (report['error_code'], report['error_message']))) or False,
                    'failures': self.failures,
                })
                self.outage_open = True

    def _close_outage(self, end):
        if self.new_outages:
            self.new_outages[-1]['end'] = end
        else:
            self.closes_open_outage_at = end
        self.outage_open = False
        self.recovery_polls = 0
        self.recovering_since = False

    def values(self):
        """The server's new live values, after the last applied report."""
        latest = self.latest
        online = latest['online']
        vals = {
            'is_online': online,
            'latency_ms': int(round(latest['latency_ms'])),
            'password_protected': latest['password_protected'],
            'player_names': '\n'.join(latest['player_names']) or False,
            'last_checked': latest['checked_at'],
            'last_report_ms': self.last_ms,
            'consecutive_failures': self.failures,
            'failing_since': self.failing_since,
            'recovery_polls': self.recovery_polls,
            'recovering_since': self.recovering_since,
            'last_error_code': False if online else latest['error_code'],
            'last_error': False if online else latest['error_message'],
        }
        for key, fname in _REPORT_COUNTS.items():
            vals[fname] = latest[key]
        for key, fname in _REPORT_TEXTS.items():
            vals[fname] = latest[key]
        if self.last_online:
            vals['last_online'] = self.last_online
        if self.open_outage is not None:
            vals['open_outage_id'] = self.open_outage.id
        return vals

    def bucket_deltas(self):
        """(server id, bucket start, bucket minutes, polls, online, players sum, peak, latency sum, polls outside
        maintenance) per bucket."""
        return [(self.server.id, start, self.bucket_minutes, *counts) for start, counts in self.buckets.items()]
