#!/usr/bin/env python3
"""Snapshots of a Game Server Status Odoo database, and their restore as a safe copy.

    odoo/tools/gss_snapshot.py snapshot -d gss --data-dir /var/lib/odoo --out prod.gss-snapshot
    odoo/tools/gss_snapshot.py restore prod.gss-snapshot -d gss_copy --data-dir /var/lib/odoo \\
        --odoo-bin "/opt/odoo/odoo-bin -c /etc/odoo/odoo.conf" --hosts demo:demo-games \\
        --admin-password admin [--key-file /etc/gss/odoo_api_key]
    odoo/tools/gss_snapshot.py restore backup.gss-snapshot -d gss_restored --data-dir ... --odoo-bin ... --backup

snapshot: one archive (tar) holding manifest.json (Odoo and addon versions, date, sizes, the
dump's SHA-256), database.dump (pg_dump's custom format) and filestore/ (the database's files
under DATA_DIR/filestore/DB). It refuses a database whose addon is not installed or is halfway
through an update, an Odoo other than 17, 18 or 19, and a destination without room for it.

restore: refuses an archive of another Odoo major version than ODOO_BIN's, of a newer addon
than the one beside this tool, and an existing database; then restores into a NEW database,
copies the files, and before anything else runs against it: `odoo neutralize` (Odoo's own, which
runs the addon's data/neutralize.sql: channels off, secrets wiped, crons stopped, service keys
revoked), then gss_anonymize.sql (people, players, secrets; see that file), then the files of
deleted attachments. With --key-file, a new service key is made for this copy
(gss_service_user.py --rotate). With --backup, none of that: a backup comes back as it was.
A restore that fails drops what it made.

PostgreSQL is reached through libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD), as psql,
pg_dump and pg_restore read them. Exit status: 0 done, 2 refused or a usage error (the reason on
stderr), 1 a command that failed (its output shown).
"""
import argparse
import ast
import base64
import datetime
import hashlib
import io
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import uuid

from gss_service_user import odoo_subcommand  # beside this file, as Python finds it

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = 'game_server_status'
ADDON_MANIFEST = os.path.join(HERE, '..', ADDON, '__manifest__.py')
ANONYMIZE_SQL = os.path.join(HERE, 'gss_anonymize.sql')
SERVICE_USER_TOOL = os.path.join(HERE, 'gss_service_user.py')
FORMAT = 'gss-snapshot'
FORMAT_VERSION = 1
SUPPORTED_MAJORS = (17, 18, 19)
MANIFEST = 'manifest.json'
DUMP = 'database.dump'
FILESTORE = 'filestore'
# Odoo's own hashing of passwords (passlib's pbkdf2_sha512, the rounds of Odoo 17 to 19).
PBKDF2_ROUNDS = 600_000


class Refused(Exception):
    """What the user fixes before running again; the message says what and why."""


class CommandFailed(Exception):
    pass


def log(message):
    print(f'gss_snapshot: {message}', file=sys.stderr, flush=True)


def run(command, **kwargs):
    """Runs a command; its failure raises CommandFailed with what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        shown = ' '.join(shlex.quote(part) for part in command)
        raise CommandFailed(f'{shown} exited with {result.returncode}:\n{result.stdout}{result.stderr}')
    return result.stdout


def sql_value(db, query):
    """The first column of the first row of QUERY, as text ('' for none or NULL)."""
    out = run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-d', db, '-c', query])
    return out.split('\n', 1)[0]


def database_exists(name):
    found = run(['psql', '-X', '-At', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1',
                 '-v', f'name={name}', '-f', '-'],
                input="SELECT 1 FROM pg_database WHERE datname = :'name'\n")
    return found.strip() == '1'


def version_tuple(text):
    return tuple(int(part) for part in re.findall(r'\d+', text))


def series_of(latest_version):
    """'19.0' of a module version '19.0.1.3' as Odoo stores it (series first)."""
    match = re.match(r'^(?:saas~)?(\d+)\.(\d+)', latest_version or '')
    if not match:
        raise Refused(f'cannot read the Odoo version from {latest_version!r}')
    return f'{match.group(1)}.{match.group(2)}'


def addon_version_on_disk():
    """The addon's version beside this tool (its manifest is a Python literal)."""
    with open(ADDON_MANIFEST, encoding='utf-8') as fh:
        return ast.literal_eval(fh.read())['version']


def folder_size(path):
    count = size = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            count += 1
            size += os.lstat(os.path.join(root, name)).st_size
    return count, size


