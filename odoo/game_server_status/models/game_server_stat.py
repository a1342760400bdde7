"""game.server.stat: one row per server per time bucket, the history behind uptime and peaks.

Rows hold sums, never averages, so that merging rows (a daily roll-up, a late
report, a pivot over many rows) keeps every figure exact. Rows are written with
one SQL upsert per batch (INSERT ... ON CONFLICT on the unique (server, bucket
start) index): two writers adding to the same bucket at once both count, and
neither fails on the unique index.
"""
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL, sql

from . import local_time, series

EPOCH = datetime(1970, 1, 1)

#: Stored sums, merged by addition (players_peak by maximum) when rows meet.
SUM_FIELDS = ('polls', 'polls_online', 'players_sum', 'players_peak', 'latency_sum', 'polls_unplanned')

#: The SET list of an upsert into a table of SUM_FIELDS aliased ``s``: adds the new sums
#: (the peak by maximum) and stamps the write.
MERGE_SUMS_SQL = """
    polls = s.polls + EXCLUDED.polls,
    polls_online = s.polls_online + EXCLUDED.polls_online,
    players_sum = s.players_sum + EXCLUDED.players_sum,
    players_peak = GREATEST(s.players_peak, EXCLUDED.players_peak),
    latency_sum = s.latency_sum + EXCLUDED.latency_sum,
    polls_unplanned = s.polls_unplanned + EXCLUDED.polls_unplanned,
    write_uid = EXCLUDED.write_uid,
    write_date = EXCLUDED.write_date
"""

#: Averaged figure -> (numerator sum, denominator sum, scale): the figure is
#: scale * numerator / denominator, 0 when the denominator is 0. Used for each
#: row and for any group of rows (pivot, graph), so both are exact ratios of sums.
RATIOS = {
    'uptime_pct': ('polls_online', 'polls', 100.0),
    'uptime_unplanned_pct': ('polls_online', 'polls_unplanned', 100.0),
    'players_avg': ('players_sum', 'polls_online', 1.0),
    'latency_avg': ('latency_sum', 'polls_online', 1.0),
}

#: A daily row covers a day of the company's timezone: 1380 to 1500 minutes when the clocks
#: change. Any shorter row is a detail bucket (at most a day, dividing it).
SHORTEST_DAY_MINUTES = 23 * 60

#: The maintenance job moves or deletes at most this many rows per run (one
#: transaction); when more remain it runs again a minute later.
MAINTENANCE_ROWS_PER_RUN = 50000
MAINTENANCE_RERUN_DELAY = timedelta(minutes=1)


