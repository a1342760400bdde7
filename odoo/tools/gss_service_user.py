#!/usr/bin/env python3
"""Creates the Odoo user the Game Server Status apps log in as, and an API key for it.

    odoo/tools/gss_service_user.py --odoo-bin /opt/odoo/odoo-bin -c /etc/odoo/odoo.conf \\
        -d gss --key-file /etc/gss/odoo_api_key

Runs `ODOO_BIN shell -d DB --no-http` (Odoo 17, 18 or 19, with game_server_status installed) to
create the user LOGIN in the addon's Status Service group, then writes a new API key (scope rpc,
no expiry) to KEY_FILE, mode 0600 from its first byte. Run it again at will: an existing key file
whose key is still valid for LOGIN is kept (its mode set to 0600); --rotate replaces it and
revokes the earlier keys. The key goes to the file only, never to the output.

Odoo hands the key back over a pipe this process opens, so ODOO_BIN must run Odoo as a child
process on this machine (a path to odoo-bin, or a command line such as
"setpriv --reuid=odoo /entrypoint.sh odoo"); `shell` goes right after odoo-bin or odoo in it, so
options given there ("odoo-bin --addons-path=...") follow it. Options after `--` go to
`odoo shell` as they are (--addons-path, --db_host, ...).

Exit status: 0 done, 2 a usage or setup error (named on stderr), else odoo shell's own.
"""
import argparse
import inspect
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

ADDON = 'game_server_status'
SERVICE_GROUP = 'game_server_status.group_game_server_service'
KEY_NAME = 'game-server-status'
KEY_SCOPE = 'rpc'
KEY_MODE = 0o600


class SetupError(Exception):
    """A problem the user fixes before running again; the message says which."""


def fail(message):
    print(f'gss_service_user: {message}', file=sys.stderr)
    return 2


# --- In `odoo shell` (this file's source is sent to it, then a call to provision) ---

def generate_key(apikeys):
    """A key that never expires: Odoo 18 added expiration_date (None there means no expiry)."""
    if 'expiration_date' in inspect.signature(apikeys._generate).parameters:
        return apikeys._generate(KEY_SCOPE, KEY_NAME, None)
    return apikeys._generate(KEY_SCOPE, KEY_NAME)


def provision(env, login, current_key, rotate, key_fd):
    """Makes sure LOGIN exists in the service group and holds a valid key; a new key is written
    to key_fd before the commit, so that the caller gets it only from a committed run."""
    module = env['ir.module.module'].search([('name', '=', ADDON)])
    if module.state not in ('installed', 'to upgrade'):
        return fail(
            f'the addon {ADDON} is not installed in database {env.cr.dbname}: install it first '
            f'(odoo-bin -d {env.cr.dbname} -i {ADDON} --stop-after-init)'
        )
    users = env['res.users'].with_context(active_test=False)
    # Odoo 19 renamed res.users.groups_id to group_ids.
    groups_field = 'group_ids' if 'group_ids' in users._fields else 'groups_id'
    group = env.ref(SERVICE_GROUP)
    user = users.search([('login', '=', login)], limit=1)
    if not user:
        user = users.create({
            'name': 'Game Server Status service',
            'login': login,
            groups_field: [(6, 0, [env.ref('base.group_user').id, group.id])],
        })
        print(f'created user {login}')
    elif not user.active:
        return fail(f'user {login} is archived: unarchive it in Odoo, or choose another --login')
    elif group not in user[groups_field]:
        user.write({groups_field: [(4, group.id)]})
        print(f'added user {login} to the group {group.name}')

    apikeys = env['res.users.apikeys']
    if current_key and not rotate:
        if apikeys._check_credentials(scope=KEY_SCOPE, key=current_key) == user.id:
            print(f'the key file holds a valid key of {login}: kept')
            env.cr.commit()
            return 0
        print(f'the key file holds no valid key of {login} (a new database?): replacing it')
    earlier = apikeys.sudo().search([('user_id', '=', user.id), ('name', '=', KEY_NAME)])
    if rotate and earlier:
        earlier._remove()
        print(f'revoked {len(earlier)} earlier key(s) of {login}')
    elif earlier:
        print(f'{len(earlier)} earlier key(s) of {login} stay valid (--rotate revokes them)')
    key = generate_key(apikeys.with_user(user).sudo())
    os.write(key_fd, key.encode())
    os.close(key_fd)
    env.cr.commit()
    print(f'created an API key for {login}')
    return 0


# --- The command line ---

def parse_args(argv):
    """Options before `--` are ours; the rest go to `odoo shell`."""
    ours, odoo_extra = argv, []
    if '--' in argv:
        split = argv.index('--')
        ours, odoo_extra = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser(
        prog='gss_service_user.py',
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage='%(prog)s [options] --key-file FILE (-d DB | -c CONFIG) [-- odoo shell options]',
    )
    parser.add_argument('--odoo-bin', default='odoo', help='command that runs Odoo, split like a shell does (default: odoo)')
    parser.add_argument('-c', '--config', help="Odoo's configuration file")
    parser.add_argument('-d', '--database', help='the database (default: db_name of --config)')
    parser.add_argument('--login', default='gss-service', help='the service user (default: gss-service)')
    parser.add_argument('--key-file', required=True, help='where the API key is written, mode 0600')
    parser.add_argument('--owner', help='USER[:GROUP] to own the key file (needs root), e.g. the user the apps run as')
    parser.add_argument('--rotate', action='store_true', help='replace a valid key and revoke the earlier ones')
    args = parser.parse_args(ours)
    if not args.database and not args.config:
        parser.error('name the database: -d DB, or -c CONFIG with db_name')
    args.odoo_extra = odoo_extra
    return args


