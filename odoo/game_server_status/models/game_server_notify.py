"""Notifications: where people are told (channels), what they are told (rules), and the record of it.

An event (game.server.event) is written in the transaction that applies the
reports causing it, next to the chatter message that tells the same thing, so it
is never lost and never written twice for one cause (a replayed batch applies
nothing). Each rule matching it adds one delivery per channel, pending. Nothing
here calls a webhook: the game-status service's notifier takes pending
deliveries (``pending_deliveries``), sends them from its queue and writes each
result back (``report_deliveries``), so no HTTP call ever runs inside the
transaction that applies status reports.
"""
import json
import secrets
from datetime import timedelta
from urllib.parse import urlparse

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .game_server_watch import condition_key

CHANNEL_KINDS = [
    ('discord', 'Discord webhook'),
    ('slack', 'Slack incoming webhook'),
    ('teams', 'Microsoft Teams workflow webhook'),
    ('webhook', 'Generic webhook (signed JSON)'),
    ('email', "E-mail (Odoo's mail)"),
]

EVENT_KINDS = [
    ('outage_opened', 'Outage opened'),
    ('outage_closed', 'Outage closed'),
    ('incident_opened', 'Host incident opened'),
    ('incident_closed', 'Host incident closed'),
    ('players_high', 'Players at or above a level'),
    ('server_full', 'Server full'),
    ('players_low', 'Players at or below a level for a while'),
    ('version_changed', 'Version changed'),
    ('latency_high', 'Latency above a level'),
    ('sla_at_risk', 'SLA at risk'),
    ('sla_breached', 'SLA breached'),
    ('test', 'Test message'),
]

#: The rule's boolean field for each event kind it can route.
RULE_EVENT_FIELDS = {
    'outage_opened': 'on_outage_opened',
    'outage_closed': 'on_outage_closed',
    'incident_opened': 'on_incident_opened',
    'incident_closed': 'on_incident_closed',
    'players_high': 'on_players_high',
    'server_full': 'on_server_full',
    'players_low': 'on_players_low',
    'version_changed': 'on_version_changed',
    'latency_high': 'on_latency_high',
    'sla_at_risk': 'on_sla_at_risk',
    'sla_breached': 'on_sla_breached',
}

#: Event kinds of watched conditions: a rule routes only those of the levels it watches.
CONDITION_KINDS = ('players_high', 'server_full', 'players_low', 'version_changed', 'latency_high')

#: Event kinds about a server's availability, which share one cooldown per server or host; every
#: other kind has a cooldown of its own, so a full server never silences its own outage.
AVAILABILITY_KINDS = ('outage_opened', 'outage_closed', 'incident_opened', 'incident_closed')

#: Most deliveries one pending_deliveries call returns.
MAX_CLAIM = 500
#: Longest error text kept on a delivery or a channel.
MAX_ERROR_LENGTH = 2000

GROUP_SERVICE = 'game_server_status.group_game_server_service'
GROUP_MANAGER = 'game_server_status.group_game_server_manager'


#: The languages the notifier writes messages in (its own texts, whatever Odoo has installed).
MESSAGE_LANGS = [('en_US', 'English'), ('fr_FR', 'French')]


def _default_message_lang(model):
    return 'fr_FR' if (model.env.lang or '').startswith('fr') else 'en_US'


def _unique_deliveries(deliveries):
    """One delivery per (event, channel), whichever rules routed it there (the first rule is named)."""
    seen = set()
    unique = []
    for delivery in deliveries:
        key = (delivery['event_id'], delivery['channel_id'])
        if key not in seen:
            seen.add(key)
            unique.append(delivery)
    return unique


#: The opening event kind each closing event answers.
OPENING_OF = {'outage_closed': 'outage_opened', 'incident_closed': 'incident_opened'}


def _opening_cause(event):
    """The cause of the opening event a closing event answers; None for an opening."""
    kind, _sep, ref = event.cause.partition(':')
    return '%s:%s' % (OPENING_OF[kind], ref) if kind in OPENING_OF else None


def _subject(event):
    """What a cooldown counts per: the server, or the host of an incident, and the kind of news."""
    family = 'availability' if event.kind in AVAILABILITY_KINDS else event.kind
    return ('server', event.server_id.id, family) if event.server_id else ('host', event.incident_id.host, family)


