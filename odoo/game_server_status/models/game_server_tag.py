"""Tags a fleet's servers are sorted by (region, plan, event, ...), which rules can be scoped to."""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class GameServerTag(models.Model):
    _name = 'game.server.tag'
    _description = 'Game Server Tag'
    _order = 'name'

    name = fields.Char(required=True)
    color = fields.Integer()

    def init(self):
        # An index rather than _sql_constraints (ignored on 19) or models.Constraint (missing on 17/18).
        self.env.cr.execute("CREATE UNIQUE INDEX IF NOT EXISTS game_server_tag_name_uniq ON game_server_tag (name)")

    @api.model_create_multi
    def create(self, vals_list):
        self._check_names_free([vals.get('name') for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get('name'):
            self._check_names_free([vals['name']] * len(self), exclude=self)
        return super().write(vals)

    @api.model
    def _check_names_free(self, names, exclude=None):
        """Refuse names taken (or given twice) with a message, before the unique index would refuse them
        with a database error."""
        names = [name for name in names if name]
        taken = self.with_context(active_test=False).search(
            [('name', 'in', names)] + ([('id', 'not in', exclude.ids)] if exclude else []), limit=1)
        duplicate = taken.name or next((name for name in names if names.count(name) > 1), None)
        if duplicate:
            raise ValidationError(_("A tag named %(name)s already exists.", name=duplicate))