def odoo_subcommand(odoo_bin, subcommand):
    """ODOO_BIN split like a shell does, with SUBCOMMAND where Odoo reads one.

    Odoo takes a subcommand only as its first argument, so it goes right after the program
    (`odoo-bin` or `odoo`, the last one named: a wrapper such as "setpriv ... /entrypoint.sh odoo"
    names it last), before the options given with it: "odoo-bin -c odoo.conf" runs
    `odoo-bin neutralize -c odoo.conf`. A command naming no such program gets it at the end.
    """
    command = shlex.split(odoo_bin)
    programs = [i for i, part in enumerate(command) if os.path.basename(part) in ('odoo-bin', 'odoo')]
    at = programs[-1] + 1 if programs else len(command)
    return command[:at] + [subcommand] + command[at:]


def odoo_command(args):
    """The `odoo shell` command line; no secret is on it."""
    command = odoo_subcommand(args.odoo_bin, 'shell')
    if len(command) < 2 or shutil.which(command[0]) is None:
        raise SetupError(f'--odoo-bin: {args.odoo_bin!r} is not a command found here')
    if args.config:
        command += ['-c', args.config]
    if args.database:
        command += ['-d', args.database]
    return command + ['--no-http'] + args.odoo_extra


def parse_owner(spec):
    """USER[:GROUP], names or ids, as shutil.chown takes them."""
    if spec is None:
        return None
    if os.geteuid() != 0:
        raise SetupError('--owner needs root (only root gives a file away)')
    user, _, group = spec.partition(':')
    as_id = lambda name: int(name) if name.isdigit() else name  # noqa: E731
    return as_id(user), as_id(group) if group else None


def read_current_key(path):
    """The key in path (None if there is none), after checking that a new one could be written."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise SetupError(f'--key-file: the directory {directory} does not exist')
    if not os.access(directory, os.W_OK | os.X_OK):
        raise SetupError(f'--key-file: the directory {directory} is not writable')
    if not os.path.lexists(path):
        return None
    if not os.path.isfile(path):
        raise SetupError(f'--key-file: {path} is not a regular file')
    try:
        with open(path) as fh:
            return fh.read().strip() or None
    except OSError as error:
        raise SetupError(f'--key-file: cannot read {path}: {error.strerror}') from error


def write_key_file(path, key, owner=None):
    """Replaces path with key, readable by its owner only: mkstemp creates the file 0600 and
    exclusively, the owner is set while it is empty, and os.replace swaps it in whole."""
    directory, name = os.path.split(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=f'.{name}.', dir=directory)
    try:
        if owner:
            shutil.chown(temporary, *owner)
        with os.fdopen(fd, 'w') as fh:
            fh.write(key + '\n')
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def secure_key_file(path, owner=None):
    """Sets a kept key file to mode 0600 (and its owner); True if something changed."""
    changed = False
    if owner:
        before = os.stat(path)
        shutil.chown(path, *owner)
        changed = os.stat(path).st_uid != before.st_uid or os.stat(path).st_gid != before.st_gid
    if os.stat(path).st_mode & 0o777 != KEY_MODE:
        os.chmod(path, KEY_MODE)
        changed = True
    return changed


def shell_script(login, current_key, rotate, key_fd):
    """What `odoo shell` runs: this file as a module rather than as __main__, then provision."""
    with open(os.path.abspath(__file__)) as fh:
        source = fh.read()
    call = (
        f"sys.exit(provision(env, {login!r}, {current_key!r}, {rotate!r}, {key_fd!r}) if 'env' in globals()"
        " else fail('odoo shell opened no database: name it with -d DB, or db_name in the config'))\n"
    )
    return f"__name__ = 'gss_service_user'\n{source}\n{call}"


def run_odoo_shell(command, script_for):
    """Runs script_for(key_fd) in `odoo shell`; returns its exit status and the key it sent back
    ('' if none). The pipe's write end is the child's only, so the read ends when the child does."""
    read_end, write_end = os.pipe()
    try:
        with subprocess.Popen(command, stdin=subprocess.PIPE, pass_fds=(write_end,)) as process:
            os.close(write_end)
            process.communicate(script_for(write_end).encode())
            write_end = None
        with os.fdopen(read_end) as pipe:
            read_end = None
            return process.returncode, pipe.read()
    finally:
        for fd in (read_end, write_end):
            if fd is not None:
                os.close(fd)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        owner = parse_owner(args.owner)
        current_key = read_current_key(args.key_file)
        command = odoo_command(args)
    except SetupError as error:
        return fail(str(error))
    status, key = run_odoo_shell(
        command, lambda key_fd: shell_script(args.login, current_key, args.rotate, key_fd)
    )
    if status != 0:
        print(f'gss_service_user: odoo shell ended with exit {status}; the key file is unchanged', file=sys.stderr)
        return status
    try:
        if key:
            write_key_file(args.key_file, key, owner)
            print(f'wrote the key to {args.key_file} (mode 0600)')
        elif current_key is None:
            return fail(f'odoo shell ran but not the script: does {args.odoo_bin!r} read its stdin?')
        elif secure_key_file(args.key_file, owner):
            print(f'set {args.key_file} to mode 0600' + (f', owner {args.owner}' if owner else ''))
    except (OSError, LookupError) as error:
        return fail(f'--key-file {args.key_file}: {error}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
