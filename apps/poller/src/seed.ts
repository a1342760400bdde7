/*
 * Operator command: fills the catalog (Odoo's game.server) from one source, idempotently.
 *
 *   npm run --silent seed -- --empty | --demo [--demo-host H] | --file servers.xlsx
 *                            | --from-odoo URL --from-db DB --from-login L --from-api-key-file F
 *                            [--dry-run] [--if-empty]
 *
 * Every row is checked with the rules of POST /servers; a server already in the catalog
 * (same game, host in any case, and port) is skipped, so a second run adds nothing. Bad rows
 * are listed with their line and reason, and the good ones are still written, in one create
 * RPC per 500. Exit status: 0 all rows good, 1 some bad, 2 usage, configuration or connection
 * error. No NestJS here: the repository is used directly, as `query` uses the providers.
 */
import 'reflect-metadata';
import {
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
  SeedEnv,
  type SeedSource,
  USAGE,
  fromOdooProblem,
  parseSeedArgs,
} from './seed/seed-args.js';
import { type SeedPlan, type SeedRow, checkServer, describe, planSeed } from './seed/seed-plan.js';
import { SheetError, readSheet } from './seed/sheet-reader.js';
import { sheetRows } from './seed/sheet-rows.js';

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
    case 'seed':
      break;
  }
  const { source, dryRun, ifEmpty } = parsed.options;
  const [odoo] = config.assertValid(config.read(OdooEnv), seedEnv);
  const target = odooClientFor(odoo);
  try {
    await ready(target, `the catalog at ${odoo.ODOO_URL}`);
    const servers = new ServerRepository(target);
    const catalog = await servers.listCatalog({ includeArchived: true });
    print(
      `seed: ${describeSource(source)} into ${odoo.ODOO_URL} database ${odoo.ODOO_DB}, ` +
        `whose catalog has ${catalog.length} servers`,
    );
    if (ifEmpty && catalog.length > 0) {
      print('the catalog is not empty: nothing added (--if-empty)');
      return 0;
    }
    const rows = await readSource(source, odoo);
    const plan = planSeed(rows, catalog);
    if (!dryRun) await write(servers, plan);
    report(plan, dryRun);
    return plan.bad.length > 0 ? 1 : 0;
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
  }
}

async function readSource(source: SeedSource, odoo: OdooEnv): Promise<SeedRow[]> {
  switch (source.kind) {
    case 'empty':
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
      return copyFrom(source.variables, odoo);
  }
}

/** The other Odoo's servers, archived ones too, with their catalog fields and nothing else. */
async function copyFrom(variables: Record<string, string>, odoo: OdooEnv): Promise<SeedRow[]> {
  let env: OdooEnv;
  try {
    env = validateEnv(OdooEnv, { ...variables, ODOO_TIMEOUT_MS: String(odoo.ODOO_TIMEOUT_MS) });
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

function report(plan: SeedPlan, dryRun: boolean): void {
  if (dryRun) {
    for (const { where, server } of plan.add) print(`would add ${where}: ${describe(server)}`);
    for (const { where, server } of plan.skipped) {
      print(`already there ${where}: ${describe(server)}`);
    }
  }
  for (const { where, error } of plan.bad) print(`${where}: ${error}`);
  const counts = `skipped ${plan.skipped.length} (already there), bad ${plan.bad.length}`;
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
