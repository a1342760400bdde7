"""game.server: the catalog of game servers and their live status.

The catalog fields are edited by people (or through the API); the live fields
are written only by the game-status service through `apply_status_reports`.
Everything in this file is identical on Odoo 17.0, 18.0 and 19.0; the one view
that differs per series lives in `series_views.py`.
"""
import math
import re
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

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

CHECKED_AT_FORMAT = '%Y-%m-%d %H:%M:%S'
_CHECKED_AT_RE = re.compile(r'^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$')

# Report key -> game.server field, for the optional plain values of a report.
_REPORT_COUNTS = {'players_online': 'players_online', 'players_max': 'players_max', 'bots': 'bots'}
_REPORT_TEXTS = {'name': 'motd', 'map': 'map_name', 'version': 'version', 'game_mode': 'game_mode'}


class GameServer(models.Model):
    _name = 'game.server'
    _description = 'Game Server'
    _order = 'name'

    # ------------------------------------------------------------------
    # Catalog
    # ------------------------------------------------------------------
    name = fields.Char(required=True)
    game = fields.Char(
        required=True, index=True,
        help="Id of the provider that queries this server, e.g. 'minecraft' (GameDig ids where GameDig has one).")
    host = fields.Char(required=True, help="Host name or IP address of the game server.")
    port = fields.Integer(required=True, help="Game port (1-65535).")
    query_port = fields.Integer(
        help="Port answering status queries when it differs from the game port; empty means the game port.")
    poll_interval = fields.Integer(
        string='Poll Interval (s)',
        help="Seconds between two status queries (at least 5); empty uses the poller's default "
             "(POLL_INTERVAL_S, 60 unless configured).")
    active = fields.Boolean(default=True)
    notes = fields.Text()

    # ------------------------------------------------------------------
    # Live status, written by apply_status_reports (readonly in views)
    # ------------------------------------------------------------------
    is_online = fields.Boolean(string='Online', index=True, copy=False)
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
    # Odoo datetimes keep whole seconds, but two polls of a server can finish in the same
    # second (a new server's first poll late in its slot, then the next slot's). The report
    # time in epoch milliseconds orders reports exactly; NUMERIC(16,0) holds it without loss.
    last_report_ms = fields.Float(digits=(16, 0), readonly=True, copy=False,
                                  help="Check time of the last applied report, epoch milliseconds.")

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
        :return: ``{'applied': int, 'ignored': int, 'missing': [server ids]}``:
            reports applied; reports ignored because they are not newer than
            the last report applied to their server; servers that do not exist (their
            reports are dropped).
        :raise ValidationError: if any report is malformed (nothing is applied).

        Per server, reports are applied in time order and only when newer than
        the last one applied: replaying a batch changes nothing and an
        older report never overwrites a newer one. Archived servers still take
        reports. Each server is written once, with its final values.
        """
        parsed = self._parse_status_reports(reports)
        result = {'applied': 0, 'ignored': 0, 'missing': []}
        if not parsed:
            return result

        by_server = defaultdict(list)
        for report in parsed:
            by_server[report['server_id']].append(report)

        # One query finds the existing servers, the first field access reads
        # the state of all of them (prefetch).
        servers = self.with_context(active_test=False).browse(list(by_server)).exists()
        found = set(servers.ids)
        result['missing'] = sorted(sid for sid in by_server if sid not in found)

        for server in servers:
            vals, applied, ignored = server._fold_status_reports(by_server[server.id])
            result['applied'] += applied
            result['ignored'] += ignored
            if vals:
                server.write(vals)
        return result

    def _fold_status_reports(self, reports):
        """Fold one server's reports into the values of one write.

        :return: (vals or {}, number applied, number ignored)
        """
        self.ensure_one()
        last_checked = self.last_checked
        last_ms = self.last_report_ms
        failures = self.consecutive_failures
        last_online = None
        latest = None
        applied = ignored = 0
        for report in sorted(reports, key=lambda r: r['report_ms']):  # stable: batch order breaks ties
            if report['report_ms'] <= last_ms:
                ignored += 1
                continue
            applied += 1
            latest = report
            last_ms = report['report_ms']
            last_checked = report['checked_at']
            if report['online']:
                failures = 0
                last_online = report['checked_at']
            else:
                failures += 1
        if latest is None:
            return {}, applied, ignored

        online = latest['online']
        vals = {
            'is_online': online,
            'latency_ms': latest['latency_ms'],
            'password_protected': latest['password_protected'],
            'player_names': '\n'.join(latest['player_names']) or False,
            'last_checked': last_checked,
            'last_report_ms': last_ms,
            'consecutive_failures': failures,
            'last_error_code': False if online else latest['error_code'],
            'last_error': False if online else latest['error_message'],
        }
        for key, fname in _REPORT_COUNTS.items():
            vals[fname] = latest[key]
        for key, fname in _REPORT_TEXTS.items():
            vals[fname] = latest[key]
        if last_online:
            vals['last_online'] = last_online
        return vals, applied, ignored

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
    return int((moment - _EPOCH).total_seconds() * 1000)


_EPOCH = datetime(1970, 1, 1)


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
        """Milliseconds, any non-negative number (rounded); null means 0."""
        value = self._get(key, False)
        if value is None:
            return 0
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not (math.isfinite(value) and 0 <= value <= MAX_INT4)):
            self._problem(key, _("a non-negative number of milliseconds or null"), value)
            return 0
        return int(round(value))

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
