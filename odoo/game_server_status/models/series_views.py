"""The view markup that differs between Odoo series, and only that.

Every arch here is written in 18+ syntax; 17.0 gets it rewritten at run time.

List views: the root is ``<tree>`` on 17.0 and ``<list>`` on 18.0+, and each
series rejects the other's: 17 has no 'list' view type, 18 removed 'tree'
(``ValueError: Wrong value for ir.ui.view.type``). A manifest's ``data`` list
is a static literal, so no XML data file can hold a list view for all three.
Odoo itself provides the hook: when a model has no ``ir.ui.view`` of the
requested type, ``_get_view`` falls back to ``_get_default_<type>_view()``
(odoo/addons/base/models/ir_ui_view.py, 17.0 to 19.0). 17.0 asks for
``_get_default_tree_view`` (its ``get_views`` maps 'list' to 'tree'), 18.0+
ask for ``_get_default_list_view``. Defining both (``list_view_hooks``), each
returning the same arch under its own root, gives every series its list view
with no version test. The same hooks serve the one2many lists inside forms (a form's x2many
without an inline view gets the comodel's default list).

Kanban cards and the chatter: 18.0's web client introduced the kanban
``<t t-name="card">`` template and the form's ``<chatter/>`` tag; 17.0's only
knows ``<t t-name="kanban-box">`` (whose root element is the card) and
``<div class="oe_chatter">`` holding the three mail fields, and 19.0 dropped
``kanban-box``. Both hooks have the same name on every series, so these two
are chosen by the series number, here and nowhere else.

Grouping a datetime by hour: 19.0's web client offers it; 17.0 and 18.0 know day and
coarser only, and refuse a ``bucket_start:hour`` group-by (graph and search) or fail on
it (18's pivot). The statistics views are written with the hour; on 17 and 18 they fall
back to the day, and the players graph to bars, which read on a first day where a line by
day would be one dot per game.

When 17.0 support ends: move the archs into XML records, delete this file.
"""
from lxml import etree

from odoo import api, models, release

#: 17.0's web client: kanban-box cards, oe_chatter div.
LEGACY_WEB_CLIENT = release.version_info[0] < 18

#: 19.0's web client on: a datetime group-by may be by hour.
HOURLY_GROUPING = release.version_info[0] >= 19

GAME_SERVER_LIST_VIEW_ARCH = """
<list string="Game Servers" sample="1" default_order="status_rank, name"
      decoration-success="is_online"
      decoration-danger="last_checked and not is_online"
      decoration-muted="not active">
    <field name="name"/>
    <field name="game_id"/>
    <field name="partner_id" optional="show"/>
    <field name="user_id" widget="many2one_avatar_user" optional="hide"/>
    <field name="tag_ids" widget="many2many_tags" options="{'color_field': 'color'}" optional="hide"/>
    <field name="host"/>
    <field name="port" options="{'enable_formatting': false}"/>
    <field name="query_port" widget="game_server_zero_empty_integer" options="{'enable_formatting': false}"
           optional="hide"/>
    <field name="poll_interval" widget="game_server_zero_empty_integer" optional="hide"/>
    <field name="game" optional="hide"/>
    <field name="is_online"/>
    <field name="players_online"/>
    <field name="players_max"/>
    <field name="latency_ms" optional="show"/>
    <field name="uptime_24h" optional="show"/>
    <field name="last_checked" optional="show"/>
    <field name="last_error_code" optional="hide"/>
    <field name="active" column_invisible="True"/>
</list>
"""

