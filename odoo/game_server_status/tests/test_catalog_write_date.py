from datetime import datetime

from odoo.tests.common import tagged

from .common import T0, GameServerCase, online

LONG_AGO = datetime(2020, 1, 1)


@tagged('post_install', '-at_install')
class TestCatalogWriteDate(GameServerCase):
    """The poller's catalog sync reads rows by catalog_write_date, so only people's changes count."""

    def setUp(self):
        super().setUp()
        # Backdate directly in SQL: write() itself would stamp the field again.
        self.env.cr.execute(
            "UPDATE game_server SET catalog_write_date = %s WHERE id IN %s", (LONG_AGO, (self.alpha.id, self.beta.id)))
        self.env.invalidate_all()

    def test_create_stamps_it(self):
        server = self.Server.create({'name': 'New', 'game': 'minecraft', 'host': 'n.example.test', 'port': 1})
        self.assertTrue(server.catalog_write_date)
        self.assertGreater(server.catalog_write_date, LONG_AGO)

    def test_status_reports_leave_it_alone(self):
        self.apply([online(self.alpha.id, T0)])
        self.assertTrue(self.alpha.is_online)
        self.assertEqual(self.alpha.catalog_write_date, LONG_AGO)

    def test_catalog_edits_and_archiving_stamp_it(self):
        self.alpha.write({'port': 25566})
        self.assertGreater(self.alpha.catalog_write_date, LONG_AGO)
        self.beta.action_archive()
        self.assertGreater(self.beta.with_context(active_test=False).catalog_write_date, LONG_AGO)

    def test_notes_do_not_stamp_it(self):
        self.alpha.write({'notes': 'call the owner first'})
        self.assertEqual(self.alpha.catalog_write_date, LONG_AGO)
