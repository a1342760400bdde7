from odoo.exceptions import ValidationError
from odoo.tests.common import TransactionCase, tagged

from odoo.addons.game_server_status.models.res_config_settings import DEFAULTS


@tagged('post_install', '-at_install')
class TestSettings(TransactionCase):

    def read(self):
        return self.env['res.config.settings']._game_server_settings()._asdict()

    def test_defaults(self):
        self.assertEqual(self.read(), {'bucket_minutes': 15, 'outage_threshold': 3, 'incident_threshold': 3,
                                       'recovery_threshold': 1, 'stat_detail_days': 7, 'stat_retention_days': 365})
        self.assertFalse(self.env['res.config.settings']._uptime_excludes_maintenance())
        form = self.env['res.config.settings'].create({})
        self.assertEqual(form.game_server_bucket_minutes, 15)
        self.assertEqual(form.game_server_stat_retention_days, 365)

    def test_saved_in_settings_stored_as_system_parameters(self):
        self.env['res.config.settings'].create({
            'game_server_bucket_minutes': 5, 'game_server_outage_threshold': 2, 'game_server_incident_threshold': 10,
            'game_server_recovery_threshold': 2, 'game_server_stat_detail_days': 3,
            'game_server_stat_retention_days': 90, 'game_server_uptime_excludes_maintenance': True,
        }).execute()
        params = self.env['ir.config_parameter'].sudo()
        self.assertEqual(params.get_param('game_server_status.bucket_minutes'), '5')
        self.assertEqual(self.read(), {'bucket_minutes': 5, 'outage_threshold': 2, 'incident_threshold': 10,
                                       'recovery_threshold': 2, 'stat_detail_days': 3, 'stat_retention_days': 90})
        self.assertTrue(self.env['res.config.settings']._uptime_excludes_maintenance())

    def test_invalid_values_are_refused_in_settings(self):
        for field, value in (('game_server_bucket_minutes', 7), ('game_server_bucket_minutes', 0),
                             ('game_server_bucket_minutes', 2880), ('game_server_outage_threshold', 0),
                             ('game_server_incident_threshold', 1), ('game_server_recovery_threshold', 0),
                             ('game_server_stat_detail_days', 0), ('game_server_stat_retention_days', 6)):
            with self.subTest(field=field, value=value), self.assertRaises(ValidationError):
                self.env['res.config.settings'].create({field: value})

    def test_invalid_system_parameters_fall_back_to_defaults(self):
        params = self.env['ir.config_parameter'].sudo()
        params.set_param('game_server_status.bucket_minutes', 'fifteen')
        params.set_param('game_server_status.outage_threshold', '-2')
        params.set_param('game_server_status.stat_detail_days', '30')
        params.set_param('game_server_status.stat_retention_days', '10')  # shorter than the detail days
        with self.assertLogs('odoo.addons.game_server_status.models.res_config_settings', 'WARNING') as logged:
            values = self.read()
        self.assertEqual(len(logged.output), 3)
        self.assertEqual(values, {'bucket_minutes': DEFAULTS['bucket_minutes'],
                                       'outage_threshold': DEFAULTS['outage_threshold'],
                                       'incident_threshold': DEFAULTS['incident_threshold'],
                                       'recovery_threshold': DEFAULTS['recovery_threshold'],
                                       'stat_detail_days': 30,
                                       'stat_retention_days': DEFAULTS['stat_retention_days']})
