/*
 * Operator command: fills the catalog (Odoo's game.server) from one source, idempotently.
 *
 *   npm run --silent seed -- --empty | --demo [--demo-host H] | --file servers.xlsx
 *                            | --from-odoo URL --from-db DB --from-login L --from-api-key-file F
 *                            [--dry-run] [--if-empty]
 *   SEED_SOURCE=snapshot:NAME npm run --silent seed   (compose: the restored snapshot brought
 *                                                      the catalog; adds nothing)
 *   npm run --silent seed -- --snapshot FILE --odoo-bin CMD --data-dir DIR   (natively: restores
 *                                                      a snapshot into ODOO_DB, made safe)
 *
 * Every row is checked with the rules of POST /servers; a server already in the catalog
 * (same game, host in any case, and port) is skipped, so a second run adds nothing. Bad rows
 * are listed with their line and reason, and the good ones are still written, in one create
 * RPC per 500. A dry run needs no Odoo: without one (not configured, or not answering) it
 * checks every row all the same, and only cannot say which are already in the catalog.
 * Exit status: 0 all rows good, 1 some bad, 2 usage, configuration or connection error.
 * No NestJS here: the repository is used directly, as `query` uses the providers.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CatalogServer,
  ConfigError,
  ConfigReader,
  ODOO_SERVER_MODEL,
  OdooEnv,
  ServerRepository,
  odooClientFor,
  validateEnv,
} from '#common';
import { type OdooClient, OdooError } from '#odoo-client';
import { GAMES } from '#providers';
import { demoServers } from './seed/demo-fleet.js';
import { GameNames } from './seed/game-names.js';
import {
  type RestoreOptions,
  SeedEnv,
  type SeedSource,
  USAGE,
  fromOdooProblem,
  parseSeedArgs,
} from './seed/seed-args.js';
import { type SeedPlan, type SeedRow, checkServer, describe, planSeed } from './seed/seed-plan.js';
import { SheetError, readSheet } from './seed/sheet-reader.js';
import { sheetRows } from './seed/sheet-rows.js';
import { resolveCustomers } from './seed/customers.js';

/** Servers per create RPC: Odoo's client sends at most this many per call anyway. */
const BATCH_SIZE = 500;

/** A failure that ends the run with exit status 2, and what to tell the operator. */
class SeedFailure extends Error {}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const config = new ConfigReader(process.env);
  const seedEnv = config.read(SeedEnv);
  const parsed = parseSeedArgs(argv, seedEnv ?? new SeedEnv());
  switch (parsed.kind) {
    case 'help':
      print(USAGE);
      return 0;
    case 'error':
      // A bad SEED_SOURCE reads as no source at all: name the variable first.
      config.assertValid(seedEnv);
      process.stderr.write(`seed: ${parsed.message}\n${USAGE}\n`);
      return 2;
    case 'restore':
      return restoreSnapshot(parsed.options, process.env);
    case 'seed':
      break;
  }
  const { source, dryRun, ifEmpty, createCustomers } = parsed.options;
  if (source.kind === 'snapshot') {
    const [odoo] = config.assertValid(config.read(OdooEnv), seedEnv);
    return cameWithSnapshot(odoo, source.name);
  }
  if (dryRun) {
    config.assertValid(seedEnv);
    return dryRunOf(source, odooOrWhyNot(), ifEmpty, createCustomers);
  }
  const [odoo] = config.assertValid(config.read(OdooEnv), seedEnv);
  const target = odooClientFor(odoo);
  try {
    const { servers, catalog } = await openCatalog(target, odoo, source);
    if (ifEmpty && catalog.length > 0) {
      print('the catalog is not empty: nothing added (--if-empty)');
      return 0;
    }
    const { rows, created } = await resolveCustomers(
      await readSource(source, odoo.ODOO_TIMEOUT_MS),
      servers,
      { create: createCustomers, dryRun: false },
    );
    const plan = planSeed(rows, catalog);
    await write(servers, plan);
    for (const name of created) print(`created customer '${name}'`);
    report(plan, false);
    return plan.bad.length > 0 ? 1 : 0;
  } finally {
    target.close();
  }
}

/** The snapshot tool, found from here up in this checkout (dist/ or the sources). */
function snapshotTool(): string {
  const tool = path.join('odoo', 'tools', 'gss_snapshot.py');
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, tool))) return path.join(dir, tool);
    if (dir === path.dirname(dir)) throw new SeedFailure(`${tool} not found above this command`);
  }
}

