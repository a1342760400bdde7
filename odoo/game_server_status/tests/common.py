"""Report builders and a base test case shared by the addon's tests."""
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests.common import TransactionCase

T0 = '2024-05-01 12:00:00'
T1 = '2024-05-01 12:01:00'
T2 = '2024-05-01 12:02:00'
T3 = '2024-05-01 12:03:00'


def dt(value):
    return datetime.strptime(value, '%Y-%m-%d %H:%M:%S')


def at(moment):
    """A datetime as a report's checked_at string."""
    return fields.Datetime.to_string(moment)


def online(server_id, checked_at, **overrides):
    report = {
        'server_id': server_id,
        'checked_at': checked_at,
        'online': True,
        'latency_ms': 23,
        'players_online': 12,
        'players_max': 32,
        'bots': 2,
        'player_names': ['alice', 'bob'],
        'name': 'EU Survival #1',
        'map': 'de_dust2',
        'version': '1.20.4',
        'game_mode': 'survival',
        'password_protected': False,
        'error_code': None,
        'error_message': None,
    }
    report.update(overrides)
    return report


def offline(server_id, checked_at, code='timeout', message='no answer within 3000 ms'):
    return {
        'server_id': server_id,
        'checked_at': checked_at,
        'online': False,
        'latency_ms': None,
        'players_online': None,
        'players_max': None,
        'bots': None,
        'player_names': [],
        'name': None,
        'map': None,
        'version': None,
        'game_mode': None,
        'password_protected': None,
        'error_code': code,
        'error_message': message,
    }


def minutes_after(start, *minutes):
    """checked_at strings at the given minutes after ``start`` (a 'YYYY-MM-DD HH:MM:SS' string)."""
    base = dt(start)
    return [at(base + timedelta(minutes=m)) for m in minutes]


def counts(applied=0, ignored=0, missing=(), opened=0, closed=0):
    """The full result of apply_status_reports."""
    return {'applied': applied, 'ignored': ignored, 'missing': list(missing),
            'outages_opened': opened, 'outages_closed': closed}


class GameServerCase(TransactionCase):
    """Two servers, Alpha and Beta, and helpers to apply reports and change settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Server = cls.env['game.server']
        cls.Stat = cls.env['game.server.stat']
        cls.Outage = cls.env['game.server.outage']
        # Days in UTC unless a test says otherwise: the company's timezone differs between databases.
        cls.env['ir.config_parameter'].sudo().set_param('game_server_status.timezone', 'UTC')
        cls.alpha, cls.beta = cls.Server.create([
            {'name': 'Alpha', 'game': 'minecraft', 'host': 'alpha.example.test', 'port': 25565},
            {'name': 'Beta', 'game': 'csgo', 'host': 'beta.example.test', 'port': 27015, 'query_port': 27016},
        ])

    def apply(self, reports):
        result = self.Server.apply_status_reports(reports)
        self.assertIsInstance(result, dict, "apply_status_reports must answer a dict, never None")
        return result

    def set_setting(self, name, value):
        self.env['ir.config_parameter'].sudo().set_param('game_server_status.' + name, str(value))

    def stats(self, server):
        return self.Stat.search([('server_id', '=', server.id)], order='bucket_start')