GAME_SERVER_KANBAN_VIEW_ARCH = """
<kanban string="Game Servers" sample="1" default_order="status_rank, name">
    <field name="is_online"/>
    <field name="last_error_code"/>
    <field name="port"/>
    <templates>
        <t t-name="card">
            <div class="d-flex align-items-start justify-content-between gap-2">
                <field name="name" class="fw-bold fs-5 text-truncate"/>
                <field name="status_label" widget="badge" decoration-info="status_label == 'maintenance'"
                       decoration-success="status_label == 'online'" decoration-danger="status_label == 'offline'"/>
            </div>
            <div class="text-muted">
                <field name="game_id"/> - <field name="host"/>:<t t-out="record.port.raw_value"/>
            </div>
            <div t-att-class="record.is_online.raw_value ? '' : 'text-danger'">
                <field name="status_detail"/>
            </div>
            <field name="uptime_24h_display" class="small"/>
        </t>
    </templates>
</kanban>
"""

GAME_SERVER_STAT_LIST_VIEW_ARCH = """
<list string="Statistics" create="0" edit="0" delete="0">
    <field name="server_id"/>
    <field name="game_id" optional="show"/>
    <field name="bucket_start"/>
    <field name="bucket_minutes" optional="show"/>
    <field name="polls"/>
    <field name="polls_online"/>
    <field name="uptime_pct"/>
    <field name="players_avg"/>
    <field name="players_peak"/>
    <field name="latency_avg" optional="show"/>
</list>
"""

GAME_SERVER_GAME_STAT_LIST_VIEW_ARCH = """
<list string="Game Statistics" create="0" edit="0" delete="0">
    <field name="game_id"/>
    <field name="bucket_start"/>
    <field name="polls"/>
    <field name="polls_online"/>
    <field name="uptime_pct"/>
    <field name="players_avg"/>
    <field name="players_peak"/>
    <field name="latency_avg" optional="show"/>
</list>
"""

GAME_SERVER_OUTAGE_LIST_VIEW_ARCH = """
<list string="Outages" create="0" edit="0" delete="0" decoration-danger="state == 'open'">
    <field name="server_id"/>
    <field name="game_id" optional="show"/>
    <field name="partner_id" optional="show"/>
    <field name="user_id" widget="many2one_avatar_user" optional="hide"/>
    <field name="start"/>
    <field name="end"/>
    <field name="duration_display"/>
    <field name="reason"/>
    <field name="incident_id" optional="show"/>
    <field name="state" widget="badge" decoration-danger="state == 'open'" decoration-success="state == 'closed'"/>
</list>
"""

GAME_SERVER_INCIDENT_LIST_VIEW_ARCH = """
<list string="Host Incidents" create="0" edit="0" delete="0" decoration-danger="state == 'open'">
    <field name="host"/>
    <field name="start"/>
    <field name="end"/>
    <field name="duration_display"/>
    <field name="server_count"/>
    <field name="servers_down_count"/>
    <field name="reason" optional="show"/>
    <field name="state" widget="badge" decoration-danger="state == 'open'" decoration-success="state == 'closed'"/>
</list>
"""

GAME_SERVER_NOTIFY_CHANNEL_LIST_VIEW_ARCH = """
<list string="Notification Channels">
    <field name="name"/>
    <field name="kind"/>
    <field name="lang" optional="show"/>
    <field name="last_test_state" optional="show"/>
    <field name="last_test_at" optional="hide"/>
</list>
"""

GAME_SERVER_NOTIFY_RULE_LIST_VIEW_ARCH = """
<list string="Notification Rules">
    <field name="sequence" widget="handle"/>
    <field name="name"/>
    <field name="scope"/>
    <field name="channel_ids" widget="many2many_tags"/>
    <field name="cooldown_minutes" optional="show"/>
</list>
"""

GAME_SERVER_NOTIFY_DELIVERY_LIST_VIEW_ARCH = """
<list string="Notifications" create="0" edit="0" delete="0"
      decoration-danger="state == 'failed'" decoration-muted="state == 'pending'">
    <field name="create_date"/>
    <field name="event_id"/>
    <field name="channel_id"/>
    <field name="state" widget="badge" decoration-success="state == 'sent'" decoration-danger="state == 'failed'"/>
    <field name="attempts" optional="show"/>
    <field name="sent_at" optional="show"/>
    <field name="mail_id" optional="hide"/>
    <field name="last_error" optional="show"/>
</list>
"""

