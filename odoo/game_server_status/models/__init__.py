from . import res_config_settings
from . import game_server_game
from . import game_server_stat
from . import game_server_game_stat
from . import game_server_outage
from . import game_server_deletion
from . import game_server
from . import series_views
