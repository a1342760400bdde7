# One code base for Odoo 17.0, 18.0 and 19.0: the version carries no series
# prefix, Odoo prefixes it with the running series ('17.0.1.1.0', ...).
# This file is read with ast.literal_eval: literals only, no code.
{
    'name': 'Game Server Status',
    'version': '1.9.0',
    'summary': 'Game servers with their live status, uptime statistics and outages, written by the game-status service',
    # Plain text: without this key Odoo takes README.md as the description and parses it as
    # reStructuredText, logging an error per Markdown table.
    'description': 'The game servers of the fleet with their live status, statistics by server and by '
                   'game, and outages, kept up to date by the Game Server Status service.',
    'category': 'Services',
    'author': 'Game Server Status',
    'license': 'LGPL-3',
    'depends': ['base', 'mail'],
    'data': [
        'security/game_server_security.xml',
        'security/ir.model.access.csv',
        'data/mail_message_subtype_data.xml',
        'data/ir_cron_data.xml',
        'data/game_server_game_data.xml',
        'views/game_server_notify_views.xml',
        'views/game_server_maintenance_views.xml',
        'views/game_server_tag_views.xml',
        'views/game_server_outage_views.xml',
        'views/game_server_incident_views.xml',
        'views/game_server_stat_views.xml',
        'views/game_server_game_stat_views.xml',
        'views/game_server_sla_views.xml',
        'views/game_server_dashboard_views.xml',
        'views/game_server_views.xml',
        'views/res_config_settings_views.xml',
        'views/menus.xml',
    ],
    'assets': {
        'web.assets_backend': [
            'game_server_status/static/src/**/*',
        ],
    },
    'application': True,
    'installable': True,
    'auto_install': False,
}