GAME_SERVER_MAINTENANCE_LIST_VIEW_ARCH = """
<list string="Maintenance Windows">
    <field name="name"/>
    <field name="recurrence"/>
    <field name="start" optional="show"/>
    <field name="end" optional="show"/>
    <field name="weekday" optional="show"/>
    <field name="start_time" widget="float_time" optional="show"/>
    <field name="duration_minutes" optional="show"/>
    <field name="host"/>
    <field name="server_ids" widget="many2many_tags"/>
</list>
"""

GAME_SERVER_TAG_LIST_VIEW_ARCH = """
<list string="Tags" editable="bottom">
    <field name="name"/>
    <field name="color" widget="color_picker"/>
</list>
"""

GAME_SERVER_SLA_POLICY_LIST_VIEW_ARCH = """
<list string="SLA Policies">
    <field name="name"/>
    <field name="target_pct"/>
    <field name="maintenance_counts"/>
    <field name="warn_margin_pct" optional="show"/>
    <field name="partner_ids" widget="many2many_tags" optional="show"/>
</list>
"""

GAME_SERVER_SLA_MONTH_LIST_VIEW_ARCH = """
<list string="SLA by Server" create="0" edit="0" delete="0"
      decoration-danger="state == 'breached'" decoration-warning="state == 'at_risk'">
    <field name="month"/>
    <field name="server_id"/>
    <field name="partner_id" optional="show"/>
    <field name="game_id" optional="hide"/>
    <field name="policy_id" optional="show"/>
    <field name="target_pct"/>
    <field name="uptime_pct"/>
    <field name="downtime_minutes" optional="show"/>
    <field name="allowed_downtime_minutes" optional="hide"/>
    <field name="margin_minutes"/>
    <field name="outage_count"/>
    <field name="outage_minutes" optional="show"/>
    <field name="longest_outage_minutes" optional="show"/>
    <field name="state" widget="badge" decoration-success="state == 'met'" decoration-warning="state == 'at_risk'"
           decoration-danger="state == 'breached'"/>
</list>
"""

GAME_SERVER_SLA_CUSTOMER_LIST_VIEW_ARCH = """
<list string="SLA by Customer" create="0" edit="0" delete="0"
      decoration-danger="state == 'breached'" decoration-warning="state == 'at_risk'">
    <field name="month"/>
    <field name="partner_id"/>
    <field name="server_count"/>
    <field name="breached_count"/>
    <field name="at_risk_count"/>
    <field name="uptime_pct"/>
    <field name="outage_count"/>
    <field name="outage_minutes" optional="show"/>
    <field name="longest_outage_minutes" optional="show"/>
    <field name="margin_minutes" optional="show"/>
    <field name="state" widget="badge" decoration-success="state == 'met'" decoration-warning="state == 'at_risk'"
           decoration-danger="state == 'breached'"/>
</list>
"""

#: 17.0's chatter: a div the mail module's form compiler turns into the chatter.
LEGACY_CHATTER = """
<div class="oe_chatter">
    <field name="message_follower_ids"/>
    <field name="activity_ids"/>
    <field name="message_ids"/>
</div>
"""


def list_arch(text, root_tag):
    arch = etree.fromstring(text.strip())
    arch.tag = root_tag
    return arch


def list_view_hooks(text):
    """The two list-view hooks of a model whose list view is ``text`` (18+ syntax, root ``list``):
    ``_get_default_tree_view`` for 17.0 and ``_get_default_list_view`` for 18.0+; each series calls
    only its own. Assigned in the model's class body."""

    @api.model
    def _get_default_tree_view(self):
        return list_arch(text, 'tree')

    @api.model
    def _get_default_list_view(self):
        return list_arch(text, 'list')

    return _get_default_tree_view, _get_default_list_view


