#!/usr/bin/env python3
"""Snapshot, restore and anonymization of odoo/tools/gss_snapshot.py against the machine's real
PostgreSQL (stdlib unittest; PGHOST/PGUSER as libpq reads them, default 127.0.0.1 and postgres):

    python3 test/odoo-addon/test_gss_snapshot.py

The test builds a database holding the tables and columns of Odoo 19 that the tool and the addon's
neutralize.sql touch, filled like a production database, and a filestore. Odoo itself stands
behind --odoo-bin as a script doing what `odoo-bin --version` and `odoo-bin neutralize` do (the
latter runs the installed modules' data/neutralize.sql, here the addon's). The whole path on real
Odoo 17, 18 and 19 is proved in the session that changes it (docs/operations.md).
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..')
TOOL_DIR = os.path.join(ROOT, 'odoo', 'tools')
NEUTRALIZE_SQL = os.path.join(ROOT, 'odoo', 'game_server_status', 'data', 'neutralize.sql')
sys.path.insert(0, TOOL_DIR)

import gss_snapshot as sut  # noqa: E402

os.environ.setdefault('PGHOST', '127.0.0.1')
os.environ.setdefault('PGUSER', 'postgres')

# What must not survive a restore: each value is looked for in a plain dump of the copy.
SECRETS = {
    'customer name': 'Pixel Guild SARL',
    'contact name': 'Jeanne Martin',
    'user name': 'Paul Durand',
    'e-mail': 'jeanne.martin@pixelguild.fr',
    'company e-mail': 'contact@host-company.fr',
    'phone': '+33 6 12 34 56 78',
    'mobile': '+33 7 98 76 54 32',
    'street': '12 rue des Lilas',
    'login': 'paul.durand@host-company.fr',
    'password hash': '$pbkdf2-sha512$600000$productionsalt$productionhash',
    'api key': 'a1b2c3d4e5f6-production-key-hash',
    'webhook url': 'https://discord.com/api/webhooks/123/production-token',
    'webhook secret': 'whsec-production-signing-secret',
    'player name': 'xXDragonSlayerXx',
    'server notes': 'Root password is in the blue binder',
    'host': 'mc1.pixelguild.fr',
    'host in an error': '203.0.113.70',
    'smtp password': 'smtp-production-password',
    'mail body': 'Bonjour Jeanne, votre facture',
    'database secret': 'production-database-secret',
    'access token': 'portal-access-token-0001',
    'guest token': 'guest-access-token-0002',
    'oauth param': 'google-client-secret-value',
    'user named in an activity done': 'Oskar Feldmaus',
    'host of a maintenance window': 'eu-node7.pixelguild.fr',
    'host in an activity': '203.0.113.77',
    'activity feedback': 'Called the customer back',
}

SCHEMA = """
CREATE TABLE ir_module_module (id serial PRIMARY KEY, name varchar, state varchar, latest_version varchar);
CREATE TABLE ir_model_data (id serial PRIMARY KEY, module varchar, model varchar, name varchar, res_id int);
CREATE TABLE ir_config_parameter (id serial PRIMARY KEY, key varchar UNIQUE, value text);
CREATE TABLE ir_cron (id serial PRIMARY KEY, name varchar, active boolean);
CREATE TABLE ir_mail_server (id serial PRIMARY KEY, name varchar, smtp_user varchar, smtp_pass varchar, active boolean);
CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar, complete_name varchar, is_company boolean DEFAULT false,
  parent_id int, commercial_partner_id int, commercial_company_name varchar, email varchar, email_normalized varchar,
  phone varchar, street varchar, street2 varchar, zip varchar, city varchar, vat varchar, comment text, lang varchar);
CREATE TABLE res_company (id serial PRIMARY KEY, name varchar, partner_id int, email varchar, phone varchar);
CREATE TABLE res_users (id serial PRIMARY KEY, login varchar UNIQUE, password varchar, partner_id int,
  active boolean DEFAULT true, totp_secret varchar, signature text);
