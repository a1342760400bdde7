import { describe, expect, it } from 'vitest';
import { ConfigError, validateEnv } from '#common';
import { SeedEnv, fromOdooProblem, parseSeedArgs } from './seed-args.js';

const env = (values: Partial<SeedEnv> = {}): SeedEnv => Object.assign(new SeedEnv(), values);
const sut = (...argv: string[]) => parseSeedArgs(argv, env());

describe('parseSeedArgs', () => {
  it('reads each source', () => {
    expect(sut('--empty')).toEqual({
      kind: 'seed',
      options: { source: { kind: 'empty' }, dryRun: false, ifEmpty: false, createCustomers: false },
    });
    expect(sut('--demo', '--demo-host', 'demo-games')).toMatchObject({
      options: { source: { kind: 'demo', host: 'demo-games' } },
    });
    expect(sut('--file=servers.xlsx', '--dry-run')).toMatchObject({
      options: { source: { kind: 'file', path: 'servers.xlsx' }, dryRun: true },
    });
    expect(
      sut(
        '--from-odoo',
        'https://prod.test',
        '--from-db=prod',
        '--from-login',
        'svc',
        '--from-api-key-file',
        '/run/key',
        '--from-protocol',
        'jsonrpc',
      ),
    ).toMatchObject({
      options: {
        source: {
          kind: 'odoo',
          variables: {
            ODOO_URL: 'https://prod.test',
            ODOO_DB: 'prod',
            ODOO_LOGIN: 'svc',
            ODOO_API_KEY_FILE: '/run/key',
            ODOO_PROTOCOL: 'jsonrpc',
          },
        },
      },
    });
  });

  it('puts the demo at 127.0.0.1 unless told otherwise', () => {
    expect(sut('--demo')).toMatchObject({ options: { source: { host: '127.0.0.1' } } });
    expect(parseSeedArgs(['--demo'], env({ SEED_DEMO_HOST: 'demo-games' }))).toMatchObject({
      options: { source: { host: 'demo-games' } },
    });
  });

  it('reads the source from SEED_SOURCE when the command line names none', () => {
    expect(parseSeedArgs([], env({ SEED_SOURCE: 'file:/seed/a b.csv' }))).toMatchObject({
      options: { source: { kind: 'file', path: '/seed/a b.csv' } },
    });
    expect(parseSeedArgs(['--dry-run'], env({ SEED_SOURCE: 'empty' }))).toMatchObject({
      options: { source: { kind: 'empty' }, dryRun: true },
    });
    expect(parseSeedArgs(['--empty'], env({ SEED_SOURCE: 'demo' }))).toMatchObject({
      options: { source: { kind: 'empty' } },
    });
  });

  it('reads snapshot:NAME from SEED_SOURCE: the catalog came with the restored snapshot', () => {
    expect(parseSeedArgs([], env({ SEED_SOURCE: 'snapshot:prod-2026-12-07' }))).toEqual({
      kind: 'seed',
      options: {
        source: { kind: 'snapshot', name: 'prod-2026-12-07' },
        dryRun: false,
        ifEmpty: false,
        createCustomers: false,
      },
    });
    // A source on the command line wins, as for every SEED_SOURCE.
    expect(parseSeedArgs(['--empty'], env({ SEED_SOURCE: 'snapshot:prod' }))).toMatchObject({
      options: { source: { kind: 'empty' } },
    });
  });

  it('reads --snapshot FILE with what the restore needs, the demo host and password by default', () => {
    const restore = [
      '--snapshot',
      'prod.gss-snapshot',
      '--odoo-bin',
      'odoo-bin -c o.conf',
      '--data-dir=/d',
    ];
    expect(
      parseSeedArgs(restore, env({ SEED_DEMO_HOST: 'demo-games', SEED_IF_EMPTY: 'true' })),
    ).toEqual({
      kind: 'restore',
      options: {
        file: 'prod.gss-snapshot',
        odooBin: 'odoo-bin -c o.conf',
        dataDir: '/d',
        hosts: 'demo:demo-games',
        adminPassword: 'admin',
      },
    });
    expect(sut(...restore, '--snapshot-hosts', 'keep', '--admin-password', 's3cret')).toMatchObject(
      { options: { hosts: 'keep', adminPassword: 's3cret' } },
    );
  });

  it('adds only into an empty catalog with --if-empty or SEED_IF_EMPTY=true', () => {
    expect(sut('--demo', '--if-empty')).toMatchObject({ options: { ifEmpty: true } });
    expect(parseSeedArgs(['--demo'], env({ SEED_IF_EMPTY: 'true' }))).toMatchObject({
      options: { ifEmpty: true },
    });
  });

  it.each([
    [[], 'no source: pick one'],
    [['--empty', '--demo'], 'one source at a time'],
    [['--file'], '--file needs a path'],
    [['--empty', '--demo-host', 'h'], '--demo-host goes with --demo'],
    [['--demo', '--demo-host', 'h:1'], "bad --demo-host 'h:1' (a host, no port)"],
    [['--empty', '--from-db', 'x'], '--from-* options go with --from-odoo'],
    [['--from-odoo'], '--from-odoo needs a value'],
    [['--demo', 'extra'], "unknown argument 'extra'"],
    [['--demo', '--verbose'], "unknown argument '--verbose'"],
    [['--snapshot', 'f'], '--snapshot needs --odoo-bin and --data-dir'],
    [['--snapshot'], '--snapshot needs a value'],
    [['--demo', '--snapshot', 'f'], 'one source at a time'],
    [
      ['--snapshot', 'f', '--odoo-bin', 'o', '--data-dir', 'd', '--dry-run'],
      '--snapshot restores a whole database: no --dry-run, --if-empty or --create-customers',
    ],
    [
      ['--snapshot', 'f', '--odoo-bin', 'o', '--data-dir', 'd', '--snapshot-hosts', 'h'],
      "bad --snapshot-hosts 'h' (demo:HOST or keep)",
    ],
    [
      ['--demo', '--odoo-bin', 'o'],
      '--odoo-bin, --data-dir, --snapshot-hosts, --admin-password go with --snapshot',
    ],
  ])('refuses %j: %s', (argv, message) => {
    expect(sut(...argv)).toEqual({ kind: 'error', message });
  });

  it('asks for help', () => {
    expect(sut('--demo', '--help')).toEqual({ kind: 'help' });
  });
});

