from datetime import datetime, timedelta

from odoo.tests.common import tagged

from .common import T0, GameServerCase, counts, dt, minutes_after, offline, online

STAT_FIELDS = ['bucket_start', 'bucket_minutes', 'polls', 'polls_online', 'players_sum', 'players_peak',
               'latency_sum', 'players_avg', 'latency_avg', 'uptime_pct']


@tagged('post_install', '-at_install')
class TestStatBuckets(GameServerCase):

    def rows(self, server):
        return [{k: v for k, v in row.items() if k != 'id'} for row in self.stats(server).read(STAT_FIELDS)]

    def test_reports_of_one_bucket_make_one_row_with_exact_sums(self):
        t = minutes_after(T0, 0, 5, 10)
        self.apply([
            online(self.alpha.id, t[0], players_online=10, latency_ms=20.5),
            offline(self.alpha.id, t[1]),
            online(self.alpha.id, t[2], players_online=4, latency_ms=31),
        ])
        self.assertEqual(self.rows(self.alpha), [{
            'bucket_start': dt(T0), 'bucket_minutes': 15, 'polls': 3, 'polls_online': 2, 'players_sum': 14,
            'players_peak': 10, 'latency_sum': 51.5, 'players_avg': 7.0, 'latency_avg': 25.75,
            'uptime_pct': 2 * 100.0 / 3,
        }])
        self.assertFalse(self.stats(self.beta), "a server without reports has no rows")

    def test_bucket_boundaries(self):
        # 12:14:59 is the last second of the 12:00 bucket, 12:15:00 the first of the next one.
        self.apply([online(self.alpha.id, '2024-05-01 12:14:59'), online(self.alpha.id, '2024-05-01 12:15:00'),
                    online(self.alpha.id, '2024-05-01 11:59:59')])
        rows = self.rows(self.alpha)
        self.assertEqual([(r['bucket_start'], r['polls']) for r in rows], [
            (dt('2024-05-01 11:45:00'), 1), (dt(T0), 1), (dt('2024-05-01 12:15:00'), 1)])

    def test_buckets_are_aligned_to_their_size_from_the_epoch(self):
        # 45 minutes divides a day; 45-minute buckets counted from 1970-01-01 00:00 UTC.
        self.set_setting('bucket_minutes', 45)
        checked = dt('2024-05-01 12:34:56')
        size = 45 * 60
        epoch = datetime(1970, 1, 1)
        expected = epoch + timedelta(seconds=int((checked - epoch).total_seconds()) // size * size)
        self.apply([online(self.alpha.id, '2024-05-01 12:34:56')])
        row = self.stats(self.alpha)
        self.assertEqual((row.bucket_start, row.bucket_minutes), (expected, 45))
        self.assertEqual(expected, dt('2024-05-01 12:00:00'))  # 1714564800 is a multiple of 2700

    def test_later_batches_add_to_the_same_row(self):
        t = minutes_after(T0, 1, 2, 3, 4)
        self.apply([online(self.alpha.id, t[0], players_online=3)])
        self.apply([online(self.alpha.id, t[1], players_online=9), offline(self.alpha.id, t[2])])
        self.apply([online(self.alpha.id, t[3], players_online=1)])
        (row,) = self.rows(self.alpha)
        self.assertEqual((row['polls'], row['polls_online'], row['players_sum'], row['players_peak']), (4, 3, 13, 9))
        self.assertEqual(row['uptime_pct'], 75.0)

    def test_replaying_batches_changes_no_row(self):
        batch = [online(self.alpha.id, t) for t in minutes_after(T0, 0, 7, 14, 21)] + [offline(self.beta.id, T0)]
        self.apply(batch)
        before = (self.rows(self.alpha), self.rows(self.beta))
        self.assertEqual(self.apply(batch), counts(ignored=5))
        self.assertEqual(self.apply(batch[1:3]), counts(ignored=2))
        self.assertEqual((self.rows(self.alpha), self.rows(self.beta)), before)

    def test_ignored_reports_are_never_counted(self):
        t = minutes_after(T0, 0, 1, 2)
        self.apply([online(self.alpha.id, t[1], players_online=5)])
        result = self.apply([
            online(self.alpha.id, t[0], players_online=50),  # older than the last applied one
            online(self.alpha.id, t[1], players_online=60),  # same time
            online(self.alpha.id, t[2], players_online=7),
            online(self.alpha.id, t[2], players_online=70),  # duplicate inside the batch
        ])
        self.assertEqual(result, counts(applied=1, ignored=3))
        (row,) = self.rows(self.alpha)
        self.assertEqual((row['polls'], row['players_sum'], row['players_peak']), (2, 12, 7))

    def test_missing_server_adds_no_row(self):
        self.assertEqual(self.apply([online(2**31 - 1, T0)]), counts(missing=[2**31 - 1]))
        self.assertEqual(self.Stat.search_count([]), 0)

    def test_bucket_size_setting(self):
        self.set_setting('bucket_minutes', 60)
        self.apply([online(self.alpha.id, t) for t in minutes_after(T0, 0, 20, 40, 59, 60)])
        self.assertEqual([(r['bucket_start'], r['bucket_minutes'], r['polls']) for r in self.rows(self.alpha)], [
            (dt(T0), 60, 4), (dt('2024-05-01 13:00:00'), 60, 1)])

    def test_invalid_bucket_setting_falls_back_to_the_default(self):
        self.set_setting('bucket_minutes', 7)  # does not divide a day
        with self.assertLogs('odoo.addons.game_server_status.models.res_config_settings', 'WARNING'):
            self.apply([online(self.alpha.id, '2024-05-01 12:20:00')])
        self.assertEqual(self.rows(self.alpha)[0]['bucket_start'], dt('2024-05-01 12:15:00'))
        self.assertEqual(self.rows(self.alpha)[0]['bucket_minutes'], 15)

    def test_related_game_is_stored_on_each_row(self):
        self.apply([online(self.alpha.id, T0), online(self.beta.id, T0)])
        self.assertEqual(self.Stat.search([('game', '=', 'csgo')]).server_id, self.beta)
        self.alpha.game = 'minecraft-bedrock'
        self.assertEqual(self.stats(self.alpha).game, 'minecraft-bedrock')

    def test_grouped_averages_are_ratios_of_sums(self):
        # Two buckets with different poll counts: the mean of their uptimes (85.7 %)
        # is not the uptime of the polls (80 %); the grouped figure must be the latter.
        self.apply([online(self.alpha.id, t, players_online=6, latency_ms=10)
                    for t in minutes_after(T0, 0, 1, 2)]
                   + [offline(self.alpha.id, t) for t in minutes_after(T0, 15, 16)]
                   + [online(self.alpha.id, t, players_online=2, latency_ms=40)
                      for t in minutes_after(T0, 17, 18, 19, 20, 21)])
        self.assertEqual([r['uptime_pct'] for r in self.rows(self.alpha)], [100.0, 5 * 100.0 / 7])
        ((uptime, players, latency, peak, polls),) = [
            row[1:] for row in self.Stat._read_group(
                [('server_id', '=', self.alpha.id)], ['server_id'],
                ['uptime_pct:avg', 'players_avg:avg', 'latency_avg:avg', 'players_peak:max', 'polls:sum'])]
        self.assertEqual(polls, 10)
        self.assertAlmostEqual(uptime, 80.0)
        self.assertAlmostEqual(players, (3 * 6 + 5 * 2) / 8)
        self.assertAlmostEqual(latency, (3 * 10 + 5 * 40) / 8)
        self.assertEqual(peak, 6)

    def test_grouped_average_of_no_poll_is_zero(self):
        self.apply([offline(self.alpha.id, T0)])
        ((players,),) = [row[1:] for row in self.Stat._read_group(
            [('server_id', '=', self.alpha.id)], ['server_id'], ['players_avg:avg'])]
        self.assertEqual(players, 0)