/**
 * `--snapshot FILE`: the snapshot tool's restore into ODOO_DB, where Odoo runs (it needs Odoo's
 * own neutralize and PostgreSQL). The tool says what it does and refuses; its exit status is
 * this command's (0 done, 2 refused or a usage error, 1 a step that failed).
 */
async function restoreSnapshot(options: RestoreOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const database = env['ODOO_DB'];
  if (!database) {
    process.stderr.write('seed: --snapshot restores into ODOO_DB: set it\n');
    return 2;
  }
  const args = [
    snapshotTool(),
    'restore',
    options.file,
    '-d',
    database,
    '--data-dir',
    options.dataDir,
    '--odoo-bin',
    options.odooBin,
    '--hosts',
    options.hosts,
    '--admin-password',
    options.adminPassword,
  ];
  // The apps' key file gets the copy's new service key.
  const keyFile = env['ODOO_API_KEY_FILE'];
  if (keyFile) args.push('--key-file', keyFile);
  const tool = spawn('python3', args, { stdio: 'inherit' });
  const [code] = (await once(tool, 'exit')) as [number | null];
  return code ?? 1;
}

/**
 * `SEED=snapshot:NAME` in compose: odoo-init restored the snapshot, whose catalog is the one
 * to keep, so nothing is added (a dry run alike); only proves Odoo and the addon answer.
 */
async function cameWithSnapshot(odoo: OdooEnv, name: string): Promise<number> {
  const target = odooClientFor(odoo);
  try {
    await openCatalog(target, odoo, { kind: 'snapshot', name });
    print(`the catalog came with the snapshot ${name}: nothing added`);
    return 0;
  } finally {
    target.close();
  }
}

/** The catalog to seed, read after proving Odoo ready; says where it is and how big. */
async function openCatalog(
  target: OdooClient,
  odoo: OdooEnv,
  source: SeedSource,
): Promise<{ servers: ServerRepository; catalog: CatalogServer[] }> {
  await ready(target, `the catalog at ${odoo.ODOO_URL}`);
  const servers = new ServerRepository(target);
  const catalog = await servers.listCatalog({ includeArchived: true });
  print(
    `seed: ${describeSource(source)} into ${odoo.ODOO_URL} database ${odoo.ODOO_DB}, ` +
      `whose catalog has ${catalog.length} servers`,
  );
  return { servers, catalog };
}

