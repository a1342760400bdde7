"""The views whose XML differs between Odoo series, and only those.

The list view root is ``<tree>`` on 17.0 and ``<list>`` on 18.0+, and each
series rejects the other's: 17 has no 'list' view type, 18 removed 'tree'
(``ValueError: Wrong value for ir.ui.view.type``). A manifest's ``data`` list
is a static literal, so no XML data file can hold a list view for all three.

Odoo itself provides the hook: when a model has no ``ir.ui.view`` of the
requested type, ``_get_view`` falls back to ``_get_default_<type>_view()``
(odoo/addons/base/models/ir_ui_view.py, 17.0 to 19.0). 17.0 asks for
``_get_default_tree_view`` (its ``get_views`` maps 'list' to 'tree'), 18.0+
ask for ``_get_default_list_view``. Defining both, each returning the same
arch under its own root, gives every series its list view with no version
test. The window action leaves ``view_mode`` unset, so it takes the series'
default ('tree,form' on 17, 'list,form' on 18+).

To change the list: edit LIST_VIEW_ARCH (18+ syntax; 17 gets the root renamed).
When 17.0 support ends, move LIST_VIEW_ARCH into views/game_server_views.xml
as a normal ``<list>`` record and delete this file.
"""
from lxml import etree

from odoo import api, models

#: The game.server list view, 18+ syntax. Only the root tag differs on 17.
LIST_VIEW_ARCH = """
<list string="Game Servers" sample="1"
      decoration-success="is_online"
      decoration-danger="last_checked and not is_online"
      decoration-muted="not active">
    <field name="name"/>
    <field name="game"/>
    <field name="host"/>
    <field name="port"/>
    <field name="is_online"/>
    <field name="players_online"/>
    <field name="players_max"/>
    <field name="latency_ms" optional="show"/>
    <field name="last_checked" optional="show"/>
    <field name="active" column_invisible="True"/>
</list>
"""


class GameServer(models.Model):
    _inherit = 'game.server'

    @api.model
    def _game_server_list_arch(self, root_tag):
        arch = etree.fromstring(LIST_VIEW_ARCH.strip())
        arch.tag = root_tag
        return arch

    @api.model
    def _get_default_tree_view(self):
        """List view for Odoo 17.0 (view type 'tree'); never called on 18+."""
        return self._game_server_list_arch('tree')

    @api.model
    def _get_default_list_view(self):
        """List view for Odoo 18.0+ (view type 'list'); never called on 17."""
        return self._game_server_list_arch('list')
