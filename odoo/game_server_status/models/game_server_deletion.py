"""game.server.deletion: which servers were deleted, and when.

The poller's catalog sync reads the rows with ``deleted_at >=`` its last sync,
so noticing deletions costs Odoo O(deletions) per tick instead of listing
every server id. A row is written in the transaction that deletes the server;
that transaction may commit a little after ``deleted_at``, so a reader should
start each read a little before its last sync (re-reading a deletion is
harmless).
"""
from datetime import timedelta

from odoo import api, fields, models

#: Deletion rows older than this are purged by the daily autovacuum.
DELETION_RETENTION = timedelta(days=7)


class GameServerDeletion(models.Model):
    _name = 'game.server.deletion'
    _description = 'Deleted Game Server'
    _order = 'deleted_at desc, id desc'
    _rec_name = 'server_ref'

    server_ref = fields.Integer(string='Deleted Server Id', required=True, index=True, readonly=True)
    deleted_at = fields.Datetime(required=True, index=True, readonly=True, default=fields.Datetime.now)

    @api.autovacuum
    def _gc_old_deletions(self):
        self.search([('deleted_at', '<', fields.Datetime.now() - DELETION_RETENTION)]).unlink()