def human(size):
    if size < 1024:
        return f'{size} B'
    for unit in ('KB', 'MB', 'GB'):
        size /= 1024
        if size < 1024 or unit == 'GB':
            return f'{size:.1f} {unit}'


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as fh:
        for block in iter(lambda: fh.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


# --- snapshot ---

def read_versions(db):
    """Odoo's series and the addon's version in DB, refusing what cannot be restored later."""
    if not database_exists(db):
        raise Refused(f'database {db} does not exist on this PostgreSQL')
    base = sql_value(db, "SELECT latest_version FROM ir_module_module WHERE name = 'base'")
    series = series_of(base)
    if int(series.split('.')[0]) not in SUPPORTED_MAJORS:
        raise Refused(f'database {db} is Odoo {series}; snapshots are made of Odoo 17, 18 or 19')
    row = sql_value(db, f"SELECT state || '|' || coalesce(latest_version, '') FROM ir_module_module "
                        f"WHERE name = '{ADDON}'")
    state, _, addon_version = row.partition('|')
    if state != 'installed':
        raise Refused(f'the addon {ADDON} is {state or "not present"} in database {db}: a snapshot '
                      f'needs it installed and up to date (run odoo -u {ADDON} first)')
    # Odoo stores '19.0.1.9.0' for the manifest's '1.9.0'.
    prefix = series + '.'
    return series, addon_version[len(prefix):] if addon_version.startswith(prefix) else addon_version


def snapshot(args):
    db = args.database
    series, addon_version = read_versions(db)
    filestore = os.path.join(args.data_dir, FILESTORE, db)
    files, files_size = folder_size(filestore) if os.path.isdir(filestore) else (0, 0)
    db_size = int(sql_value(db, 'SELECT pg_database_size(current_database())'))
    out = os.path.abspath(args.out)
    out_dir = os.path.dirname(out)
    if os.path.exists(out):
        raise Refused(f'{out} exists: choose another name, a snapshot is never overwritten')
    if not os.path.isdir(out_dir):
        raise Refused(f'the folder {out_dir} does not exist')
    # The dump is written beside the archive first, then both exist until the dump is removed;
    # the dump is compressed, so the database's size on disk is a bound for it.
    needed = 2 * db_size + files_size
    free = shutil.disk_usage(out_dir).free
    if free < needed:
        raise Refused(f'{out_dir} has {human(free)} free; this snapshot needs up to {human(needed)} '
                      f'(database {human(db_size)}, files {human(files_size)})')
    with tempfile.TemporaryDirectory(dir=out_dir, prefix='.gss-snapshot-') as work:
        dump = os.path.join(work, DUMP)
        log(f'dumping database {db} ({human(db_size)})')
        run(['pg_dump', '--format=custom', '--no-owner', '--no-privileges', '-d', db, '-f', dump])
        manifest = {
            'format': FORMAT,
            'format_version': FORMAT_VERSION,
            'database': db,
            'odoo_version': series,
            'addon': ADDON,
            'addon_version': addon_version,
            'created_at': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
            'database_size': db_size,
            'dump_size': os.path.getsize(dump),
            'dump_sha256': sha256_of(dump),
            'filestore_files': files,
            'filestore_size': files_size,
        }
        partial = os.path.join(work, 'archive.tar')
        with tarfile.open(partial, 'w', format=tarfile.PAX_FORMAT) as tar:
            # The manifest first: a restore reads and checks it before anything else.
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=DUMP)
            os.unlink(dump)
            if os.path.isdir(filestore):
                log(f'adding {files} files ({human(files_size)})')
                tar.add(filestore, arcname=FILESTORE)
        os.replace(partial, out)
    log(f'wrote {out} ({human(os.path.getsize(out))}): Odoo {series}, {ADDON} {addon_version}')
    return 0


# --- restore ---

def read_manifest(tar):
    first = tar.next()
    if first is None or first.name != MANIFEST:
        raise Refused('this file is not a snapshot of gss_snapshot.py (no manifest first)')
    manifest = json.load(tar.extractfile(first))
    if manifest.get('format') != FORMAT or manifest.get('format_version') != FORMAT_VERSION:
        raise Refused(f'unknown snapshot format {manifest.get("format")!r} '
                      f'version {manifest.get("format_version")!r}')
    return manifest


def odoo_series(odoo_bin):
    out = run(shlex.split(odoo_bin) + ['--version'])
    match = re.search(r'(\d+\.\d+)', out)
    if not match:
        raise Refused(f'cannot read the Odoo version from {out.strip()!r} ({odoo_bin} --version)')
    return match.group(1)