def kanban_arch(text):
    arch = etree.fromstring(text.strip())
    if LEGACY_WEB_CLIENT:
        for card in arch.iterfind('templates/t[@t-name="card"]'):
            card.set('t-name', 'kanban-box')
            # kanban-box's root element is the card itself; make it open the record.
            box = etree.Element('div', {'class': 'oe_kanban_global_click d-flex flex-column'})
            box.text, card.text = card.text, None
            box.extend(card)
            card.append(box)
    return arch


def stat_arch_for_series(arch, view_type):
    if HOURLY_GROUPING:
        return arch
    if view_type in ('graph', 'pivot'):
        for field in arch.iter('field'):
            if field.get('interval') == 'hour':
                field.set('interval', 'day')
                if view_type == 'graph':
                    arch.set('type', 'bar')
    elif view_type == 'search':
        for hourly in arch.xpath("//filter[contains(@context, ':hour')]"):
            hourly.getparent().remove(hourly)
    return arch


def form_arch_for_series(arch, model):
    if LEGACY_WEB_CLIENT:
        for chatter in arch.iter('chatter'):
            legacy = etree.fromstring(LEGACY_CHATTER.strip())
            # activity_ids exists only on models with mail.activity.mixin.
            for field in legacy.iterfind('field'):
                if field.get('name') not in model._fields:
                    legacy.remove(field)
            chatter.getparent().replace(chatter, legacy)
    return arch


class GameServer(models.Model):
    _inherit = 'game.server'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_LIST_VIEW_ARCH)

    @api.model
    def _get_default_kanban_view(self):
        return kanban_arch(GAME_SERVER_KANBAN_VIEW_ARCH)

    @api.model
    def _get_view(self, view_id=None, view_type='form', **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == 'form':
            arch = form_arch_for_series(arch, self)
        return arch, view


class GameServerStat(models.Model):
    _inherit = 'game.server.stat'

    @api.model
    def _get_view(self, view_id=None, view_type='form', **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        return stat_arch_for_series(arch, view_type), view

    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_STAT_LIST_VIEW_ARCH)


class GameServerGameStat(models.Model):
    _inherit = 'game.server.game.stat'

    @api.model
    def _get_view(self, view_id=None, view_type='form', **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        return stat_arch_for_series(arch, view_type), view

    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_GAME_STAT_LIST_VIEW_ARCH)


class GameServerOutage(models.Model):
    _inherit = 'game.server.outage'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_OUTAGE_LIST_VIEW_ARCH)


class GameServerIncident(models.Model):
    _inherit = 'game.server.incident'

    @api.model
    def _get_view(self, view_id=None, view_type='form', **options):
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == 'form':
            arch = form_arch_for_series(arch, self)
        return arch, view

    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_INCIDENT_LIST_VIEW_ARCH)


class GameServerNotifyChannel(models.Model):
    _inherit = 'game.server.notify.channel'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_NOTIFY_CHANNEL_LIST_VIEW_ARCH)


class GameServerNotifyRule(models.Model):
    _inherit = 'game.server.notify.rule'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_NOTIFY_RULE_LIST_VIEW_ARCH)


class GameServerNotifyDelivery(models.Model):
    _inherit = 'game.server.notify.delivery'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_NOTIFY_DELIVERY_LIST_VIEW_ARCH)


class GameServerMaintenance(models.Model):
    _inherit = 'game.server.maintenance'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_MAINTENANCE_LIST_VIEW_ARCH)


class GameServerTag(models.Model):
    _inherit = 'game.server.tag'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_TAG_LIST_VIEW_ARCH)


class GameServerSlaPolicy(models.Model):
    _inherit = 'game.server.sla.policy'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_SLA_POLICY_LIST_VIEW_ARCH)


class GameServerSlaMonth(models.Model):
    _inherit = 'game.server.sla.month'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_SLA_MONTH_LIST_VIEW_ARCH)


class GameServerSlaCustomer(models.Model):
    _inherit = 'game.server.sla.customer'
    _get_default_tree_view, _get_default_list_view = list_view_hooks(GAME_SERVER_SLA_CUSTOMER_LIST_VIEW_ARCH)
