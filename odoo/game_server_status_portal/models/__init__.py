from . import game_server