class GameServerNotifyChannel(models.Model):
    _name = 'game.server.notify.channel'
    _description = 'Notification Channel'
    _order = 'name, id'

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    kind = fields.Selection(CHANNEL_KINDS, required=True, default='discord')
    url = fields.Char(string='Webhook URL', groups=GROUP_MANAGER,
                      help="The address the receiver gave for incoming messages (Discord, Slack, Teams, your own).")
    secret = fields.Char(groups=GROUP_MANAGER, copy=False,
                         help="Key of the HMAC-SHA256 signature of a generic webhook's body; made at creation.")
    partner_ids = fields.Many2many('res.partner', string='Recipients',
                                   help="Who gets the e-mails of an e-mail channel.")
    lang = fields.Selection(MESSAGE_LANGS, string='Language', required=True, default=_default_message_lang,
                            help="Language of the messages sent to this channel.")
    last_test_state = fields.Selection([('pending', 'Waiting for the notifier'), ('sent', 'Sent'),
                                        ('failed', 'Failed')], string='Test Message', readonly=True, copy=False)
    last_test_error = fields.Char(string='Test Error', readonly=True, copy=False)
    last_test_at = fields.Datetime(string='Tested At', readonly=True, copy=False)
    delivery_ids = fields.One2many('game.server.notify.delivery', 'channel_id', string='Deliveries', readonly=True)
    delivery_count = fields.Integer(compute='_compute_delivery_count')

    def _compute_delivery_count(self):
        counts = dict(self.env['game.server.notify.delivery']._read_group(
            [('channel_id', 'in', self.ids)], ['channel_id'], ['__count']))
        for channel in self:
            channel.delivery_count = counts.get(channel, 0)

    @api.constrains('kind', 'partner_ids')
    def _check_recipients(self):
        for channel in self:
            if channel.kind == 'email' and not channel.partner_ids:
                raise ValidationError(_("E-mail channel %(name)s needs at least one recipient.", name=channel.name))

    @api.constrains('kind', 'url')
    def _check_url(self):
        for channel in self.sudo():
            if channel.kind == 'email':
                continue
            parsed = urlparse(channel.url or '')
            if parsed.scheme not in ('http', 'https') or not parsed.netloc:
                raise ValidationError(_("The webhook URL of channel %(name)s must be an http(s) address, got %(url)r.",
                                        name=channel.name, url=channel.url or ''))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get('secret'):
                vals['secret'] = secrets.token_hex(32)
        return super().create(vals_list)

    def action_send_test(self):
        """Queue a test message to this channel; its result shows on the channel when the notifier sends it."""
        self.ensure_one()
        if not self.active:
            raise UserError(_("Channel %(name)s is archived.", name=self.name))
        event = self.env['game.server.event'].sudo().create({
            'kind': 'test', 'at': fields.Datetime.now(),
            'cause': 'test:%s:%s' % (self.id, fields.Datetime.now().isoformat()),
            'summary': _("Test message from Game Server Status"),
            'payload': {'channel': self.name},
        })
        self.env['game.server.notify.delivery'].sudo().create({'event_id': event.id, 'channel_id': self.id})
        self.sudo().write({'last_test_state': 'pending', 'last_test_error': False, 'last_test_at': event.at})
        return True


