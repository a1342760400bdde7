"""game.server.game.players: how many players a game's servers held at once, per statistics bucket.

A server's players over its polls in a bucket is what it held on average during the bucket;
summed over the game's servers, what the game held at once. Unlike the other figures this sum
cannot be kept by adding each batch's reports (a server's average changes with every poll), so
the hourly maintenance job computes it from the detail buckets: the buckets since the last one
it wrote, that one again (it may have been written part-way through) and the hour before it (late
reports). The dashboard reads these rows, and only the buckets since the last run from the detail
rows: a day of them is 96 rows per game instead of 96 per server.
"""
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .game_server_stat import SHORTEST_DAY_MINUTES

#: Written again at each run, for the reports that came late.
RECOMPUTED = timedelta(hours=1)


class GameServerGamePlayers(models.Model):
    _name = 'game.server.game.players'
    _description = 'Players at Once by Game'
    _order = 'bucket_start desc, game_id'
    _rec_name = 'game_id'
    _log_access = False

    game_id = fields.Many2one('game.server.game', string='Game', required=True, ondelete='cascade', index=True)
    bucket_start = fields.Datetime(required=True, index=True, help="Start of the statistics bucket (UTC).")
    players = fields.Float(help="Players the game's servers held at once, on average over the bucket.")
    servers = fields.Integer(help="Servers of the game polled in the bucket.")

    def init(self):
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_game_players_game_bucket_uniq
            ON game_server_game_players (game_id, bucket_start)
        """)

    @api.model
    def _select_from_buckets(self, since):
        """SQL of (bucket_start, game_id, players at once, servers) from the detail rows since ``since``."""
        return SQL("""
            SELECT bucket_start, game_id, SUM(players_sum::float8 / polls), COUNT(*)
            FROM game_server_stat
            WHERE bucket_start >= %s AND bucket_minutes < %s AND polls > 0 AND game_id IS NOT NULL
            GROUP BY 1, 2
        """, since, SHORTEST_DAY_MINUTES)

    @api.model
    def _last_bucket(self):
        self.flush_model()
        self.env.cr.execute("SELECT MAX(bucket_start) FROM game_server_game_players")
        return self.env.cr.fetchone()[0]

    @api.model
    def _compute_buckets(self, purge_before):
        """Write the buckets since the last one written (less an hour), purge those before ``purge_before``.

        :return: rows written
        """
        last = self._last_bucket()
        since = last - RECOMPUTED if last else purge_before
        self.env['game.server.stat'].flush_model()
        self.env.cr.execute(SQL("""
            INSERT INTO game_server_game_players AS p (bucket_start, game_id, players, servers)
            %s
            ON CONFLICT (game_id, bucket_start) DO UPDATE SET players = EXCLUDED.players, servers = EXCLUDED.servers
        """, self._select_from_buckets(since)))
        written = self.env.cr.rowcount
        self.env.cr.execute(SQL("DELETE FROM game_server_game_players WHERE bucket_start < %s", purge_before))
        self.invalidate_model()
        return written

    @api.model
    def _since(self, since):
        """[(bucket_start, game_id, players at once)] from ``since`` on: the rows written, then the
        detail rows of the buckets after the last one written (including it: it may be partial)."""
        last = self._last_bucket()
        cut = max(last, since) if last else since
        self.env.cr.execute(SQL("""
            SELECT bucket_start, game_id, players FROM game_server_game_players
            WHERE bucket_start >= %s AND bucket_start < %s
        """, since, cut))
        rows = self.env.cr.fetchall()
        self.env['game.server.stat'].flush_model()
        self.env.cr.execute(SQL("SELECT bucket_start, game_id, sum FROM (%s) AS b(bucket_start, game_id, sum, n)",
                                self._select_from_buckets(cut)))
        return rows + self.env.cr.fetchall()