def bucket_start(moment, minutes):
    """Start of the bucket of ``minutes`` containing ``moment`` (naive UTC), counted from the Unix epoch."""
    size = minutes * 60
    return EPOCH + timedelta(seconds=int((moment - EPOCH).total_seconds()) // size * size)


def precreate_game_column(model):
    """Create the game_id column before the ORM adds it, so that an update does not recompute the
    related field row by row over the whole table; game.server._link_games fills it in SQL."""
    cr = model.env.cr
    if sql.table_exists(cr, model._table) and not sql.column_exists(cr, model._table, 'game_id'):
        sql.create_column(cr, model._table, 'game_id', 'int4')


def precreate_unplanned_columns(model):
    """On an upgrade from before 1.8.0, fill the maintenance-aware sums of the existing rows in SQL
    (no window was known then: every poll counts, so the ratio equals the uptime), before the ORM
    would recompute the stored ratio row by row over millions of rows."""
    cr = model.env.cr
    if sql.table_exists(cr, model._table) and not sql.column_exists(cr, model._table, 'polls_unplanned'):
        sql.create_column(cr, model._table, 'polls_unplanned', 'int4')
        sql.create_column(cr, model._table, 'uptime_unplanned_pct', 'float8')
        cr.execute(SQL("UPDATE %s SET polls_unplanned = polls, uptime_unplanned_pct = uptime_pct",
                       SQL.identifier(model._table)))


def ratio_of(fname, sums, ratios=RATIOS):
    """The ratio figure ``fname`` of a mapping (or record) holding its sums."""
    numerator, denominator, scale = ratios[fname]
    return scale * sums[numerator] / sums[denominator] if sums[denominator] else 0.0


class GameServerRatioMixin(models.AbstractModel):
    """Stored ratios whose 'avg' in a pivot or graph is the ratio of the group's sums (a daily
    row weighs its 96 buckets, not 1), so grouped figures stay exact."""
    _name = 'game.server.ratio.mixin'
    _description = 'Game Server Exact Ratios'

    #: ratio field -> (numerator field, denominator field, scale), set by each model.
    _ratios = {}

    def _read_group_select(self, aggregate_spec, query):
        fname, _sep, function = aggregate_spec.partition(':')
        if function != 'avg' or fname not in self._ratios:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, scale = self._ratios[fname]
        terms = [super(GameServerRatioMixin, self)._read_group_select('%s:sum' % name, query)
                 for name in (numerator, denominator)]
        return series.read_group_select(
            terms, lambda num, den: SQL("COALESCE(%s::float8 * %s / NULLIF(%s, 0), 0)", scale, num, den))


class GameServerStatFigures(models.AbstractModel):
    """The sums a statistics row holds and the exact ratios computed from them, shared by the
    per-server rows and the per-game hourly rows (game.server.game.stat)."""
    _name = 'game.server.stat.figures'
    _inherit = ['game.server.ratio.mixin']
    _description = 'Game Server Statistics Figures'
    _ratios = RATIOS

    polls = fields.Integer(help="Polls in this bucket, online or not.")
    polls_online = fields.Integer(string='Polls Online')
    players_sum = fields.Integer(string='Players (sum)', help="Sum of the player counts of the online polls.")
    players_peak = fields.Integer(string='Peak Players', **series.aggregator('max'),
                                  help="Most players one server had at one poll.")
    latency_sum = fields.Float(string='Latency Sum (ms)', help="Sum of the latencies of the online polls.")
    polls_unplanned = fields.Integer(
        string='Polls Outside Maintenance',
        help="Polls less those that failed inside a maintenance window: what uptime counts when planned work "
             "does not count against it.")
    # No digits: a Float with digits is rounded when stored; the web client shows 2 decimals anyway.
    players_avg = fields.Float(
        string='Average Players', compute='_compute_ratios', store=True, **series.aggregator('avg'),
        help="Players per online poll, i.e. per server while it was online.")
    latency_avg = fields.Float(
        string='Average Latency (ms)', compute='_compute_ratios', store=True, **series.aggregator('avg'))
    uptime_pct = fields.Float(
        string='Uptime (%)', compute='_compute_ratios', store=True, **series.aggregator('avg'))
    uptime_unplanned_pct = fields.Float(
        string='Uptime Outside Maintenance (%)', compute='_compute_ratios', store=True, **series.aggregator('avg'),
        help="Uptime with the failed polls inside maintenance windows left out.")

    @api.depends(*{f for ratio_fields in RATIOS.values() for f in ratio_fields[:2]})
    def _compute_ratios(self):
        for stat in self:
            for fname in RATIOS:
                stat[fname] = ratio_of(fname, stat)

    @api.model
    def _written_by_sql(self, rows):
        """Tell the ORM that SQL changed these rows: drop cached values, recompute the ratios."""
        rows.invalidate_recordset()
        rows.modified(SUM_FIELDS)

    @api.model
    def _purge_before(self, cutoff, limit):
        """Delete at most ``limit`` rows whose bucket_start is before ``cutoff``, oldest first."""
        self.flush_model()
        self.env.cr.execute(SQL(
            "DELETE FROM %(table)s WHERE id IN ("
            " SELECT id FROM %(table)s WHERE bucket_start < %(cutoff)s ORDER BY bucket_start LIMIT %(limit)s)",
            table=SQL.identifier(self._table), cutoff=cutoff, limit=limit))
        purged = self.env.cr.rowcount
        if purged:
            self.invalidate_model()
        return purged


class GameServerStat(models.Model):
    _name = 'game.server.stat'
    _inherit = ['game.server.stat.figures']
    _description = 'Game Server Statistics Bucket'
    _order = 'bucket_start desc, id desc'
    _rec_name = 'server_id'

    server_id = fields.Many2one('game.server', string='Server', required=True, ondelete='cascade', index=True)
    game = fields.Char(related='server_id.game', store=True, index=True)
    game_id = fields.Many2one(related='server_id.game_id', store=True, index=True)
    bucket_start = fields.Datetime(required=True, index=True, help="Start of the bucket (UTC).")
    bucket_minutes = fields.Integer(
        string='Bucket (minutes)', required=True, **series.aggregator(None),
        help="Minutes covered by this row: the configured bucket size, or the length of a local day rolled up "
             "(1440, or 1380 and 1500 when the clocks change).")

    def _auto_init(self):
        precreate_game_column(self)
        precreate_unplanned_columns(self)
        return super()._auto_init()

    def init(self):
        # The upsert's conflict target. An index rather than _sql_constraints
        # (ignored on 19) or models.Constraint (missing on 17/18).
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_stat_server_bucket_uniq
            ON game_server_stat (server_id, bucket_start)
        """)

    # ------------------------------------------------------------------
    # Writing buckets
    # ------------------------------------------------------------------
    @api.model
    def _add_to_buckets(self, deltas):
        """Add counts to buckets, creating the missing ones.

        :param deltas: list of tuples (server_id, bucket_start, bucket_minutes,
            polls, polls_online, players_sum, players_peak, latency_sum, polls_unplanned);
            at most one per (server_id, bucket_start).
        :return: the buckets written

        An existing row keeps the larger bucket size, so a late report or a
        partial roll-up merged into a day's row leaves it a daily row.
        """
        if not deltas:
            return self.browse()
        self.flush_model()
        now = fields.Datetime.now()
        uid = self.env.uid
        values = ', '.join(['(%s, %s, %s, %s, %s, %s, %s, %s, %s)'] * len(deltas))
        self.env.cr.execute(f"""
            INSERT INTO game_server_stat AS s
                (server_id, game, game_id, bucket_start, bucket_minutes, polls, polls_online, players_sum,
                 players_peak, latency_sum, polls_unplanned, create_uid, create_date, write_uid, write_date)
            SELECT v.server_id, srv.game, srv.game_id, v.bucket_start, v.bucket_minutes, v.polls, v.polls_online,
                   v.players_sum, v.players_peak, v.latency_sum::float8, v.polls_unplanned, %s, %s, %s, %s
            FROM (VALUES {values}) AS v(server_id, bucket_start, bucket_minutes, polls, polls_online,
                                          players_sum, players_peak, latency_sum, polls_unplanned)
            JOIN game_server srv ON srv.id = v.server_id
            ON CONFLICT (server_id, bucket_start) DO UPDATE SET
                bucket_minutes = GREATEST(s.bucket_minutes, EXCLUDED.bucket_minutes), {MERGE_SUMS_SQL}
            RETURNING s.id
        """, [uid, now, uid, now] + [value for delta in deltas for value in delta])
        stats = self.browse(row[0] for row in self.env.cr.fetchall())
        self._written_by_sql(stats)
        return stats

    @api.model
    def _written_by_sql(self, rows):
        super()._written_by_sql(rows)
        self.env['game.server'].invalidate_model(['stat_ids'])

    # ------------------------------------------------------------------
    # Maintenance: roll-up and purge (hourly ir.cron)
    # ------------------------------------------------------------------
    @api.model
    def _cron_maintain(self):
        done = self._maintain(MAINTENANCE_ROWS_PER_RUN)
        if max(done.values()) >= MAINTENANCE_ROWS_PER_RUN:
            # More rows wait: run again soon, in a new transaction, instead of
            # one long transaction that could hit the cron time limit. A
            # minute ahead, so that no series drops the trigger as already
            # served by this very run.
            self.env.ref('game_server_status.ir_cron_game_server_stat_maintenance')._trigger(
                fields.Datetime.now() + MAINTENANCE_RERUN_DELAY)
        return done

    @api.model
    def _maintain(self, limit, now=None):
        """Purge rows (and game hours) older than the retention, then roll old detail rows up into daily rows;
        first, bring the players at once per game and bucket (game.server.game.players) up to date.

        Both cut-offs fall on a midnight of the company's timezone, so whole local days are rolled
        up or purged.

        :param limit: most rows purged, and most rows rolled up, in this call
        :return: ``{'purged': rows deleted, 'rolled_up': detail rows merged into daily rows,
            'game_hours_purged': rows of game.server.game.stat deleted}``
        """
        Settings = self.env['res.config.settings']
        settings = Settings._game_server_settings()
        zone = Settings._game_server_timezone()
        now = now or fields.Datetime.now()
        purge_cutoff = local_time.day_start(now, zone, -settings.stat_retention_days)
        # Players at once are computed from detail rows: before any is rolled up.
        self.env['game.server.game.players']._compute_buckets(purge_cutoff)
        return {
            'purged': self._purge_before(purge_cutoff, limit),
            'rolled_up': self._roll_up_before(local_time.day_start(now, zone, -settings.stat_detail_days), limit,
                                              zone),
            'game_hours_purged': self.env['game.server.game.stat']._purge_before(purge_cutoff, limit),
        }

    @api.model
    def _purge_before(self, cutoff, limit):
        purged = super()._purge_before(cutoff, limit)
        if purged:
            self.env['game.server'].invalidate_model(['stat_ids'])
        return purged

    @api.model
    def _roll_up_before(self, cutoff, limit, zone):
        """Replace detail rows older than ``cutoff`` by one row per server per day of ``zone``
        (a ZoneInfo), starting at its local midnight and as long as that day really is.

        A day cut by ``limit`` is finished by the next call: its daily row
        takes the rest of the day's rows by addition, so the sums stay exact.
        """
        self.flush_model()
        self.env.cr.execute(SQL("""
            WITH moved AS (
                DELETE FROM game_server_stat WHERE id IN (
                    SELECT id FROM game_server_stat
                    WHERE bucket_minutes < %(day)s AND bucket_start < %(cutoff)s
                    ORDER BY bucket_start LIMIT %(limit)s)
                RETURNING server_id, bucket_start, polls, polls_online, players_sum, players_peak, latency_sum,
                          polls_unplanned),
            days AS (
                SELECT server_id, date_trunc('day', bucket_start AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s) AS local_day,
                       SUM(polls) AS polls, SUM(polls_online) AS online, SUM(players_sum) AS players,
                       MAX(players_peak) AS peak, SUM(latency_sum) AS latency, SUM(polls_unplanned) AS unplanned,
                       COUNT(*) AS rows
                FROM moved GROUP BY 1, 2)
            SELECT server_id, local_day AT TIME ZONE %(tz)s AT TIME ZONE 'UTC',
                   (EXTRACT(EPOCH FROM (local_day + INTERVAL '1 day') AT TIME ZONE %(tz)s
                                       - local_day AT TIME ZONE %(tz)s) / 60)::int,
                   polls, online, players, peak, latency, unplanned, rows
            FROM days
        """, day=SHORTEST_DAY_MINUTES, cutoff=cutoff, limit=limit, tz=zone.key))
        days = self.env.cr.fetchall()
        if not days:
            return 0
        self.invalidate_model()
        self._add_to_buckets([day[:-1] for day in days])
        return sum(day[-1] for day in days)

    @api.model
    def _keep_crons_repeating(self):
        """Called from the data file after the crons are loaded (see series.keep_cron_repeating)."""
        for xmlid in ('ir_cron_game_server_stat_maintenance', 'ir_cron_game_server_sla_refresh'):
            series.keep_cron_repeating(self.env.ref('game_server_status.' + xmlid))
