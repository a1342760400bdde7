from . import game_server
from . import series_views