CREATE TABLE res_groups_users_rel (gid int, uid int);
CREATE TABLE res_users_apikeys (id serial PRIMARY KEY, name varchar, user_id int, key varchar, scope varchar);
CREATE TABLE mail_message (id serial PRIMARY KEY, model varchar, res_id int, message_type varchar, body text,
  email_from varchar, subject varchar, record_name varchar, mail_activity_type_id int);
CREATE TABLE mail_tracking_value (id serial PRIMARY KEY, old_value_char varchar, new_value_char varchar);
CREATE TABLE mail_mail (id serial PRIMARY KEY, email_to text, body_html text);
CREATE TABLE ir_attachment (id serial PRIMARY KEY, name varchar, res_model varchar, res_id int, res_field varchar,
  store_fname varchar, mimetype varchar);
CREATE TABLE sale_order (id serial PRIMARY KEY, name varchar, access_token varchar);
CREATE TABLE mail_guest (id serial PRIMARY KEY, name varchar, access_token varchar NOT NULL);
CREATE TABLE game_server (id serial PRIMARY KEY, name varchar, game varchar, host varchar, port int,
  player_names text, notes text, partner_id int, last_error varchar);
CREATE TABLE game_server_incident (id serial PRIMARY KEY, host varchar);
CREATE TABLE game_server_maintenance (id serial PRIMARY KEY, name varchar, host varchar);
CREATE TABLE game_server_event (id serial PRIMARY KEY, summary varchar, payload jsonb);
CREATE TABLE mail_activity (id serial PRIMARY KEY, res_model varchar, res_id int, res_name varchar,
  summary varchar, note text, feedback text);
CREATE TABLE project_task (id serial PRIMARY KEY, name varchar, project_id int, description text, partner_phone varchar);
CREATE TABLE game_server_notify_channel (id serial PRIMARY KEY, name varchar, url varchar, secret varchar,
  active boolean);
CREATE TABLE game_server_notify_delivery (id serial PRIMARY KEY, state varchar, last_error varchar);
"""

DATA = """
INSERT INTO ir_module_module (name, state, latest_version) VALUES
  ('base', 'installed', '19.0.1.3'), ('game_server_status', 'installed', '19.0.1.9.0');
INSERT INTO res_partner (id, name, is_company, email, phone) VALUES
  (1, 'Host Company', true, 'contact@host-company.fr', '+33 1 00 00 00 00'),
  (2, 'OdooBot', false, 'odoobot@example.com', NULL),
  (3, 'Paul Durand', false, 'paul.durand@host-company.fr', '+33 7 98 76 54 32'),
  (4, 'Pixel Guild SARL', true, 'billing@pixelguild.fr', '+33 6 12 34 56 78'),
  (6, 'Status Service', false, NULL, NULL);
INSERT INTO res_partner (id, name, parent_id, email, phone, street, city, zip) VALUES
  (5, 'Jeanne Martin', 4, 'jeanne.martin@pixelguild.fr', '+33 6 12 34 56 78', '12 rue des Lilas', 'Lyon', '69001');
UPDATE res_partner SET commercial_partner_id = coalesce(parent_id, id), complete_name = name;
UPDATE res_partner SET complete_name = 'Pixel Guild SARL, Jeanne Martin' WHERE id = 5;
SELECT setval('res_partner_id_seq', 10);
INSERT INTO res_company (id, name, partner_id, email) VALUES (1, 'Host Company', 1, 'contact@host-company.fr');
INSERT INTO res_users (id, login, password, partner_id, totp_secret) VALUES
  (1, '__system__', NULL, 2, NULL),
  (2, 'paul.durand@host-company.fr', '$pbkdf2-sha512$600000$productionsalt$productionhash', 3, 'TOTPSECRET'),
  (3, 'gss-service', NULL, 6, NULL),
  (4, 'jeanne.martin@pixelguild.fr', '$pbkdf2-sha512$600000$productionsalt$productionhash', 5, NULL);
