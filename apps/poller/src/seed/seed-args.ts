import { IsIn, IsOptional, Matches } from 'class-validator';
import { HOST_PATTERN } from '#common';

export const USAGE = `usage: seed <source> [--dry-run] [--if-empty]
sources (exactly one; without one, SEED_SOURCE is read):
  --empty                      add nothing: check that Odoo answers and the addon is installed
  --demo [--demo-host HOST]    the demo servers, at HOST (default 127.0.0.1, or SEED_DEMO_HOST)
  --file PATH                  a CSV or XLSX sheet: name, game, address (host or host:port),
                               port, and optionally query port, interval, active, notes,
                               customer (a contact's exact name or reference in Odoo), tags
                               (separated by commas)
  --from-odoo URL --from-db DB --from-login LOGIN (--from-api-key-file FILE | --from-api-key KEY)
      [--from-protocol auto|json2|jsonrpc]
                               the catalog of another Odoo database (catalog fields only)
  --snapshot FILE --odoo-bin CMD --data-dir DIR [--snapshot-hosts demo:HOST|keep]
      [--admin-password PW]
                               restore a snapshot (odoo/tools/gss_snapshot.py) into ODOO_DB, a
                               new database, made safe: neutralized, anonymized, its game
                               servers on the demo host (default demo:SEED_DEMO_HOST or
                               127.0.0.1), admin's password PW (default admin); the new service
                               key goes to ODOO_API_KEY_FILE when set. Runs where Odoo runs
                               (CMD runs Odoo; PostgreSQL through PGHOST, PGUSER, ...)
  --dry-run     report what would be added, skipped and refused; write nothing
  --if-empty    add only into an empty catalog (SEED_IF_EMPTY=true)
  --create-customers  create a company for each customer Odoo does not have (otherwise
                their rows are refused)
The catalog written to is the poller's: ODOO_URL, ODOO_DB, ODOO_LOGIN, ODOO_API_KEY[_FILE].
SEED_SOURCE: empty | demo | file:/path/to/sheet.xlsx | snapshot:NAME (the catalog came with
  the snapshot NAME that compose's odoo-init restored: add nothing, only check that Odoo answers)
Exit status: 0 every row good, 1 some rows bad (the good ones are written), 2 usage,
configuration or connection error.`;

/** The seed command's environment: its source when the command line names none (compose). */
export class SeedEnv {
  @IsOptional()
  @Matches(/^(?:empty|demo|file:.+|snapshot:[\w-][\w.-]*)$/, {
    message:
      'SEED_SOURCE must be empty, demo, file:/path/to/sheet or snapshot:NAME ' +
      '(letters, digits, . _ -)',
  })
  SEED_SOURCE: string | undefined = undefined;

  @IsOptional()
  @Matches(HOST_PATTERN, { message: 'SEED_DEMO_HOST must be a hostname or an IP address' })
  SEED_DEMO_HOST: string | undefined = undefined;

  @IsIn(['true', 'false'])
  SEED_IF_EMPTY: 'true' | 'false' = 'false';
}

/** The other Odoo of `--from-odoo`, as the variables OdooEnv reads (so it is checked alike). */
export type FromOdooVariables = Record<string, string>;

export type SeedSource =
  | { kind: 'empty' }
  | { kind: 'demo'; host: string }
  | { kind: 'file'; path: string }
  | { kind: 'odoo'; variables: FromOdooVariables }
  /**
   * Compose's `SEED=snapshot:NAME`: odoo-init restored the snapshot NAME, catalog included,
   * so the seed adds nothing. Only from SEED_SOURCE: the command line has no such source.
   */
  | { kind: 'snapshot'; name: string };

export interface SeedOptions {
  source: SeedSource;
  dryRun: boolean;
  ifEmpty: boolean;
  createCustomers: boolean;
}

/** `--snapshot FILE`: what gss_snapshot.py restore is given besides the database. */
export interface RestoreOptions {
  file: string;
  odooBin: string;
  dataDir: string;
  /** `demo:HOST` or `keep`. */
  hosts: string;
  adminPassword: string;
}

export type ParsedSeedArgs =
  | { kind: 'seed'; options: SeedOptions }
  | { kind: 'restore'; options: RestoreOptions }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** The options only `--snapshot` takes, and its field each fills. */
const RESTORE_OPTIONS: Readonly<Record<string, keyof RestoreOptions>> = {
  '--snapshot': 'file',
  '--odoo-bin': 'odooBin',
  '--data-dir': 'dataDir',
  '--snapshot-hosts': 'hosts',
  '--admin-password': 'adminPassword',
};

/** Each `--from-*` option and the OdooEnv variable it fills. */
export const FROM_ODOO_OPTIONS: Readonly<Record<string, string>> = {
  '--from-odoo': 'ODOO_URL',
  '--from-db': 'ODOO_DB',
  '--from-login': 'ODOO_LOGIN',
  '--from-api-key': 'ODOO_API_KEY',
  '--from-api-key-file': 'ODOO_API_KEY_FILE',
  '--from-protocol': 'ODOO_PROTOCOL',
};

const DEFAULT_DEMO_HOST = '127.0.0.1';