def check_restorable(manifest, target_series, db, filestore):
    if int(manifest['odoo_version'].split('.')[0]) != int(target_series.split('.')[0]):
        raise Refused(
            f"the snapshot is of Odoo {manifest['odoo_version']} and this Odoo is {target_series}: a "
            f'database moves between major versions only through an Odoo upgrade (docs/operations.md)')
    here = addon_version_on_disk()
    if version_tuple(manifest['addon_version']) > version_tuple(here):
        raise Refused(f"the snapshot's {ADDON} is {manifest['addon_version']}, newer than this one "
                      f'({here}): restore it with that version of the addon or a later one')
    data_dir = os.path.dirname(os.path.dirname(filestore))
    if not os.path.isdir(data_dir):
        raise Refused(f"Odoo's data folder {data_dir} does not exist (--data-dir)")
    if database_exists(db):
        raise Refused(f'database {db} exists: a snapshot is restored into a new database only')
    if os.path.exists(filestore) and os.listdir(filestore):
        raise Refused(f'{filestore} already holds files (left by an earlier database {db}?): '
                      f'move it away first')


def safe_member(member):
    """Only plain files and folders under filestore/, no way out of it."""
    parts = member.name.split('/')
    return ((member.isfile() or member.isdir()) and parts[0] == FILESTORE
            and not os.path.isabs(member.name) and '..' not in parts)


def extract(tar, manifest, work, filestore, owner):
    dump = None
    for member in tar:
        if member.name == MANIFEST:
            continue  # read first, by read_manifest
        if member.name == DUMP and member.isfile():
            tar.extract(member, work, set_attrs=False)
            dump = os.path.join(work, DUMP)
        elif safe_member(member):
            relative = member.name[len(FILESTORE):].lstrip('/')
            target = os.path.join(filestore, relative)
            if member.isdir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with tar.extractfile(member) as src, open(target, 'wb') as dst:
                shutil.copyfileobj(src, dst)
        else:
            raise Refused(f'unexpected entry {member.name!r} in the snapshot')
    if dump is None:
        raise Refused('the snapshot holds no database dump')
    if sha256_of(dump) != manifest['dump_sha256']:
        raise Refused('the database dump does not match its manifest (a damaged or altered file)')
    if owner is not None and os.path.isdir(filestore):
        for root, dirs, files in os.walk(filestore):
            for name in dirs + files:
                os.chown(os.path.join(root, name), *owner)
        os.chown(filestore, *owner)
    return dump


def password_hash(password):
    """Odoo's stored form of PASSWORD (passlib's pbkdf2_sha512, which Odoo verifies)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac('sha512', password.encode(), salt, PBKDF2_ROUNDS)

    def ab64(raw):
        return base64.b64encode(raw).decode().rstrip('=').replace('+', '.')
    return f'$pbkdf2-sha512${PBKDF2_ROUNDS}${ab64(salt)}${ab64(digest)}'


def parse_hosts(spec):
    if spec == 'keep':
        return ''
    if spec.startswith('demo:') and spec[len('demo:'):]:
        return spec[len('demo:'):]
    raise argparse.ArgumentTypeError(f'--hosts takes demo:HOST or keep, not {spec!r}')


def anonymize(db, data_dir, demo_host, admin_password):
    """Runs gss_anonymize.sql in one transaction, then removes the files it left unreferenced.
    DEMO_HOST '' keeps the game servers' hosts."""
    variables = {
        'admin_hash': password_hash(admin_password),
        'demo_host': demo_host,
        'db_secret': str(uuid.uuid4()),
        'db_uuid': str(uuid.uuid1()),
    }
    command = ['psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', db]
    for name, value in variables.items():
        command += ['-v', f'{name}={value}']
    out = run(command + ['-f', ANONYMIZE_SQL])
    # The script ends by listing the files of the attachments it deleted.
    removed = 0
    filestore = os.path.join(data_dir, FILESTORE, db)
    for fname in filter(None, (line.strip() for line in out.splitlines())):
        path = os.path.normpath(os.path.join(filestore, fname))
        if path.startswith(filestore + os.sep) and os.path.isfile(path):
            os.unlink(path)
            removed += 1
    log(f'anonymized {db}; {removed} files of deleted attachments removed')


