#!/usr/bin/env python3
"""Self-test of odoo/tools/gss_service_user.py without Odoo (stdlib unittest):

    python3 test/odoo-addon/test_gss_service_user.py

What runs inside `odoo shell` (the user, the group, the key) is proved on real Odoo 17, 18
and 19; here: the command line, the key file (0600 from its first byte, replaced whole),
the pipe the key comes back over, and that a failed shell leaves the key file as it was.
"""
import os
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, '..', '..', 'odoo', 'tools', 'gss_service_user.py')
sys.path.insert(0, os.path.dirname(TOOL))

import gss_service_user as sut  # noqa: E402


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


class KeyFile(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, 'odoo_api_key')

    def tearDown(self):
        self.dir.cleanup()

    def test_writes_a_new_key_readable_by_its_owner_only(self):
        sut.write_key_file(self.path, 'k' * 40)

        self.assertEqual(mode(self.path), 0o600)
        with open(self.path) as fh:
            self.assertEqual(fh.read(), 'k' * 40 + '\n')
        self.assertEqual(os.listdir(self.dir.name), ['odoo_api_key'])

    def test_replaces_a_world_readable_key_file_with_a_private_one(self):
        with open(self.path, 'w') as fh:
            fh.write('old')
        os.chmod(self.path, 0o644)

        sut.write_key_file(self.path, 'new')

        self.assertEqual(mode(self.path), 0o600)
        self.assertEqual(sut.read_current_key(self.path), 'new')

    def test_makes_a_kept_key_file_private_and_says_so_once(self):
        with open(self.path, 'w') as fh:
            fh.write('kept\n')
        os.chmod(self.path, 0o644)

        self.assertTrue(sut.secure_key_file(self.path))
        self.assertFalse(sut.secure_key_file(self.path))
        self.assertEqual(mode(self.path), 0o600)

    def test_reads_no_key_from_a_missing_or_empty_file(self):
        self.assertIsNone(sut.read_current_key(self.path))
        open(self.path, 'w').close()
        self.assertIsNone(sut.read_current_key(self.path))

    def test_refuses_a_key_file_in_a_missing_directory_or_a_directory_as_key_file(self):
        with self.assertRaisesRegex(sut.SetupError, 'does not exist'):
            sut.read_current_key(os.path.join(self.dir.name, 'nope', 'key'))
        with self.assertRaisesRegex(sut.SetupError, 'not a regular file'):
            sut.read_current_key(self.dir.name)


class CommandLine(unittest.TestCase):
    def test_passes_what_follows_the_double_dash_to_odoo_shell(self):
        args = sut.parse_args(['--odoo-bin', 'python3 -S', '-d', 'gss', '--key-file', '/k', '--',
                               '--addons-path=/a', '--db_host=db'])

        self.assertEqual(sut.odoo_command(args), ['python3', '-S', 'shell', '-d', 'gss', '--no-http',
                                                  '--addons-path=/a', '--db_host=db'])
        self.assertEqual(args.login, 'gss-service')

    def test_puts_the_subcommand_right_after_odoo_where_odoo_reads_it(self):
        self.assertEqual(sut.odoo_subcommand('/opt/odoo/odoo-bin -c /etc/odoo/odoo.conf', 'neutralize'),
                         ['/opt/odoo/odoo-bin', 'neutralize', '-c', '/etc/odoo/odoo.conf'])
        self.assertEqual(sut.odoo_subcommand('python3 odoo-bin --addons-path=/a', 'shell'),
                         ['python3', 'odoo-bin', 'shell', '--addons-path=/a'])
        # A wrapper's own options come before the program; the last odoo named is Odoo.
        self.assertEqual(sut.odoo_subcommand('setpriv --reuid=odoo /entrypoint.sh odoo', 'shell'),
                         ['setpriv', '--reuid=odoo', '/entrypoint.sh', 'odoo', 'shell'])
        # No program named odoo or odoo-bin (a script of one's own): at the end.
        self.assertEqual(sut.odoo_subcommand('/usr/local/bin/run-erp', 'shell'),
                         ['/usr/local/bin/run-erp', 'shell'])

    def test_needs_a_database_or_a_config(self):
        with self.assertRaises(SystemExit) as exit_:
            with open(os.devnull, 'w') as null:
                stderr, sys.stderr = sys.stderr, null
                try:
                    sut.parse_args(['--key-file', '/k'])
                finally:
                    sys.stderr = stderr
        self.assertEqual(exit_.exception.code, 2)

    def test_names_an_odoo_bin_that_is_not_there(self):
        args = sut.parse_args(['--odoo-bin', '/no/such/odoo-bin', '-d', 'gss', '--key-file', '/k'])

        with self.assertRaisesRegex(sut.SetupError, "'/no/such/odoo-bin' is not a command"):
            sut.odoo_command(args)


class OdooShell(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.key_file = os.path.join(self.dir.name, 'odoo_api_key')
        # A stand-in for `odoo shell` that runs its stdin as Python, with no database open.
        self.shell = os.path.join(self.dir.name, 'odoo')
        with open(self.shell, 'w') as fh:
            fh.write('#!/bin/sh\nexec python3 -c "import sys; exec(sys.stdin.read())"\n')
        os.chmod(self.shell, 0o755)

    def tearDown(self):
        self.dir.cleanup()

    def test_gets_the_key_the_shell_writes_to_the_pipe(self):
        script = lambda fd: f'import os; os.write({fd}, b"secret-key")'  # noqa: E731

        status, key = sut.run_odoo_shell(
            ['python3', '-c', 'import sys; exec(sys.stdin.read())'], script)

        self.assertEqual((status, key), (0, 'secret-key'))

    def test_a_shell_without_a_database_fails_and_leaves_the_key_file_as_it_was(self):
        with open(self.key_file, 'w') as fh:
            fh.write('earlier-key\n')
        os.chmod(self.key_file, 0o644)

        run = subprocess.run(
            [sys.executable, TOOL, '--odoo-bin', self.shell, '-d', 'gss', '--key-file', self.key_file],
            capture_output=True, text=True, check=False)

        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertIn('odoo shell opened no database', run.stderr)
        self.assertIn('the key file is unchanged', run.stderr)
        self.assertNotIn('earlier-key', run.stdout + run.stderr)
        with open(self.key_file) as fh:
            self.assertEqual(fh.read(), 'earlier-key\n')


if __name__ == '__main__':
    unittest.main()