/** Reads the command line (without `node` and the script), falling back on `env`; pure. */
export function parseSeedArgs(argv: readonly string[], env: SeedEnv): ParsedSeedArgs {
  const sources: SeedSource['kind'][] = [];
  let path: string | undefined;
  let snapshot = '';
  let demoHost: string | undefined;
  let dryRun = false;
  let ifEmpty = env.SEED_IF_EMPTY === 'true';
  let createCustomers = false;
  const fromOdoo: FromOdooVariables = {};
  const restore: Partial<RestoreOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name = '', inline] = arg.startsWith('--') ? splitAt(arg, '=') : [arg];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (name) {
      case '-h':
      case '--help':
        return { kind: 'help' };
      case '--empty':
      case '--demo':
        sources.push(name === '--empty' ? 'empty' : 'demo');
        break;
      case '--dry-run':
        dryRun = true;
        break;
      case '--if-empty':
        ifEmpty = true;
        break;
      case '--create-customers':
        createCustomers = true;
        break;
      case '--file':
        sources.push('file');
        path = value();
        if (!path) return { kind: 'error', message: '--file needs a path' };
        break;
      case '--demo-host': {
        demoHost = value();
        if (demoHost === undefined || !HOST_PATTERN.test(demoHost)) {
          return {
            kind: 'error',
            message: `bad --demo-host '${demoHost ?? ''}' (a host, no port)`,
          };
        }
        break;
      }
      default: {
        const field = RESTORE_OPTIONS[name];
        if (field !== undefined) {
          if (name === '--snapshot') sources.push('snapshot');
          const given = value();
          if (!given) return { kind: 'error', message: `${name} needs a value` };
          restore[field] = given;
          break;
        }
        const variable = FROM_ODOO_OPTIONS[name];
        if (variable === undefined) return { kind: 'error', message: `unknown argument '${arg}'` };
        if (name === '--from-odoo') sources.push('odoo');
        const given = value();
        if (given === undefined) return { kind: 'error', message: `${name} needs a value` };
        fromOdoo[variable] = given;
      }
    }
  }
  if (sources.length === 0 && env.SEED_SOURCE !== undefined) {
    // SeedEnv checked the shape: empty, demo, file:PATH or snapshot:NAME.
    const [fromEnv, rest = ''] = splitAt(env.SEED_SOURCE, ':') as [SeedSource['kind'], string?];
    if (fromEnv === 'file') path = rest;
    if (fromEnv === 'snapshot') snapshot = rest;
    sources.push(fromEnv);
  }
  const [kind, ...others] = sources;
  if (kind === undefined) return { kind: 'error', message: 'no source: pick one' };
  if (others.length > 0) return { kind: 'error', message: 'one source at a time' };
  if (demoHost !== undefined && kind !== 'demo') {
    return { kind: 'error', message: '--demo-host goes with --demo' };
  }
  if (Object.keys(fromOdoo).length > 0 && kind !== 'odoo') {
    return { kind: 'error', message: '--from-* options go with --from-odoo' };
  }
  if (restore.file !== undefined) {
    return restoreOptions(restore, env, {
      dryRun,
      ifEmpty: argv.includes('--if-empty'),
      createCustomers,
    });
  }
  if (Object.keys(restore).length > 0) {
    return {
      kind: 'error',
      message: `${Object.keys(RESTORE_OPTIONS).slice(1).join(', ')} go with --snapshot`,
    };
  }
  const source = ((): SeedSource => {
    switch (kind) {
      case 'demo':
        return { kind, host: demoHost ?? env.SEED_DEMO_HOST ?? DEFAULT_DEMO_HOST };
      case 'file':
        return { kind, path: path ?? '' };
      case 'odoo':
        return { kind, variables: fromOdoo };
      case 'snapshot':
        return { kind, name: snapshot };
      case 'empty':
        return { kind };
    }
  })();
  return { kind: 'seed', options: { source, dryRun, ifEmpty, createCustomers } };
}

/** `--snapshot`'s options, complete, or what is missing or does not go with it. */
function restoreOptions(
  given: Partial<RestoreOptions>,
  env: SeedEnv,
  others: { dryRun: boolean; ifEmpty: boolean; createCustomers: boolean },
): ParsedSeedArgs {
  if (others.dryRun || others.ifEmpty || others.createCustomers) {
    return {
      kind: 'error',
      message:
        '--snapshot restores a whole database: no --dry-run, --if-empty or --create-customers',
    };
  }
  const { file = '', odooBin, dataDir } = given;
  if (odooBin === undefined || dataDir === undefined) {
    return { kind: 'error', message: '--snapshot needs --odoo-bin and --data-dir' };
  }
  const hosts = given.hosts ?? `demo:${env.SEED_DEMO_HOST ?? DEFAULT_DEMO_HOST}`;
  if (hosts !== 'keep' && !/^demo:.+$/.test(hosts)) {
    return { kind: 'error', message: `bad --snapshot-hosts '${hosts}' (demo:HOST or keep)` };
  }
  return {
    kind: 'restore',
    options: { file, odooBin, dataDir, hosts, adminPassword: given.adminPassword ?? 'admin' },
  };
}

/**
 * `text` cut at the first `separator`: `--name=value` as name and value, `file:/a/b` as kind and
 * path; without the separator, `text` alone (`--name`, `demo`).
 */
function splitAt(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** A problem OdooEnv found with a `--from-*` variable, told with the option's name. */
export function fromOdooProblem(problem: string): string {
  let told = problem;
  // Longest first: ODOO_API_KEY_FILE before ODOO_API_KEY.
  const byLength = Object.entries(FROM_ODOO_OPTIONS).sort(([, a], [, b]) => b.length - a.length);
  for (const [option, variable] of byLength) told = told.replaceAll(variable, option);
  return told;
}