class GameServerNotifyRule(models.Model):
    _name = 'game.server.notify.rule'
    _description = 'Notification Rule'
    _order = 'sequence, id'

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    channel_ids = fields.Many2many('game.server.notify.channel', string='Channels', required=True)
    on_outage_opened = fields.Boolean(string='Outage opened', default=True)
    on_outage_closed = fields.Boolean(string='Outage closed', default=True)
    on_incident_opened = fields.Boolean(string='Host incident opened', default=True)
    on_incident_closed = fields.Boolean(string='Host incident closed', default=True)
    on_players_high = fields.Boolean(string='Players at or above', help="Told when a server's players reach the level.")
    players_high = fields.Integer(string='Players level (high)', default=1)
    on_server_full = fields.Boolean(string='Server full', help="Told when a server's players reach its maximum.")
    on_players_low = fields.Boolean(
        string='Players at or below', help="Told when a server online has had at most this many players for the "
                                           "given minutes (0: empty).")
    players_low = fields.Integer(string='Players level (low)', default=0)
    players_low_minutes = fields.Integer(string='For (minutes)', default=30)
    on_version_changed = fields.Boolean(string='Version changed',
                                        help="Told when a server answers with another version than before.")
    on_latency_high = fields.Boolean(string='Latency above',
                                     help="Told when a server answers slower than the level for the given polls in a row.")
    latency_high_ms = fields.Integer(string='Latency level (ms)', default=250)
    latency_high_polls = fields.Integer(string='For (polls)', default=3)
    on_sla_at_risk = fields.Boolean(string='SLA at risk',
                                    help="Told when a server's downtime left this month falls under its policy's "
                                         "warning share.")
    on_sla_breached = fields.Boolean(string='SLA breached',
                                     help="Told when a server's month can no longer meet its SLA target.")
    scope = fields.Selection([('all', 'All servers'), ('games', 'Servers of these games'),
                              ('tags', 'Servers with these tags'), ('customers', 'Servers of these customers'),
                              ('servers', 'These servers')],
                             required=True, default='all')
    game_ids = fields.Many2many('game.server.game', string='Games')
    tag_ids = fields.Many2many('game.server.tag', string='Tags')
    partner_ids = fields.Many2many('res.partner', string='Customers')
    server_ids = fields.Many2many('game.server', string='Servers')
    cooldown_minutes = fields.Integer(
        string='Cooldown (minutes)', default=10,
        help="After this rule sent about a server (or a host), it stays silent about it this long, so one "
             "flapping server cannot flood a channel. 0: no cooldown.")

    @api.constrains('cooldown_minutes', 'players_high', 'players_low', 'players_low_minutes', 'latency_high_ms',
                    'latency_high_polls')
    def _check_levels(self):
        for rule in self:
            if rule.cooldown_minutes < 0:
                raise ValidationError(_("The cooldown of rule %(name)s cannot be negative.", name=rule.name))
            if rule.on_players_high and rule.players_high < 1:
                raise ValidationError(_("The high players level of rule %(name)s must be at least 1.", name=rule.name))
            if rule.on_players_low and (rule.players_low < 0 or rule.players_low_minutes < 1):
                raise ValidationError(_("Rule %(name)s: the low players level cannot be negative and must last at "
                                        "least 1 minute.", name=rule.name))
            if rule.on_latency_high and (rule.latency_high_ms < 1 or rule.latency_high_polls < 1):
                raise ValidationError(_("Rule %(name)s: the latency level and its polls must be at least 1.",
                                        name=rule.name))

    @api.model
    def _watching(self):
        """The active rules that watch a condition besides outages."""
        return self.search([('active', '=', True), '|', '|', '|', '|', ('on_players_high', '=', True),
                            ('on_server_full', '=', True), ('on_players_low', '=', True),
                            ('on_version_changed', '=', True), ('on_latency_high', '=', True)])

    def _condition_keys(self):
        """The keys of the conditions this rule watches (see game_server_watch)."""
        self.ensure_one()
        keys = set()
        if self.on_players_high:
            keys.add(condition_key('players_high', self.players_high))
        if self.on_server_full:
            keys.add(condition_key('server_full'))
        if self.on_players_low:
            keys.add(condition_key('players_low', self.players_low, self.players_low_minutes))
        if self.on_version_changed:
            keys.add(condition_key('version_changed'))
        if self.on_latency_high:
            keys.add(condition_key('latency_high', self.latency_high_ms, self.latency_high_polls))
        return keys

    def _covers(self, servers):
        """Whether this rule is about one of ``servers``."""
        self.ensure_one()
        if self.scope == 'games':
            return bool(servers.game_id & self.game_ids)
        if self.scope == 'tags':
            return bool(servers.tag_ids & self.tag_ids)
        if self.scope == 'customers':
            return bool(servers.partner_id & self.partner_ids)
        if self.scope == 'servers':
            return bool(servers & self.server_ids)
        return True

    def _matches(self, event):
        """Whether this rule routes ``event`` (an incident matches when one of its servers does)."""
        self.ensure_one()
        if not self[RULE_EVENT_FIELDS[event.kind]]:
            return False
        if event.kind in CONDITION_KINDS and (event.payload or {}).get('condition', {}).get('key') \
                not in self._condition_keys():
            return False
        return self._covers(event.server_id or event.incident_id.outage_ids.server_id)

    def _past_cooldown(self, events):
        """The events this rule may send, so that a flapping server cannot flood a channel and a
        channel never hears "down" without its "back":

        * an opening (outage or incident) goes out unless the rule sent about the same server or
          host within its cooldown (or earlier in this batch);
        * a closing goes out when the rule sent its opening, and is kept back when the rule kept
          the opening back; a closing whose opening was never an event (a server told within a
          host incident, back after the incident closed) follows the cooldown like an opening.
        """
        self.ensure_one()
        if not self.cooldown_minutes:
            return events
        Delivery = self.env['game.server.notify.delivery'].sudo()
        since = fields.Datetime.now() - timedelta(minutes=self.cooldown_minutes)
        recent = Delivery.search([('rule_id', '=', self.id), ('create_date', '>=', since),
                                  ('event_id.kind', '!=', 'test')])
        quiet = {_subject(delivery.event_id) for delivery in recent}
        openings = self.env['game.server.event'].sudo().search([('cause', 'in', [
            _opening_cause(event) for event in events if _opening_cause(event)])])
        sent_openings = set(Delivery.search([('rule_id', '=', self.id), ('event_id', 'in', openings.ids)])
                            .mapped('event_id.cause'))
        known_openings = set(openings.mapped('cause'))
        allowed = self.env['game.server.event']
        for event in events.sorted(lambda e: (e.at, e.id)):
            opening = _opening_cause(event)
            if opening and opening in known_openings:
                if opening in sent_openings:
                    allowed |= event
                continue
            subject = _subject(event)
            if subject in quiet:
                continue
            quiet.add(subject)
            allowed |= event
            sent_openings.add(event.cause)
        return allowed


