"""game.server.game.stat: one row per game per UTC hour, the fleet's history at a glance.

The reporting views (uptime, players by game and time) read these rows rather
than the per-server buckets: at 10,000 servers a month of per-server rows is
millions of rows to group at every opening, while a month of these is a few
thousand. They hold the same sums as the per-server rows, added by the same
``apply_status_reports`` call that adds those, so a game's figure for an hour
or a day is the figure the per-server rows of that game give for it.

The rows are history: a deleted server's polls stay counted here, and a server
that changes game counts under its new game from then on. Roll-ups of the
per-server rows do not touch them; the retention setting purges both.
"""
from odoo import api, fields, models

from .game_server_stat import MERGE_SUMS_SQL, SUM_FIELDS, precreate_unplanned_columns


class GameServerGameStat(models.Model):
    _name = 'game.server.game.stat'
    _inherit = ['game.server.stat.figures']
    _description = 'Game Statistics by Hour'
    _order = 'bucket_start desc, game_id'
    _rec_name = 'game_id'

    game_id = fields.Many2one('game.server.game', string='Game', required=True, ondelete='cascade', index=True)
    bucket_start = fields.Datetime(string='Hour', required=True, index=True, help="Start of the hour (UTC).")

    def _auto_init(self):
        precreate_unplanned_columns(self)
        return super()._auto_init()

    def init(self):
        # The upsert's conflict target (an index: see game.server.stat's init).
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_game_stat_game_hour_uniq
            ON game_server_game_stat (game_id, bucket_start)
        """)
        self._fill_from_server_stats()

    def _fill_from_server_stats(self):
        """On install over existing statistics (an upgrade from a version without this model), build
        the rows from the per-server ones once; a daily roll-up row counts in its day's first hour."""
        cr = self.env.cr
        cr.execute("SELECT 1 FROM game_server_game_stat LIMIT 1")
        if cr.fetchone():
            return
        self._upsert("""
            SELECT game_id, date_trunc('hour', bucket_start), SUM(polls), SUM(polls_online), SUM(players_sum),
                   MAX(players_peak), SUM(latency_sum), SUM(polls_unplanned)
            FROM game_server_stat WHERE game_id IS NOT NULL
            GROUP BY 1, 2
        """, [])

    @api.model
    def _add_server_deltas(self, deltas):
        """Add the per-server bucket deltas of a status batch (game.server.stat._add_to_buckets' tuples)
        to their games' hours. Called last in the batch's transaction: every batch updates the same few
        rows, so each holds their locks only until it commits, and takes them in one order."""
        if not deltas:
            return self.browse()
        values = ', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s)'] * len(deltas))
        return self._upsert(f"""
            SELECT srv.game_id, date_trunc('hour', v.bucket_start), SUM(v.polls), SUM(v.polls_online),
                   SUM(v.players_sum), MAX(v.players_peak), SUM(v.latency_sum::float8), SUM(v.polls_unplanned)
            FROM (VALUES {values}) AS v(server_id, bucket_start, polls, polls_online, players_sum,
                                          players_peak, latency_sum, polls_unplanned)
            JOIN game_server srv ON srv.id = v.server_id
            WHERE srv.game_id IS NOT NULL
            GROUP BY 1, 2
        """, [value for server_id, start, _minutes, *sums in deltas for value in (server_id, start, *sums)])

    def _upsert(self, select, params):
        """Add the rows of ``select`` (game_id, hour, then the SUM_FIELDS) to the stored ones."""
        self.flush_model()
        now = fields.Datetime.now()
        uid = self.env.uid
        self.env.cr.execute(f"""
            INSERT INTO game_server_game_stat AS s
                (game_id, bucket_start, {', '.join(SUM_FIELDS)}, create_uid, create_date, write_uid, write_date)
            SELECT d.*, %s, %s, %s, %s FROM ({select}) AS d ORDER BY 1, 2
            ON CONFLICT (game_id, bucket_start) DO UPDATE SET {MERGE_SUMS_SQL}
            RETURNING s.id
        """, [uid, now, uid, now] + params)
        rows = self.browse(row[0] for row in self.env.cr.fetchall())
        self._written_by_sql(rows)
        return rows
