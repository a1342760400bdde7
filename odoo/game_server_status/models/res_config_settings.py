"""The addon's settings: ir.config_parameter values, edited in Settings > Game Servers."""
import logging
from collections import namedtuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from odoo import _, api, fields, models
from odoo.addons.base.models.res_partner import _tz_get
from odoo.exceptions import ValidationError
from odoo.tools import str2bool

_logger = logging.getLogger(__name__)

PARAM_PREFIX = 'game_server_status.'
MINUTES_PER_DAY = 1440

#: Setting name (ir.config_parameter key without PARAM_PREFIX) -> default.
DEFAULTS = {
    'bucket_minutes': 15,
    'outage_threshold': 3,
    'incident_threshold': 3,
    'recovery_threshold': 1,
    'stat_detail_days': 7,
    'stat_retention_days': 365,
}

#: A yes/no setting and a user, kept apart from the integer ones above.
UPTIME_EXCLUDES_MAINTENANCE = 'uptime_excludes_maintenance'
FOLLOWUP_USER = 'followup_user_id'
TIMEZONE = 'timezone'

GameServerSettings = namedtuple('GameServerSettings', list(DEFAULTS))


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    game_server_bucket_minutes = fields.Integer(
        string='Statistics bucket (minutes)', config_parameter=PARAM_PREFIX + 'bucket_minutes',
        default=DEFAULTS['bucket_minutes'],
        help="Each statistics row covers this many minutes of one server's polls. Must divide a day.")
    game_server_outage_threshold = fields.Integer(
        string='Failed polls before an outage', config_parameter=PARAM_PREFIX + 'outage_threshold',
        default=DEFAULTS['outage_threshold'],
        help="An outage opens after this many consecutive failed polls, so one lost packet is not an outage.")
    game_server_incident_threshold = fields.Integer(
        string='Servers down together for a host incident', config_parameter=PARAM_PREFIX + 'incident_threshold',
        default=DEFAULTS['incident_threshold'],
        help="When this many servers on one host go down together, their outages join one incident for the "
             "host, told once; the incident closes when fewer than this many are still down.")
    game_server_recovery_threshold = fields.Integer(
        string='Good polls before a recovery', config_parameter=PARAM_PREFIX + 'recovery_threshold',
        default=DEFAULTS['recovery_threshold'],
        help="An open outage closes after this many consecutive good polls (it ends at the first of them), so "
             "a server that answers once between failures is not told back and down again.")
    game_server_uptime_excludes_maintenance = fields.Boolean(
        string='Uptime leaves out maintenance', config_parameter=PARAM_PREFIX + UPTIME_EXCLUDES_MAINTENANCE,
        help="Servers' uptime figures leave out the polls that failed inside a maintenance window, so planned "
             "work does not count against it. The reporting views show both uptimes.")
    game_server_followup_user_id = fields.Many2one(
        'res.users', string='Follow-up by default', config_parameter=PARAM_PREFIX + FOLLOWUP_USER,
        domain="[('share', '=', False)]",
        help="Who gets the activity of an outage or host incident when its servers have no responsible.")
    game_server_timezone = fields.Selection(
        _tz_get, string='Company timezone', config_parameter=PARAM_PREFIX + TIMEZONE,
        help="The days and months of the statistics, the SLA and the dashboard are counted in this timezone. "
             "Empty: the company's timezone, else UTC. Days already rolled up keep the timezone they were "
             "rolled up in.")
    game_server_stat_detail_days = fields.Integer(
        string='Keep detail buckets (days)', config_parameter=PARAM_PREFIX + 'stat_detail_days',
        default=DEFAULTS['stat_detail_days'],
        help="Older buckets are rolled up into one row per server per day of the company's timezone (sums "
             "kept, so uptime stays exact).")
    game_server_stat_retention_days = fields.Integer(
        string='Keep statistics (days)', config_parameter=PARAM_PREFIX + 'stat_retention_days',
        default=DEFAULTS['stat_retention_days'],
        help="Older statistics rows are deleted by the hourly maintenance job.")

    @api.constrains('game_server_bucket_minutes', 'game_server_outage_threshold', 'game_server_incident_threshold',
                    'game_server_recovery_threshold', 'game_server_stat_detail_days', 'game_server_stat_retention_days')
    def _check_game_server_settings(self):
        for settings in self:
            problems = self._game_server_settings_problems({name: settings['game_server_' + name] for name in DEFAULTS})
            if problems:
                raise ValidationError('\n'.join(problems.values()))

    @api.model
    def _game_server_settings(self):
        """The current settings, read from ir.config_parameter.

        A missing value is its default; an invalid one (set by hand in System
        Parameters) is replaced by its default and logged, so a typo never stops
        the status reports.
        """
        params = self.env['ir.config_parameter'].sudo()
        values = {}
        for name, default in DEFAULTS.items():
            raw = params.get_param(PARAM_PREFIX + name)
            try:
                values[name] = default if raw in (None, False, '') else int(raw)
            except ValueError:
                _logger.warning("ir.config_parameter %s%s=%r is not an integer; using %s",
                                PARAM_PREFIX, name, raw, default)
                values[name] = default
        for name, message in self._game_server_settings_problems(values).items():
            _logger.warning("ir.config_parameter %s%s: %s Using %s.", PARAM_PREFIX, name, message, DEFAULTS[name])
            values[name] = DEFAULTS[name]
        return GameServerSettings(**values)

    @api.model
    def _uptime_excludes_maintenance(self):
        return str2bool(self.env['ir.config_parameter'].sudo().get_param(PARAM_PREFIX + UPTIME_EXCLUDES_MAINTENANCE)
                        or 'False', False)

    @api.model
    def _game_server_timezone(self):
        """The zone days and months are counted in: the setting, else the company's, else UTC."""
        name = (self.env['ir.config_parameter'].sudo().get_param(PARAM_PREFIX + TIMEZONE)
                or self.env.company.partner_id.tz or 'UTC')
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            _logger.warning("Timezone %r of the game server settings is unknown; using UTC", name)
            return ZoneInfo('UTC')

    @api.model
    def _record_setting(self, key, model):
        """The record of ``model`` whose id the parameter ``key`` holds, if it still exists and is
        active; an empty recordset otherwise."""
        raw = self.env['ir.config_parameter'].sudo().get_param(key) or ''
        record = self.env[model].sudo().browse(int(raw)).exists() if raw.isdigit() else self.env[model]
        return record if record.active else self.env[model]

    @api.model
    def _followup_user(self):
        """The follow-up user of the settings, if set and still an active internal user."""
        user = self._record_setting(PARAM_PREFIX + FOLLOWUP_USER, 'res.users')
        return user if not user.share else self.env['res.users']

    @api.model
    def _game_server_settings_problems(self, values):
        """Why some settings are invalid: {setting name: message}, empty when all are valid."""
        problems = {}
        bucket = values['bucket_minutes']
        # Buckets must tile a UTC day exactly, so that rolling a day's buckets up
        # into one daily row never splits a bucket across midnight.
        if not 1 <= bucket <= MINUTES_PER_DAY or MINUTES_PER_DAY % bucket:
            problems['bucket_minutes'] = _(
                "The bucket size must divide a day (1440 minutes): 1, 5, 10, 15, 30, 60, ... (got %(value)s).",
                value=bucket)
        if values['outage_threshold'] < 1:
            problems['outage_threshold'] = _(
                "The outage threshold must be at least 1 failed poll (got %(value)s).",
                value=values['outage_threshold'])
        if values['incident_threshold'] < 2:
            problems['incident_threshold'] = _(
                "A host incident needs at least 2 servers down together (got %(value)s).",
                value=values['incident_threshold'])
        if values['recovery_threshold'] < 1:
            problems['recovery_threshold'] = _(
                "A recovery needs at least 1 good poll (got %(value)s).", value=values['recovery_threshold'])
        if values['stat_detail_days'] < 1:
            problems['stat_detail_days'] = _(
                "Detail buckets must be kept at least 1 day (got %(value)s).", value=values['stat_detail_days'])
        if values['stat_retention_days'] < max(values['stat_detail_days'], 1):
            problems['stat_retention_days'] = _(
                "Statistics must be kept at least as long as their detail buckets (%(detail)s days, got %(value)s).",
                detail=values['stat_detail_days'], value=values['stat_retention_days'])
        return problems