class GameServerEvent(models.Model):
    _name = 'game.server.event'
    _description = 'Game Server Event'
    _order = 'at desc, id desc'
    _rec_name = 'summary'

    kind = fields.Selection(EVENT_KINDS, required=True, readonly=True, index=True)
    at = fields.Datetime(required=True, readonly=True, index=True, help="When it happened (UTC).")
    cause = fields.Char(required=True, readonly=True,
                        help="What caused it, unique: the same cause never makes a second event.")
    summary = fields.Char(required=True, readonly=True)
    server_id = fields.Many2one('game.server', string='Server', readonly=True, index=True, ondelete='cascade')
    outage_id = fields.Many2one('game.server.outage', string='Outage', readonly=True, ondelete='set null')
    incident_id = fields.Many2one('game.server.incident', string='Host Incident', readonly=True, index=True,
                                  ondelete='cascade')
    payload = fields.Json(readonly=True, help="What the messages are built from, as sent to the notifier.")
    delivery_ids = fields.One2many('game.server.notify.delivery', 'event_id', string='Deliveries', readonly=True)

    def init(self):
        self.env.cr.execute("CREATE UNIQUE INDEX IF NOT EXISTS game_server_event_cause_uniq ON game_server_event (cause)")

    def _mail_body(self):
        """The event as an e-mail: its summary, the facts of its payload, a link into Odoo."""
        self.ensure_one()
        payload = self.payload or {}
        server, outage, incident = payload.get('server') or {}, payload.get('outage') or {}, payload.get('incident') or {}
        facts = [
            (_("Game"), server.get('game_name')),
            (_("Address"), server.get('host') and '%s:%s' % (server['host'], server.get('port'))),
            (_("Error"), outage.get('reason') or incident.get('reason')),
            (_("Down since"), (outage.get('start') or incident.get('start')) and
             '%s UTC' % (outage.get('start') or incident.get('start'))),
            (_("Duration"), (outage.get('duration_s') or incident.get('duration_s')) and
             self.env['game.server.outage']._format_duration(outage.get('duration_s') or incident.get('duration_s'))),
            (_("Servers"), incident.get('servers') and ', '.join(s['name'] for s in incident['servers'])),
            (_("Still down"), incident.get('still_down') and ', '.join(incident['still_down'])),
        ]
        link = server.get('url') or incident.get('url')
        return Markup('<p><b>%s</b></p><ul>%s</ul>%s') % (
            self.summary,
            Markup('').join(Markup('<li>%s: %s</li>') % (label, value) for label, value in facts if value),
            Markup('<p><a href="%s">%s</a></p>') % (link, _("Open in Odoo")) if link else '',
        )

    @api.model
    def _record(self, values_list):
        """Create events and their deliveries by the active rules, in the caller's transaction.

        :param values_list: event values (kind, at, cause, summary, server_id/outage_id/incident_id, payload)
        """
        if not values_list:
            return self.browse()
        events = self.create(values_list)
        rules = self.env['game.server.notify.rule'].sudo().search([('active', '=', True)])
        deliveries = []
        for rule in rules:
            routed = events.filtered(rule._matches)
            for event in rule._past_cooldown(routed):
                deliveries += [{'event_id': event.id, 'channel_id': channel.id, 'rule_id': rule.id}
                               for channel in rule.channel_ids if channel.active]
        self.env['game.server.notify.delivery'].create(_unique_deliveries(deliveries))._send_by_mail()
        self.env['game.server.followup']._follow(events)
        return events