INSERT INTO ir_model_data (module, model, name, res_id) VALUES
  ('base', 'res.users', 'user_root', 1), ('base', 'res.users', 'user_admin', 2),
  ('base', 'res.partner', 'partner_root', 2), ('base', 'res.partner', 'partner_admin', 3),
  ('game_server_status', 'res.groups', 'group_game_server_service', 50),
  ('game_server_status', 'ir.cron', 'cron_rollup', 7),
  ('__export__', 'res.users', 'res_users_4_abc', 4);
INSERT INTO res_groups_users_rel (gid, uid) VALUES (50, 3);
INSERT INTO res_users_apikeys (name, user_id, key, scope) VALUES
  ('game-server-status', 3, 'a1b2c3d4e5f6-production-key-hash', 'rpc'),
  ('scripts', 2, 'a1b2c3d4e5f6-production-key-hash-2', 'rpc');
INSERT INTO ir_cron (id, name, active) VALUES (7, 'Roll-up', true), (8, 'Other module', true);
INSERT INTO ir_config_parameter (key, value) VALUES ('database.secret', 'production-database-secret'),
  ('database.uuid', '11111111-1111-1111-1111-111111111111'), ('web.base.url', 'https://erp.host-company.fr'),
  ('google_client_secret', 'google-client-secret-value');
INSERT INTO ir_mail_server (name, smtp_user, smtp_pass, active) VALUES
  ('Production SMTP', 'erp@host-company.fr', 'smtp-production-password', true);
INSERT INTO mail_message (model, res_id, message_type, body, email_from, subject, record_name) VALUES
  ('res.partner', 5, 'email', '<p>Bonjour Jeanne, votre facture</p>', 'jeanne.martin@pixelguild.fr', 'Facture', 'Jeanne Martin'),
  ('res.partner', 5, 'notification', '<p>Portal Access Granted (jeanne.martin@pixelguild.fr)</p>', NULL, NULL, NULL),
  ('game.server', 1, 'notification', '<p>Survival is down</p>', NULL, NULL, 'Survival'),
  ('game.server.incident', 1, 'notification', '<p>2 servers on mc1.pixelguild.fr down</p>', NULL, NULL, NULL);
-- Odoo's "activity done" message, on a game server: the assignee's name and people's words.
INSERT INTO mail_message (model, res_id, message_type, body, mail_activity_type_id) VALUES
  ('game.server', 1, 'notification',
   '<div><p>Server Down done (originally assigned to <span>Oskar Feldmaus</span>)</p></div>', 4);
INSERT INTO mail_tracking_value (old_value_char, new_value_char) VALUES ('old@pixelguild.fr', 'jeanne.martin@pixelguild.fr');
INSERT INTO mail_mail (email_to, body_html) VALUES ('jeanne.martin@pixelguild.fr', 'Bonjour Jeanne, votre facture');
INSERT INTO sale_order (name, access_token) VALUES ('S00001', 'portal-access-token-0001');
INSERT INTO mail_guest (name, access_token) VALUES ('Visitor', 'guest-access-token-0002');
INSERT INTO game_server (name, game, host, port, player_names, notes, partner_id) VALUES
  ('Survival', 'minecraft', 'mc1.pixelguild.fr', 25565, E'xXDragonSlayerXx\\nSteve', 'Root password is in the blue binder', 4),
  ('CS2', 'counterstrike2', '203.0.113.7', 27015, NULL, NULL, 4);
INSERT INTO game_server (name, game, host, port, last_error) VALUES
  ('CS2 #2', 'counterstrike2', '203.0.113.70', 27015, 'connect ECONNREFUSED 203.0.113.70:27015');
