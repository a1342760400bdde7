from odoo.exceptions import ValidationError
from odoo.tests.common import TransactionCase, tagged

from .common import T0, T1, T2, T3, GameServerCase, counts, dt, offline, online

LIVE_FIELDS = [
    'is_online', 'players_online', 'players_max', 'bots', 'latency_ms', 'map_name', 'version',
    'game_mode', 'motd', 'password_protected', 'player_names', 'last_checked', 'last_online',
    'last_error_code', 'last_error', 'consecutive_failures', 'failing_since',
]


@tagged('post_install', '-at_install')
class TestApplyStatusReports(GameServerCase):

    def live(self, server):
        return server.read(LIVE_FIELDS)[0]

    # -- applying --------------------------------------------------------

    def test_online_report_sets_live_fields(self):
        result = self.apply([online(self.alpha.id, T0)])
        self.assertEqual(result, counts(applied=1))
        a = self.alpha
        self.assertTrue(a.is_online)
        self.assertEqual((a.players_online, a.players_max, a.bots, a.latency_ms), (12, 32, 2, 23))
        self.assertEqual((a.map_name, a.version, a.game_mode, a.motd), ('de_dust2', '1.20.4', 'survival', 'EU Survival #1'))
        self.assertFalse(a.password_protected)
        self.assertEqual(a.player_names, 'alice\nbob')
        self.assertEqual(a.last_checked, dt(T0))
        self.assertEqual(a.last_online, dt(T0))
        self.assertFalse(a.last_error_code)
        self.assertFalse(a.last_error)
        self.assertEqual(a.consecutive_failures, 0)
        self.assertFalse(self.beta.last_checked, "other servers are untouched")

    def test_empty_batch(self):
        self.assertEqual(self.apply([]), counts())

    def test_batch_applies_each_server_in_checked_at_order(self):
        # Out of order in the batch: the newest report wins, the failures are counted in order.
        result = self.apply([
            online(self.alpha.id, T2, players_online=7),
            offline(self.beta.id, T1),
            online(self.alpha.id, T0, players_online=1),
            offline(self.beta.id, T0),
            offline(self.alpha.id, T1),
        ])
        self.assertEqual(result, counts(applied=5))
        self.assertTrue(self.alpha.is_online)
        self.assertEqual(self.alpha.players_online, 7)
        self.assertEqual(self.alpha.last_checked, dt(T2))
        self.assertEqual(self.alpha.consecutive_failures, 0)
        self.assertFalse(self.beta.is_online)
        self.assertEqual(self.beta.consecutive_failures, 2)
        self.assertEqual(self.beta.last_checked, dt(T1))

    # -- idempotence and ordering -----------------------------------------

    def test_older_and_equal_reports_are_ignored(self):
        self.apply([online(self.alpha.id, T1, players_online=5)])
        result = self.apply([
            online(self.alpha.id, T0, players_online=99),   # older
            offline(self.alpha.id, T1),                     # same time
        ])
        self.assertEqual(result, counts(ignored=2))
        self.assertTrue(self.alpha.is_online)
        self.assertEqual(self.alpha.players_online, 5)
        self.assertEqual(self.alpha.last_checked, dt(T1))

    def test_reports_in_the_same_second_are_ordered_by_milliseconds(self):
        first = online(self.alpha.id, T0, checked_at_ms=1714564800100, players_online=3)
        second = online(self.alpha.id, T0, checked_at_ms=1714564800900, players_online=4)
        self.assertEqual(self.apply([second, first]), counts(applied=2))
        self.assertEqual(self.alpha.players_online, 4)
        # The same two again: both already applied.
        self.assertEqual(self.apply([first, second]), counts(ignored=2))

    def test_bad_milliseconds_are_a_validation_error(self):
        with self.assertRaises(ValidationError):
            self.apply([online(self.alpha.id, T0, checked_at_ms='soon')])

    def test_duplicate_in_one_batch_applies_once(self):
        result = self.apply([offline(self.alpha.id, T0), offline(self.alpha.id, T0)])
        self.assertEqual(result, counts(applied=1, ignored=1))
        self.assertEqual(self.alpha.consecutive_failures, 1)

    def test_replaying_a_batch_changes_nothing(self):
        batch = [
            online(self.alpha.id, T0),
            offline(self.alpha.id, T1),
            online(self.beta.id, T0, players_online=3),
        ]
        self.assertEqual(self.apply(batch), counts(applied=3))
        before = (self.live(self.alpha), self.live(self.beta))
        self.assertEqual(self.apply(batch), counts(ignored=3))
        self.assertEqual((self.live(self.alpha), self.live(self.beta)), before)

    # -- missing and archived servers -------------------------------------

    def test_missing_server_is_reported_not_fatal(self):
        ghost = 2**31 - 1  # a valid id that no record has
        result = self.apply([online(ghost, T0), offline(ghost, T1), online(self.alpha.id, T0)])
        self.assertEqual(result, counts(applied=1, missing=[ghost]))
        self.assertTrue(self.alpha.is_online)

    def test_deleted_server_is_missing(self):
        gone_id = self.beta.id
        self.beta.unlink()
        self.assertEqual(self.apply([online(gone_id, T0)]), counts(missing=[gone_id]))

    def test_archived_server_still_takes_reports(self):
        self.alpha.action_archive()
        result = self.apply([online(self.alpha.id, T0)])
        self.assertEqual(result, counts(applied=1))
        self.assertFalse(self.alpha.active)
        self.assertTrue(self.alpha.is_online)
        self.assertEqual(self.alpha.last_checked, dt(T0))

    # -- failures -----------------------------------------------------------

    def test_consecutive_failures(self):
        self.apply([online(self.alpha.id, T0)])
        self.apply([offline(self.alpha.id, T1, code='timeout', message='no answer')])
        self.assertFalse(self.alpha.is_online)
        self.assertEqual(self.alpha.consecutive_failures, 1)
        self.assertEqual(self.alpha.last_error_code, 'timeout')
        self.assertEqual(self.alpha.last_error, 'no answer')
        self.assertEqual(self.alpha.last_online, dt(T0), "last_online keeps the last time it was up")
        self.assertEqual(self.alpha.players_online, 0)

        self.apply([offline(self.alpha.id, T2, code='refused', message='connection refused')])
        self.assertEqual(self.alpha.consecutive_failures, 2)
        self.assertEqual(self.alpha.last_error_code, 'refused')

        self.apply([online(self.alpha.id, T3)])
        self.assertTrue(self.alpha.is_online)
        self.assertEqual(self.alpha.consecutive_failures, 0)
        self.assertFalse(self.alpha.last_error_code)
        self.assertFalse(self.alpha.last_error)
        self.assertEqual(self.alpha.last_online, dt(T3))

    def test_last_online_from_earlier_report_of_the_batch(self):
        self.apply([online(self.alpha.id, T0), offline(self.alpha.id, T1)])
        self.assertFalse(self.alpha.is_online)
        self.assertEqual(self.alpha.last_online, dt(T0))
        self.assertEqual(self.alpha.consecutive_failures, 1)

    # -- values -------------------------------------------------------------

    def test_player_names_are_capped_and_one_per_line(self):
        names = ['p%d' % i for i in range(80)] + ['two\nlines']
        self.apply([online(self.alpha.id, T0, player_names=['two\nlines', '', *names])])
        lines = self.alpha.player_names.split('\n')
        self.assertEqual(len(lines), 50)
        self.assertEqual(lines[0], 'two lines')

    def test_optional_keys_may_be_absent(self):
        result = self.apply([{'server_id': self.alpha.id, 'checked_at': T0, 'online': True, 'latency_ms': 12.6}])
        self.assertEqual(result['applied'], 1)
        self.assertEqual(self.alpha.latency_ms, 13)
        self.assertFalse(self.alpha.player_names)
        self.assertFalse(self.alpha.motd)

    # -- malformed input ------------------------------------------------------

    def assertMalformed(self, reports, *fragments):
        with self.assertRaises(ValidationError) as caught:
            self.Server.apply_status_reports(reports)
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_malformed_input_names_index_and_field(self):
        good = online(self.alpha.id, T0)
        self.assertMalformed({'server_id': 1}, 'must be a list')
        self.assertMalformed([good, 'nope'], 'report[1]')
        self.assertMalformed([good, dict(good, server_id='7')], 'report[1].server_id')
        self.assertMalformed([dict(good, server_id=True)], 'report[0].server_id')
        self.assertMalformed([dict(good, checked_at='2024-05-01T12:00:00Z')], 'report[0].checked_at')
        self.assertMalformed([dict(good, checked_at='2024-13-01 12:00:00')], 'report[0].checked_at')
        self.assertMalformed([dict(good, checked_at='2999-01-01 00:00:00')], 'report[0].checked_at')
        self.assertMalformed([dict(good, online='yes')], 'report[0].online')
        self.assertMalformed([{k: v for k, v in good.items() if k != 'online'}], 'report[0].online')
        self.assertMalformed([dict(good, players_online=-1)], 'report[0].players_online')
        self.assertMalformed([dict(good, players_max=2.5)], 'report[0].players_max')
        self.assertMalformed([dict(good, bots=2**31)], 'report[0].bots')
        self.assertMalformed([dict(good, latency_ms='fast')], 'report[0].latency_ms')
        self.assertMalformed([dict(good, player_names='alice')], 'report[0].player_names')
        self.assertMalformed([dict(good, player_names=['alice', 3])], 'report[0].player_names')
        self.assertMalformed([dict(good, map=['de_dust2'])], 'report[0].map')
        self.assertMalformed([dict(good, password_protected='no')], 'report[0].password_protected')
        # Every problem is listed, and nothing is applied.
        self.assertMalformed([good, dict(good, online=1), dict(good, bots='x')], 'report[1].online', 'report[2].bots')
        self.assertFalse(self.alpha.last_checked)


@tagged('post_install', '-at_install')
class TestGameServerModel(TransactionCase):

    def test_constraints(self):
        Server = self.env['game.server']
        base = {'name': 'S', 'game': 'minecraft', 'host': 'h.example.test', 'port': 25565}
        for bad in ({'port': 0}, {'port': 65536}, {'query_port': 70000}, {'query_port': -1}, {'poll_interval': 4}, {'poll_interval': -1}):
            with self.assertRaises(ValidationError, msg=str(bad)):
                Server.create(dict(base, **bad))
        server = Server.create(dict(base, query_port=0, poll_interval=5))
        self.assertEqual(server.poll_interval, 5)
        # Empty means the poller's own default interval.
        self.assertEqual(Server.create(base).poll_interval, 0)

    def test_copy_does_not_copy_live_status(self):
        server = self.env['game.server'].create({'name': 'S', 'game': 'minecraft', 'host': 'h.example.test', 'port': 1})
        server.apply_status_reports([online(server.id, T0)])
        duplicate = server.copy()
        self.assertFalse(duplicate.is_online)
        self.assertFalse(duplicate.last_checked)
