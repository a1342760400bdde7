# One code base for Odoo 17.0, 18.0 and 19.0 (see game_server_status). Read with ast.literal_eval.
{
    'name': 'Game Server Status: Project',
    'version': '1.0.0',
    'summary': 'A task in a project for each outage and host incident of the game servers',
    'description': 'With a project chosen in the Game Servers settings, each outage told on its own and '
                   'each host incident opens a task there for the people answering for its servers, '
                   'closed when they are back, instead of an activity.',
    'category': 'Services',
    'author': 'Game Server Status',
    'license': 'LGPL-3',
    'depends': ['game_server_status', 'project'],
    'data': [
        'views/game_server_project_views.xml',
    ],
    'installable': True,
    'auto_install': True,
}
