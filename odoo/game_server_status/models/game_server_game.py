"""game.server.game: the games servers run, by id (GameDig's, e.g. 'counterstrike2') and name.

Data rather than a selection shipped with the addon: the game-status service
sends its games table with ``sync_games``, so a game GameDig adds shows its name
as soon as the service knows it, without an addon upgrade. A server naming an
id the service has not sent yet gets a game named by that id
(``_for_codes``), renamed by the next sync, so every server has its game.
"""
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

#: Longest game id and name taken from the service (GameDig's longest name is under 80).
MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 256


class GameServerGame(models.Model):
    _name = 'game.server.game'
    _description = 'Game'
    _order = 'name, id'
    _rec_names_search = ['name', 'code']

    code = fields.Char(string='Game Id', required=True, index=True,
                       help="Id of the game for the game-status service, e.g. 'minecraft' (GameDig's ids).")
    name = fields.Char(required=True)

    def init(self):
        # An index rather than _sql_constraints (ignored on 19) or models.Constraint (missing on 17/18).
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS game_server_game_code_uniq ON game_server_game (code)
        """)

    @api.model
    def _for_codes(self, codes):
        """The games of these ids, creating those not known yet (named by their id): ``{code: game}``."""
        wanted = {code for code in codes if code}
        if not wanted:
            return {}
        games = self.sudo().search([('code', 'in', sorted(wanted))])
        by_code = {game.code: game for game in games}
        missing = sorted(wanted - by_code.keys())
        if missing:
            by_code.update((game.code, game) for game in games.create([{'code': c, 'name': c} for c in missing]))
        return by_code

    @api.model
    def sync_games(self, games):
        """Create or rename games from the game-status service's games table (one call, one transaction).

        :param games: list of ``{'code': str, 'name': str}``; games not listed are kept
            (servers may still name them).
        :return: ``{'created': int, 'renamed': int}``
        :raise ValidationError: if an entry is malformed (nothing is written).
        :raise AccessError: unless the caller is the Status Service or a Game Servers manager.
        """
        self.env['game.server']._check_status_writer()
        names = self._parse_games(games)
        Game = self.sudo()
        existing = {game.code: game for game in Game.search([('code', 'in', sorted(names))])}
        renamed = 0
        for code, game in sorted(existing.items()):
            if game.name != names[code]:
                game.name = names[code]
                renamed += 1
        new = [{'code': code, 'name': name} for code, name in sorted(names.items()) if code not in existing]
        Game.create(new)
        return {'created': len(new), 'renamed': renamed}

    @api.model
    def _parse_games(self, games):
        """``{code: name}`` of a sync_games batch, or ValidationError listing its problems."""
        if not isinstance(games, (list, tuple)):
            raise ValidationError(_("games must be a list of {code, name} objects, got %(type)s.",
                                    type=type(games).__name__))
        names = {}
        problems = []
        for index, game in enumerate(games):
            code = game.get('code') if isinstance(game, dict) else None
            name = game.get('name') if isinstance(game, dict) else None
            if not (isinstance(code, str) and 0 < len(code) <= MAX_CODE_LENGTH
                    and isinstance(name, str) and 0 < len(name.strip()) <= MAX_NAME_LENGTH):
                problems.append(_("games[%(index)s]: expected {code: a non-empty id of at most %(code_max)s "
                                  "characters, name: a non-empty name of at most %(name_max)s}, got %(value)r.",
                                  index=index, code_max=MAX_CODE_LENGTH, name_max=MAX_NAME_LENGTH, value=game))
                continue
            names[code] = name.strip()
        if problems:
            raise ValidationError(_("Malformed games (nothing was written):\n%(problems)s",
                                    problems='\n'.join(problems[:20])))
        return names