class GameServerNotifyDelivery(models.Model):
    _name = 'game.server.notify.delivery'
    _description = 'Notification Delivery'
    _order = 'id desc'

    event_id = fields.Many2one('game.server.event', string='Event', required=True, readonly=True, index=True,
                               ondelete='cascade')
    channel_id = fields.Many2one('game.server.notify.channel', string='Channel', required=True, readonly=True,
                                 index=True, ondelete='cascade')
    rule_id = fields.Many2one('game.server.notify.rule', string='Rule', readonly=True, index=True,
                              ondelete='set null')
    kind = fields.Selection(related='event_id.kind')
    server_id = fields.Many2one(related='event_id.server_id', store=True, index=True)
    incident_id = fields.Many2one(related='event_id.incident_id', store=True, index=True)
    state = fields.Selection([('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')],
                             required=True, default='pending', readonly=True, index=True)
    mail_id = fields.Many2one('mail.mail', string='E-mail', readonly=True, ondelete='set null',
                              help="The e-mail Odoo's mail queue sends, for an e-mail channel.")
    attempts = fields.Integer(readonly=True)
    last_error = fields.Char(readonly=True)
    sent_at = fields.Datetime(readonly=True)

    def init(self):
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_notify_delivery_event_channel_uniq
            ON game_server_notify_delivery (event_id, channel_id)
        """)

    @api.depends('event_id.summary', 'channel_id.name')
    def _compute_display_name(self):
        for delivery in self:
            delivery.display_name = '%s → %s' % (delivery.event_id.summary or '', delivery.channel_id.name or '')

    # ------------------------------------------------------------------
    # The notifier's two calls
    # ------------------------------------------------------------------
    @api.model
    def pending_deliveries(self, after_id=0, limit=MAX_CLAIM, delivery_ids=None):
        """Pending deliveries with an id above ``after_id`` (and among ``delivery_ids`` when given),
        oldest first, with what sending them needs. The notifier lists them with ``after_id`` and
        reads each again by ``delivery_ids`` just before sending it, so a delivery already done is
        never resent. (Not ``ids``: JSON-2 takes that key for the records a method runs on.)

        :return: list of ``{'id', 'attempts', 'channel': {'id', 'name', 'kind', 'url', 'secret', 'lang'},
            'event': {'id', 'kind', 'at', 'summary', 'payload'}}``
        :raise AccessError: unless the caller is the Status Service (the only reader of webhook secrets
            besides managers)
        """
        self._check_notifier()
        if (not isinstance(after_id, int) or not isinstance(limit, int) or limit < 1
                or not (delivery_ids is None
                        or (isinstance(delivery_ids, list) and all(isinstance(i, int) for i in delivery_ids)))):
            raise ValidationError(_("after_id and limit must be integers (limit at least 1), delivery_ids a "
                                    "list of integers or null."))
        domain = [('state', '=', 'pending'), ('id', '>', after_id), ('channel_id.kind', '!=', 'email')]
        if delivery_ids is not None:
            domain.append(('id', 'in', delivery_ids))
        deliveries = self.sudo().search(domain, order='id', limit=min(limit, MAX_CLAIM))
        return [{
            'id': d.id,
            'attempts': d.attempts,
            'channel': {'id': d.channel_id.id, 'name': d.channel_id.name, 'kind': d.channel_id.kind,
                        'url': d.channel_id.url, 'secret': d.channel_id.secret, 'lang': d.channel_id.lang},
            'event': {'id': d.event_id.id, 'kind': d.event_id.kind, 'at': fields.Datetime.to_string(d.event_id.at),
                      'summary': d.event_id.summary, 'payload': d.event_id.payload or {}},
        } for d in deliveries]

    @api.model
    def report_deliveries(self, results):
        """Write the notifier's results back.

        :param results: list of ``{'id': int, 'state': 'sent'|'failed'|'pending', 'attempts': int,
            'error': str|null, 'at': 'YYYY-MM-DD HH:MM:SS'}``; 'pending' records a failed attempt that
            will be retried. A delivery already sent or failed is left as it is.
        :return: ``{'written': int, 'missing': [ids]}``
        """
        self._check_notifier()
        parsed = self._parse_results(results)
        deliveries = self.sudo().browse(sorted(parsed)).exists()
        written = 0
        for delivery in deliveries:
            result = parsed[delivery.id]
            if delivery.state != 'pending':
                continue
            delivery.write({
                'state': result['state'], 'attempts': max(delivery.attempts, result['attempts']),
                'last_error': (result['error'] or '')[:MAX_ERROR_LENGTH] or False,
                'sent_at': result['at'] if result['state'] == 'sent' else False,
            })
            written += 1
            if delivery.event_id.kind == 'test' and result['state'] != 'pending':
                delivery.channel_id.write({'last_test_state': result['state'],
                                           'last_test_error': delivery.last_error, 'last_test_at': result['at']})
        return {'written': written, 'missing': sorted(set(parsed) - set(deliveries.ids))}

    def _send_by_mail(self):
        """Hand the deliveries of e-mail channels to Odoo's mail queue, which sends them after this
        transaction commits (its own cron, its own retries): they are done here, marked sent."""
        for delivery in self.filtered(lambda d: d.channel_id.kind == 'email'):
            channel = delivery.channel_id.with_context(lang=delivery.channel_id.lang)
            event = delivery.event_id.with_context(lang=delivery.channel_id.lang)
            mail = self.env['mail.mail'].sudo().create({
                'subject': event.summary,
                'body_html': event._mail_body(),
                'recipient_ids': [(6, 0, channel.partner_ids.ids)],
                'auto_delete': False,
            })
            delivery.write({'mail_id': mail.id, 'state': 'sent', 'attempts': 1,
                            'sent_at': fields.Datetime.now()})

    @api.model
    def _check_notifier(self):
        if not (self.env.su or self.env.user.has_group(GROUP_SERVICE)):
            raise AccessError(_("Only the game-status service reads and reports notification deliveries."))

    @api.model
    def _parse_results(self, results):
        if not isinstance(results, list):
            raise ValidationError(_("results must be a list, got %(type)s.", type=type(results).__name__))
        parsed, problems = {}, []
        for index, result in enumerate(results):
            ok = (isinstance(result, dict) and isinstance(result.get('id'), int) and result['id'] > 0
                  and result.get('state') in ('sent', 'failed', 'pending')
                  and isinstance(result.get('attempts'), int) and result['attempts'] >= 0
                  and (result.get('error') is None or isinstance(result.get('error'), str)))
            at = False
            if ok:
                try:
                    at = fields.Datetime.to_datetime(result.get('at'))
                except (TypeError, ValueError):
                    at = False
            if not ok or not at:
                problems.append(_("results[%(index)s]: expected {id, state: sent|failed|pending, attempts, "
                                  "error, at: 'YYYY-MM-DD HH:MM:SS'}, got %(value)s.",
                                  index=index, value=json.dumps(result, default=str)[:200]))
                continue
            parsed[result['id']] = dict(result, at=at)
        if problems:
            raise ValidationError(_("Malformed results (nothing was written):\n%(problems)s",
                                    problems='\n'.join(problems[:20])))
        return parsed
