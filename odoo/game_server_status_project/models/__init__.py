from . import res_config_settings
from . import game_server_followup