def restore(args):
    db = args.database
    filestore = os.path.join(args.data_dir, FILESTORE, db)
    try:
        archive = tarfile.open(args.snapshot, 'r:')
    except (tarfile.TarError, OSError) as err:
        raise Refused(f'cannot read {args.snapshot} as a snapshot: {err}') from None
    with archive as tar:
        manifest = read_manifest(tar)
        check_restorable(manifest, odoo_series(args.odoo_bin), db, filestore)
        log(f"restoring {args.snapshot} (Odoo {manifest['odoo_version']}, {ADDON} "
            f"{manifest['addon_version']}, made {manifest['created_at']}) into database {db}")
        stat = os.stat(args.data_dir)
        owner = (stat.st_uid, stat.st_gid) if os.geteuid() == 0 else None
        created = False
        try:
            with tempfile.TemporaryDirectory(prefix='gss-restore-') as work:
                dump = extract(tar, manifest, work, filestore, owner)
                # As Odoo creates its databases: from template0, UTF-8, C collation.
                run(['createdb', '--template=template0', '--encoding=UTF8', '--lc-collate=C', db])
                created = True
                run(['pg_restore', '--no-owner', '--no-privileges', '--exit-on-error', '-d', db, dump])
            if not args.backup:
                make_safe(args, db)
        except BaseException:
            if created:
                subprocess.run(['dropdb', '--if-exists', db], capture_output=True)
            # The folder was absent or empty (check_restorable): all of it is this run's.
            shutil.rmtree(filestore, ignore_errors=True)
            raise
    if args.backup:
        log(f'database {db} restored as it was backed up')
    else:
        log(f'database {db} restored, neutralized and anonymized; log in as admin with the password '
            f'given (--admin-password)' + ('' if args.key_file else '; make its service key with '
                                           'gss_service_user.py --rotate'))
    return 0


def make_safe(args, db):
    """Neutralize, anonymize and (with --key-file) a service key of the copy's own."""
    run(odoo_subcommand(args.odoo_bin, 'neutralize') + ['-d', db] + args.odoo_args)
    anonymize(db, args.data_dir, args.hosts, args.admin_password)
    if args.key_file:
        command = [sys.executable, SERVICE_USER_TOOL, '--odoo-bin', args.odoo_bin, '-d', db,
                   '--login', args.login, '--key-file', args.key_file, '--rotate']
        if args.owner:
            command += ['--owner', args.owner]
        run(command + (['--'] + args.odoo_args if args.odoo_args else []))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='gss_snapshot.py', description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    snap = commands.add_parser('snapshot', help='dump a database and its files into one archive')
    snap.add_argument('-d', '--database', required=True)
    snap.add_argument('--data-dir', required=True, help="Odoo's data_dir (holds filestore/DB)")
    snap.add_argument('--out', required=True, help='the archive to write (never overwritten)')
    rest = commands.add_parser('restore', help='restore an archive as a new, safe database')
    rest.add_argument('snapshot', help='the archive')
    rest.add_argument('-d', '--database', required=True, help='the new database')
    rest.add_argument('--data-dir', required=True, help="Odoo's data_dir (gets filestore/DB)")
    rest.add_argument('--odoo-bin', required=True,
                      help='command that runs Odoo, split like a shell does, e.g. "odoo-bin -c odoo.conf" '
                           '(the subcommand goes right after odoo-bin or odoo)')
    rest.add_argument('--backup', action='store_true',
                      help='restore a backup as it was: no neutralization, no anonymization')
    rest.add_argument('--hosts', type=parse_hosts,
                      help="demo:HOST points every game server at HOST (the demo fleet's), keep leaves them")
    rest.add_argument('--admin-password', help="the admin's password in the copy")
    rest.add_argument('--key-file', help='also make a new service key for this copy, written here')
    rest.add_argument('--login', default='gss-service', help='the service user (default: gss-service)')
    rest.add_argument('--owner', help='USER[:GROUP] to own the key file (see gss_service_user.py)')
    rest.add_argument('odoo_args', nargs='*', help='after --: options for odoo (--addons-path, ...)')
    args = parser.parse_args(argv)
    if args.command == 'restore' and not args.backup:
        missing = [name for name, value in (('--hosts', args.hosts), ('--admin-password', args.admin_password))
                   if value is None]
        if missing:
            parser.error(f'a copy made safe needs {" and ".join(missing)} (or --backup to restore a backup as it was)')
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return snapshot(args) if args.command == 'snapshot' else restore(args)
    except Refused as err:
        log(str(err))
        return 2
    except CommandFailed as err:
        log(str(err))
        return 1


if __name__ == '__main__':
    sys.exit(main())