describe('SeedEnv', () => {
  const sut = (SEED_SOURCE: string) => () => validateEnv(SeedEnv, { SEED_SOURCE });

  it.each([
    'empty',
    'demo',
    'file:/seed/sheets/a b.csv',
    'snapshot:gss-2026-12-07',
    'snapshot:v1.2_x',
  ])('takes SEED_SOURCE=%s', (source) => {
    expect(sut(source)().SEED_SOURCE).toBe(source);
  });

  // NAME becomes the file /data/snapshots/NAME.gss-snapshot in odoo-init: no path, no dot first.
  it.each(['snapshot:', 'snapshot:../prod', 'snapshot:a/b', 'snapshot:.hidden', 'spreadsheet'])(
    'refuses SEED_SOURCE=%s',
    (source) => {
      expect(sut(source)).toThrow(ConfigError);
      expect(sut(source)).toThrow(
        /SEED_SOURCE must be empty, demo, file:\/path\/to\/sheet or snapshot:NAME/,
      );
    },
  );
});

describe('fromOdooProblem', () => {
  it('names the option instead of the variable it fills', () => {
    expect(fromOdooProblem('ODOO_API_KEY_FILE: cannot read /x')).toBe(
      '--from-api-key-file: cannot read /x',
    );
    expect(fromOdooProblem('ODOO_API_KEY should not be empty')).toBe(
      '--from-api-key should not be empty',
    );
    expect(fromOdooProblem('ODOO_URL must be a URL address')).toBe(
      '--from-odoo must be a URL address',
    );
  });
});