INSERT INTO game_server_incident (host) VALUES ('mc1.pixelguild.fr'), ('203.0.113.77');
INSERT INTO game_server_maintenance (name, host) VALUES
  ('Kernel updates', 'eu-node7.pixelguild.fr'), ('Reboot of 203.0.113.77', '203.0.113.77');
INSERT INTO game_server_event (summary, payload) VALUES
  ('Survival is down', '{"server": {"name": "Survival", "host": "mc1.pixelguild.fr"}}'),
  ('2 servers on mc1.pixelguild.fr down',
   '{"incident": {"host": "mc1.pixelguild.fr", "servers": [{"host": "mc1.pixelguild.fr"}]}}');
INSERT INTO mail_activity (res_model, res_id, res_name, summary, note, feedback) VALUES
  ('res.partner', 5, 'Jeanne Martin', 'Call Jeanne Martin', '<p>+33 6 12 34 56 78</p>', NULL),
  ('game.server.incident', 2, '3 servers on 203.0.113.77', 'Server Down', NULL, 'Called the customer back');
INSERT INTO project_task (name, project_id, description, partner_phone) VALUES
  ('Welcome Paul Durand!', NULL, '<p>Hey Paul Durand</p>', NULL),
  ('Survival lags', 1, '<p>TPS under 15</p>', '+33 6 12 34 56 78');
INSERT INTO game_server_notify_channel (name, url, secret, active) VALUES
  ('Ops Discord', 'https://discord.com/api/webhooks/123/production-token', 'whsec-production-signing-secret', true);
INSERT INTO game_server_notify_delivery (state, last_error) VALUES ('pending', NULL), ('sent', NULL);
INSERT INTO ir_attachment (name, res_model, res_id, res_field, store_fname, mimetype) VALUES
  ('avatar', 'res.partner', 5, 'image_1920', 'ab/ab01', 'image/png'),
  ('logo', 'res.partner', 1, 'image_1920', 'cd/cd02', 'image/png'),
  ('invoice.pdf', 'mail.message', 1, NULL, 'ef/ef03', 'application/pdf'),
  ('same bytes as the invoice', 'sale.order', 1, NULL, 'ef/ef03', 'application/pdf'),
  ('SLA October.pdf', 'game.server.sla.customer', 1, NULL, '12/1204', 'application/pdf');
"""

FILES = {'ab/ab01': b'jeanne photo', 'cd/cd02': b'company logo', 'ef/ef03': b'invoice',
         '12/1204': b'sla report'}

FAKE_ODOO = """#!/bin/sh
# Stands in for odoo-bin: --version, and neutralize (the installed modules' neutralize.sql).
# As Odoo, it takes a subcommand only first; options (-c FILE) may follow it.
case " $* " in *" --version "*) echo "Odoo Server ${FAKE_ODOO_SERIES:-19.0}"; exit 0;; esac
if [ "$1" = "neutralize" ]; then
  [ -n "$FAKE_ODOO_FAIL" ] && { echo "neutralize failed" >&2; exit 1; }
  shift
  while [ $# -gt 0 ]; do
    case "$1" in -c) shift 2;; -d) db="$2"; shift 2;; *) echo "unexpected: $1" >&2; exit 3;; esac
  done
  exec psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "%s"
