from odoo.exceptions import AccessError, ValidationError
from odoo.tests.common import new_test_user, tagged

from .common import T0, T1, T2, GameServerCase, offline, online


@tagged('post_install', '-at_install')
class TestGames(GameServerCase):
    """Servers show their game by name (game_id) and keep its id (game) for the service and filters."""

    def game(self, code):
        return self.env['game.server.game'].search([('code', '=', code)])

    def test_a_server_gets_the_game_of_its_id_named_by_the_id_until_the_service_names_it(self):
        server = self.Server.create({'name': 'New', 'game': 'gss_test_newgame', 'host': 'h.test', 'port': 1})
        self.assertEqual((server.game_id.code, server.game_id.name), ('gss_test_newgame', 'gss_test_newgame'))
        self.env['game.server.game'].sync_games([{'code': 'gss_test_newgame', 'name': 'New Game 2'}])
        self.assertEqual(server.game_id.name, 'New Game 2')
        self.assertEqual(server.display_name, 'New')

    def test_sync_games_creates_renames_and_keeps_unlisted_games(self):
        Game = self.env['game.server.game']
        result = Game.sync_games([{'code': 'gss_test_a', 'name': 'Game A'}, {'code': 'gss_test_b', 'name': 'Game B'}])
        self.assertEqual(result, {'created': 2, 'renamed': 0})
        result = Game.sync_games([{'code': 'gss_test_a', 'name': 'Game A (2024)'}])
        self.assertEqual(result, {'created': 0, 'renamed': 1})
        self.assertEqual(self.game('gss_test_a').name, 'Game A (2024)')
        self.assertEqual(self.game('gss_test_b').name, 'Game B')
        self.assertEqual(Game.sync_games([{'code': 'gss_test_a', 'name': 'Game A (2024)'}]),
                         {'created': 0, 'renamed': 0})

    def test_sync_games_rejects_a_malformed_batch_and_writes_nothing(self):
        with self.assertRaises(ValidationError):
            self.env['game.server.game'].sync_games([{'code': 'gss_test_ok', 'name': 'Ok'}, {'code': '', 'name': 'X'}])
        self.assertFalse(self.game('gss_test_ok'))

    def test_only_the_service_or_a_manager_may_sync_games(self):
        reader = new_test_user(self.env, login='gss_games_reader',
                               groups='base.group_user,game_server_status.group_game_server_user')
        service = new_test_user(self.env, login='gss_games_service',
                                groups='base.group_user,game_server_status.group_game_server_service')
        games = [{'code': 'gss_test_svc', 'name': 'Service Game'}]
        with self.assertRaises(AccessError):
            self.env['game.server.game'].with_user(reader).sync_games(games)
        self.assertEqual(self.env['game.server.game'].with_user(service).sync_games(games),
                         {'created': 1, 'renamed': 0})
        # The service registers servers of a game it has not named yet.
        server = self.Server.with_user(service).create(
            {'name': 'Svc', 'game': 'gss_test_svc2', 'host': 'h.test', 'port': 1})
        self.assertEqual(server.sudo().game_id.code, 'gss_test_svc2')

    def test_choosing_a_game_by_name_sets_the_id_and_changing_the_id_the_game(self):
        Game = self.env['game.server.game']
        Game.sync_games([{'code': 'gss_test_x', 'name': 'Game X'}, {'code': 'gss_test_y', 'name': 'Game Y'}])
        server = self.Server.create({'name': 'N', 'game_id': self.game('gss_test_x').id, 'host': 'h.test', 'port': 1})
        self.assertEqual(server.game, 'gss_test_x')
        server.write({'game': 'gss_test_y'})
        self.assertEqual(server.game_id, self.game('gss_test_y'))
        server.write({'game_id': self.game('gss_test_x').id})
        self.assertEqual(server.game, 'gss_test_x')

    def test_statistics_and_outages_carry_the_game_for_grouping_by_name(self):
        self.apply([offline(self.alpha.id, t) for t in (T0, T1, T2)] + [online(self.beta.id, T0)])
        self.assertEqual(self.stats(self.beta).game_id, self.beta.game_id)
        self.assertEqual(self.Outage.search([('server_id', '=', self.alpha.id)]).game_id, self.alpha.game_id)
        groups = self.Stat._read_group([('server_id', 'in', [self.alpha.id, self.beta.id])], ['game_id'], ['polls:sum'])
        self.assertEqual(sorted((game.code, polls) for game, polls in groups), [('csgo', 1), ('minecraft', 3)])

    def test_link_games_gives_rows_written_without_a_game_their_game(self):
        self.apply([online(self.alpha.id, T0)])
        self.env.flush_all()
        self.env.cr.execute("UPDATE game_server SET game_id = NULL WHERE id = %s", [self.alpha.id])
        self.env.cr.execute("UPDATE game_server_stat SET game_id = NULL WHERE server_id = %s", [self.alpha.id])
        self.env.invalidate_all()
        self.Server._link_games()
        self.assertEqual(self.alpha.game_id.code, 'minecraft')
        self.assertEqual(self.stats(self.alpha).game_id, self.alpha.game_id)