/** The target Odoo's variables, or why there are none: a dry run goes on without them. */
function odooOrWhyNot(): OdooEnv | string {
  try {
    return validateEnv(OdooEnv, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return `Odoo is not configured: ${err.problems.join('; ')}`;
  }
}

/**
 * Checks every row and writes nothing. With Odoo at hand the rows already in its catalog are
 * told apart; without it (not configured, or not ready) that check alone is left out, and the
 * output says so and why.
 */
async function dryRunOf(
  source: SeedSource,
  odoo: OdooEnv | string,
  ifEmpty: boolean,
  createCustomers: boolean,
): Promise<number> {
  const catalog = typeof odoo === 'string' ? odoo : await catalogOrWhyNot(odoo, source);
  if (typeof catalog === 'string') {
    print(
      `seed: ${describeSource(source)}, checked without the catalog (${catalog}): ` +
        'every row is checked, but not whether it is already there',
    );
  } else if (ifEmpty && catalog.length > 0) {
    print('the catalog is not empty: nothing added (--if-empty)');
    return 0;
  }
  const timeoutMs = typeof odoo === 'string' ? new OdooEnv().ODOO_TIMEOUT_MS : odoo.ODOO_TIMEOUT_MS;
  const known = typeof catalog === 'string' ? undefined : catalog;
  let rows = await readSource(source, timeoutMs);
  if (known !== undefined && typeof odoo !== 'string') {
    const target = odooClientFor(odoo);
    try {
      const resolution = await resolveCustomers(rows, new ServerRepository(target), {
        create: createCustomers,
        dryRun: true,
      });
      rows = resolution.rows;
      for (const name of resolution.created) print(`would create customer '${name}'`);
    } finally {
      target.close();
    }
  } else if (rows.some((row) => 'server' in row && row.server.customer !== undefined)) {
    print('customers not checked: they are looked up in the catalog');
  }
  const plan = planSeed(rows, known ?? []);
  report(plan, true, known !== undefined);
  return plan.bad.length > 0 ? 1 : 0;
}

/** The catalog, or why it cannot be read (the one line a real run would fail with). */
async function catalogOrWhyNot(
  odoo: OdooEnv,
  source: SeedSource,
): Promise<CatalogServer[] | string> {
  const target = odooClientFor(odoo);
  try {
    return (await openCatalog(target, odoo, source)).catalog;
  } catch (err) {
    if (err instanceof SeedFailure || err instanceof OdooError) return err.message;
    throw err;
  } finally {
    target.close();
  }
}

async function ready(client: OdooClient, what: string): Promise<void> {
  try {
    await client.ready({ model: ODOO_SERVER_MODEL });
  } catch (err) {
    if (err instanceof OdooError) throw new SeedFailure(`${what}: ${err.message}`);
    throw err;
  }
}

function describeSource(source: SeedSource): string {
  switch (source.kind) {
    case 'empty':
      return 'nothing (--empty)';
    case 'demo':
      return `the demo servers at ${source.host}`;
    case 'file':
      return source.path;
    case 'odoo':
      return `the catalog of ${source.variables['ODOO_URL'] ?? '?'} database ${source.variables['ODOO_DB'] ?? '?'}`;
    case 'snapshot':
      return `the snapshot ${source.name} (restored by odoo-init)`;
  }
}

/** The source's rows, each checked; `timeoutMs` bounds each call to a source Odoo. */
async function readSource(source: SeedSource, timeoutMs: number): Promise<SeedRow[]> {
  switch (source.kind) {
    case 'empty':
    case 'snapshot':
      return [];
    case 'demo':
      return demoServers(source.host).map((server, i) => checkServer(`demo ${i + 1}`, server));
    case 'file': {
      const sheet = sheetRows(await readSheet(source.path), new GameNames(GAMES));
      if (sheet.ignoredColumns.length > 0) {
        print(`ignored columns: ${sheet.ignoredColumns.join(', ')}`);
      }
      return sheet.rows;
    }
    case 'odoo':
      return copyFrom(source.variables, timeoutMs);
  }
}

/** The other Odoo's servers, archived ones too, with their catalog fields and nothing else. */
async function copyFrom(variables: Record<string, string>, timeoutMs: number): Promise<SeedRow[]> {
  let env: OdooEnv;
  try {
    env = validateEnv(OdooEnv, { ...variables, ODOO_TIMEOUT_MS: String(timeoutMs) });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new SeedFailure(
      `bad source Odoo:\n${err.problems.map((p) => `  - ${fromOdooProblem(p)}`).join('\n')}`,
    );
  }
  const client = odooClientFor(env);
  try {
    await ready(client, `the source catalog at ${env.ODOO_URL}`);
    const servers = await new ServerRepository(client).listCatalog({ includeArchived: true });
    return servers.map(({ id, name, game, host, port, queryPort, pollIntervalS, active }) =>
      checkServer(`source id ${id}`, { name, game, host, port, queryPort, pollIntervalS, active }),
    );
  } finally {
    client.close();
  }
}

async function write(servers: ServerRepository, plan: SeedPlan): Promise<void> {
  let added = 0;
  for (let at = 0; at < plan.add.length; at += BATCH_SIZE) {
    const batch = plan.add.slice(at, at + BATCH_SIZE);
    try {
      await servers.createMany(batch.map((row) => row.server));
    } catch (err) {
      if (!(err instanceof OdooError)) throw err;
      throw new SeedFailure(
        `Odoo refused a batch after ${added} servers were added (a re-run skips them): ${err.message}`,
      );
    }
    added += batch.length;
  }
}

/** Each row's fate, then the counts; `catalogRead` false: nothing could be found already there. */
function report(plan: SeedPlan, dryRun: boolean, catalogRead = true): void {
  if (dryRun) {
    for (const { where, server } of plan.add) print(`would add ${where}: ${describe(server)}`);
    for (const { where, server } of plan.skipped) {
      print(`already there ${where}: ${describe(server)}`);
    }
  }
  for (const { where, error } of plan.bad) print(`${where}: ${error}`);
  const skipped = catalogRead
    ? `skipped ${plan.skipped.length} (already there)`
    : 'catalog not read (already there unknown)';
  const counts = `${skipped}, bad ${plan.bad.length}`;
  print(
    dryRun
      ? `dry run, nothing written: would add ${plan.add.length}, ${counts}`
      : `added ${plan.add.length}, ${counts}`,
  );
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const expected =
        err instanceof SeedFailure ||
        err instanceof ConfigError ||
        err instanceof SheetError ||
        err instanceof OdooError;
      const why =
        err instanceof Error ? (expected ? err.message : (err.stack ?? err.message)) : err;
      process.stderr.write(`seed: ${String(why)}\n`);
      // 1 means "some rows were bad, the rest is written": any failure of the run itself is 2.
      process.exitCode = 2;
    },
  );
}