fi
echo "unexpected: $*" >&2; exit 3
"""


def psql(db, sql):
    return subprocess.run(['psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def dropdb(name):
    subprocess.run(['dropdb', '--if-exists', name], check=True, capture_output=True)


class SnapshotAndRestore(unittest.TestCase):
    counter = 0

    def setUp(self):
        SnapshotAndRestore.counter += 1
        self.source = f'gss_snap_src_{os.getpid()}_{self.counter}'
        self.copy = f'gss_snap_copy_{os.getpid()}_{self.counter}'
        self.tmp = tempfile.mkdtemp(prefix='gss-snapshot-test-')
        self.data_dir = os.path.join(self.tmp, 'odoo-data')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.addCleanup(dropdb, self.source)
        self.addCleanup(dropdb, self.copy)
        subprocess.run(['createdb', self.source], check=True)
        subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', self.source],
                       input=SCHEMA + DATA, check=True, text=True, capture_output=True)
        for name, data in FILES.items():
            path = os.path.join(self.data_dir, 'filestore', self.source, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as fh:
                fh.write(data)
        self.odoo_bin = os.path.join(self.tmp, 'odoo-bin')
        with open(self.odoo_bin, 'w') as fh:
            fh.write(FAKE_ODOO % NEUTRALIZE_SQL)
        os.chmod(self.odoo_bin, 0o755)
        self.archive = os.path.join(self.tmp, 'prod.gss-snapshot')

    def snapshot(self, *extra):
        return sut.main(['snapshot', '-d', self.source, '--data-dir', self.data_dir,
                         '--out', self.archive, *extra])

    def restore(self, archive=None, hosts='demo:demo-games'):
        return sut.main(['restore', archive or self.archive, '-d', self.copy, '--data-dir', self.data_dir,
                         '--odoo-bin', self.odoo_bin, '--hosts', hosts, '--admin-password', 'admin'])

    def copy_exists(self):
        return psql('postgres', f"SELECT count(*) FROM pg_database WHERE datname = '{self.copy}'") == '1'

    def test_a_snapshot_holds_its_manifest_first_then_the_dump_and_the_files(self):
        self.assertEqual(self.snapshot(), 0)

        with tarfile.open(self.archive) as tar:
            names = tar.getnames()
            manifest = json.load(tar.extractfile('manifest.json'))
        self.assertEqual(names[:2], ['manifest.json', 'database.dump'])
        self.assertEqual(sorted(n for n in names if n.count('/') == 2),
                         sorted(f'filestore/{name}' for name in FILES))
        self.assertEqual(manifest['odoo_version'], '19.0')
        self.assertEqual(manifest['addon_version'], '1.9.0')
        self.assertEqual(manifest['database'], self.source)
        self.assertEqual(manifest['filestore_files'], len(FILES))
        self.assertEqual(manifest['filestore_size'], sum(len(v) for v in FILES.values()))
        self.assertGreater(manifest['dump_size'], 0)
        self.assertEqual(len(manifest['dump_sha256']), 64)

    def test_a_snapshot_is_refused_for_an_addon_not_installed_or_mid_update(self):
        psql(self.source, "UPDATE ir_module_module SET state = 'to upgrade' WHERE name = 'game_server_status'")

        with self.captured_stderr() as err:
            self.assertEqual(self.snapshot(), 2)
        self.assertIn('is to upgrade', err.getvalue())
        self.assertFalse(os.path.exists(self.archive))

    def test_a_snapshot_is_refused_for_an_odoo_other_than_17_to_19(self):
        psql(self.source, "UPDATE ir_module_module SET latest_version = '16.0.1.3' WHERE name = 'base'")

        with self.captured_stderr() as err:
            self.assertEqual(self.snapshot(), 2)
        self.assertIn('is Odoo 16.0', err.getvalue())

    def test_a_snapshot_is_refused_without_room_for_it_and_leaves_nothing(self):
        full = shutil.disk_usage(self.tmp)._replace(free=1000)
        with mock.patch.object(sut.shutil, 'disk_usage', return_value=full), self.captured_stderr() as err:
            self.assertEqual(self.snapshot(), 2)
        self.assertIn('has 1000 B free', err.getvalue())
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith('.gss-snapshot-')], [])
        self.assertFalse(os.path.exists(self.archive))

    def test_a_snapshot_never_overwrites_a_file(self):
        open(self.archive, 'w').close()
        with self.captured_stderr() as err:
            self.assertEqual(self.snapshot(), 2)
        self.assertIn('exists', err.getvalue())
        self.assertEqual(os.path.getsize(self.archive), 0)

    def test_a_restored_copy_keeps_no_person_secret_or_player_of_the_original(self):
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(self.restore(), 0)

        dump = subprocess.run(['pg_dump', '--data-only', '--inserts', '-d', self.copy],
                              check=True, capture_output=True, text=True).stdout
        left = {what: value for what, value in SECRETS.items() if value in dump}
        self.assertEqual(left, {})
        # The original is untouched.
        self.assertEqual(psql(self.source, 'SELECT name FROM res_partner WHERE id = 5'), 'Jeanne Martin')

    def test_a_restored_copy_is_neutralized_and_works_as_a_copy(self):
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(self.restore(), 0)
        q = lambda sql: psql(self.copy, sql)  # noqa: E731

        self.assertEqual(q('SELECT active FROM game_server_notify_channel'), 'f')
        self.assertEqual(q("SELECT state FROM game_server_notify_delivery ORDER BY id"), 'failed\nsent')
        self.assertEqual(q('SELECT id, active FROM ir_cron ORDER BY id'), '7|f\n8|t')
        self.assertEqual(q('SELECT count(*) FROM res_users_apikeys'), '0')
        self.assertEqual(q('SELECT id, login FROM res_users ORDER BY id'),
                         '1|__system__\n2|admin\n3|gss-service\n4|user4')
        self.assertEqual(q('SELECT count(*) FROM res_users WHERE password IS NOT NULL'), '1')
        self.assertEqual(q('SELECT id, complete_name, email FROM res_partner ORDER BY id'), '\n'.join([
            '1|Host Company|partner-1@example.invalid', '2|OdooBot|partner-2@example.invalid',
            '3|Administrator|partner-3@example.invalid', '4|Customer 4|partner-4@example.invalid',
            '5|Customer 4, Contact 5|partner-5@example.invalid', '6|Status Service|']))
        self.assertEqual(q('SELECT DISTINCT host FROM game_server'), 'demo-games')
        self.assertEqual(q("SELECT body FROM mail_message WHERE model = 'game.server' ORDER BY id"),
                         '<p>Survival is down</p>\n<p>(anonymized)</p>')

        self.assertEqual(q('SELECT name FROM project_task ORDER BY id'), 'Task 1\nSurvival lags')
        self.assertEqual(q('SELECT DISTINCT host FROM game_server_incident'), 'demo-games')
        self.assertEqual(q('SELECT name, host FROM game_server_maintenance ORDER BY id'),
                         'Kernel updates|demo-games\nReboot of demo-games|demo-games')
        self.assertEqual(q('SELECT res_name, summary, feedback FROM mail_activity ORDER BY id'),
                         'Contact 5||\n3 servers on demo-games||')
        self.assertEqual(q("SELECT port FROM game_server ORDER BY id"), '25565\n27015\n27015')
        self.assertEqual(q("SELECT last_error FROM game_server WHERE id = 3"),
                         'connect ECONNREFUSED demo-games:27015')
        self.assertEqual(q("SELECT body FROM mail_message WHERE model = 'game.server.incident'"),
                         '<p>2 servers on demo-games down</p>')
        self.assertEqual(q("SELECT summary, payload->'incident' FROM game_server_event WHERE id = 2"),
                         '2 servers on demo-games down|{"host": "demo-games", "servers": [{"host": "demo-games"}]}')
        self.assertNotEqual(q("SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"),
                            '11111111-1111-1111-1111-111111111111')
        self.assertEqual(q("SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'"),
                         'https://erp.host-company.fr')

    def test_an_odoo_bin_given_with_its_options_gets_neutralize_first_as_odoo_reads_it(self):
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(sut.main(['restore', self.archive, '-d', self.copy, '--data-dir', self.data_dir,
                                   '--odoo-bin', f'{self.odoo_bin} -c /etc/odoo/odoo.conf',
                                   '--hosts', 'keep', '--admin-password', 'admin']), 0)
        self.assertEqual(psql(self.copy, 'SELECT active FROM game_server_notify_channel'), 'f')

    def test_the_admin_logs_in_with_the_documented_password_as_odoo_checks_it(self):
        from passlib.context import CryptContext  # Debian's python3-passlib, as Odoo uses it
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(self.restore(), 0)

        stored = psql(self.copy, "SELECT password FROM res_users WHERE login = 'admin'")
        context = CryptContext(['pbkdf2_sha512', 'plaintext'], deprecated=['plaintext'])
        self.assertTrue(context.verify('admin', stored))
        self.assertFalse(context.needs_update(stored))
        self.assertFalse(context.verify('Admin', stored))

    def test_files_of_deleted_attachments_go_and_shared_ones_stay(self):
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(self.restore(), 0)

        store = os.path.join(self.data_dir, 'filestore', self.copy)
        present = sorted(os.path.relpath(os.path.join(root, f), store)
                         for root, _d, files in os.walk(store) for f in files)
        # The contact's photo and the SLA report are gone; the invoice's bytes stay for the order.
        self.assertEqual(present, ['cd/cd02', 'ef/ef03'])
        self.assertEqual(psql(self.copy, 'SELECT name FROM ir_attachment ORDER BY id'),
                         'logo\nsame bytes as the invoice')

    def test_hosts_are_kept_when_asked(self):
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(self.restore(hosts='keep'), 0)
        self.assertEqual(psql(self.copy, 'SELECT host FROM game_server ORDER BY id'),
                         'mc1.pixelguild.fr\n203.0.113.7\n203.0.113.70')

    def test_a_backup_restores_as_it_was_with_its_files(self):
        self.assertEqual(self.snapshot(), 0)
        self.assertEqual(sut.main(['restore', self.archive, '-d', self.copy, '--data-dir', self.data_dir,
                                   '--odoo-bin', self.odoo_bin, '--backup']), 0)

        tables = psql(self.source, "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables "
                                   "WHERE schemaname = 'public'").split()
        for table in tables:
            query = f'SELECT md5(string_agg(t::text, chr(10) ORDER BY t::text)) FROM {table} t'
            self.assertEqual(psql(self.copy, query), psql(self.source, query), table)
        for name, data in FILES.items():
            with open(os.path.join(self.data_dir, 'filestore', self.copy, name), 'rb') as fh:
                self.assertEqual(fh.read(), data)

    def test_a_copy_made_safe_needs_its_hosts_and_admin_password_named(self):
        with self.captured_stderr() as err, self.assertRaises(SystemExit) as exit_:
            sut.main(['restore', self.archive, '-d', self.copy, '--data-dir', self.data_dir,
                      '--odoo-bin', self.odoo_bin])
        self.assertEqual(exit_.exception.code, 2)
        self.assertIn('needs --hosts and --admin-password (or --backup', err.getvalue())

    def test_another_major_version_of_odoo_is_refused_with_the_reason(self):
        self.assertEqual(self.snapshot(), 0)
        with mock.patch.dict(os.environ, {'FAKE_ODOO_SERIES': '18.0'}), self.captured_stderr() as err:
            self.assertEqual(self.restore(), 2)
        self.assertIn('the snapshot is of Odoo 19.0 and this Odoo is 18.0', err.getvalue())
        self.assertFalse(self.copy_exists())

    def test_a_newer_addon_than_this_one_is_refused(self):
        psql(self.source, "UPDATE ir_module_module SET latest_version = '19.0.99.0.0' "
                          "WHERE name = 'game_server_status'")
        self.assertEqual(self.snapshot(), 0)
        with self.captured_stderr() as err:
            self.assertEqual(self.restore(), 2)
        self.assertIn('game_server_status is 99.0.0, newer than this one', err.getvalue())

    def test_an_existing_database_is_never_restored_over(self):
        self.assertEqual(self.snapshot(), 0)
        subprocess.run(['createdb', self.copy], check=True)
        psql(self.copy, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)')

        with self.captured_stderr() as err:
            self.assertEqual(self.restore(), 2)
        self.assertIn('exists', err.getvalue())
        self.assertEqual(psql(self.copy, 'SELECT x FROM kept'), '42')

    def test_a_failed_restore_leaves_no_database_nor_files(self):
        self.assertEqual(self.snapshot(), 0)
        with mock.patch.dict(os.environ, {'FAKE_ODOO_FAIL': '1'}), self.captured_stderr() as err:
            self.assertEqual(self.restore(), 1)
        self.assertIn('neutralize failed', err.getvalue())
        self.assertFalse(self.copy_exists())
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, 'filestore', self.copy)))

    def test_a_damaged_dump_is_refused(self):
        self.assertEqual(self.snapshot(), 0)
        damaged = os.path.join(self.tmp, 'damaged.gss-snapshot')
        with tarfile.open(self.archive) as src, tarfile.open(damaged, 'w') as dst:
            for member in src:
                data = src.extractfile(member).read() if member.isfile() else None
                if member.name == 'database.dump':
                    data = data[:-1] + bytes([data[-1] ^ 1])
                dst.addfile(member, None if data is None else io.BytesIO(data))
        with self.captured_stderr() as err:
            self.assertEqual(self.restore(damaged), 2)
        self.assertIn('does not match its manifest', err.getvalue())
        self.assertFalse(self.copy_exists())

    def test_an_entry_outside_the_filestore_is_refused(self):
        self.assertEqual(self.snapshot(), 0)
        hostile = os.path.join(self.tmp, 'hostile.gss-snapshot')
        with tarfile.open(self.archive) as src, tarfile.open(hostile, 'w') as dst:
            for member in src:
                dst.addfile(member, src.extractfile(member) if member.isfile() else None)
            escape = tarfile.TarInfo('filestore/../../escaped')
            escape.size = 1
            dst.addfile(escape, io.BytesIO(b'x'))
        with self.captured_stderr() as err:
            self.assertEqual(self.restore(hostile), 2)
        self.assertIn("unexpected entry 'filestore/../../escaped'", err.getvalue())
        self.assertFalse(os.path.exists(os.path.join(self.data_dir, 'escaped')))
        self.assertFalse(self.copy_exists())

    def test_a_file_that_is_no_snapshot_is_refused(self):
        other = os.path.join(self.tmp, 'other.tar')
        with tarfile.open(other, 'w') as tar:
            tar.add(self.odoo_bin, arcname='odoo-bin')
        with self.captured_stderr() as err:
            self.assertEqual(self.restore(other), 2)
        self.assertIn('not a snapshot', err.getvalue())

    def test_a_file_that_is_no_archive_or_missing_is_refused(self):
        garbage = os.path.join(self.tmp, 'garbage.gss-snapshot')
        with open(garbage, 'wb') as fh:
            fh.write(b'not a tar at all')
        for path in (garbage, os.path.join(self.tmp, 'missing.gss-snapshot')):
            with self.captured_stderr() as err:
                self.assertEqual(self.restore(path), 2)
            self.assertIn(f'cannot read {path} as a snapshot', err.getvalue())

    @staticmethod
    def captured_stderr():
        return mock.patch.object(sys, 'stderr', new_callable=io.StringIO)


class PasswordHash(unittest.TestCase):
    def test_has_the_form_odoo_stores_and_a_salt_of_its_own_each_time(self):
        first, second = sut.password_hash('admin'), sut.password_hash('admin')
        self.assertRegex(first, r'^\$pbkdf2-sha512\$600000\$[./A-Za-z0-9]{22}\$[./A-Za-z0-9]{86}$')
        self.assertNotEqual(first, second)


if __name__ == '__main__':
    unittest.main(verbosity=2)
