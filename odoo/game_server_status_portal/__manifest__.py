# One code base for Odoo 17.0, 18.0 and 19.0 (see game_server_status). Read with ast.literal_eval.
{
    'name': 'Game Server Status: Portal',
    'version': '1.0.0',
    'summary': "Customers see their own game servers, their month's SLA and its report in the portal",
    'description': "My Game Servers in the customer portal: each customer's servers with their live status, "
                   "players, last check, uptime this month against their SLA, open outages and the monthly "
                   "SLA report, and nothing of anyone else's (record rules).",
    'category': 'Services',
    'author': 'Game Server Status',
    'license': 'LGPL-3',
    'depends': ['game_server_status', 'portal'],
    'data': [
        'security/ir.model.access.csv',
        'security/game_server_portal_security.xml',
        'views/game_server_portal_templates.xml',
    ],
    'installable': True,
    'auto_install': True,
}
