/*
 * Operator command: query one game server once, the way a poll worker does, and print the
 * StatusReport as one line of JSON (serverId 0).
 *
 *   npm run --silent query -- <game> <host>[:<port>] [--timeout <ms>] [--provider <id>]
 *   npm run --silent query -- --games        (every game id: provider, default port, name)
 *
 * Any game id of the games table works (GameDig's ids). `--provider` sends this one query
 * through another provider able to answer the game (e.g. `minecraft-http`, `gamedig`).
 * The providers' environment (PROVIDER_*, MCSRVSTAT_URL) applies as in the poller.
 * Exit status: 0 the server answered, 1 it is offline (the report says why), 2 bad arguments.
 *
 * A one-shot loads only what one query needs: the registry without NestJS (core), the
 * report and address helpers by their own modules, not the libraries' barrels (NestJS,
 * class-validator: about 90 MB of the 140 MB RSS the command had). The providers run lazily
 * (GameDig is imported by the first query that needs it).
 */
import { type StatusReport, offlineReport, onlineReport } from '#common/status-report';
import { parseHostPort } from '#common/host-port';
import {
  type GameEntry,
  ProviderError,
  type ProvidersOptions,
  createProviderRegistry,
} from '#providers/core';

export const USAGE =
  'usage: query <game> <host>[:<port>] [--timeout <ms>] [--provider <id>]   ' +
  '(IPv6 with a port: [::1]:25565)\n       query --games   (the game ids)';
export const DEFAULT_TIMEOUT_MS = 3000;
const MAX_TIMEOUT_MS = 600_000;

export interface QueryArgs {
  game: string;
  host: string;
  /** Undefined: the game's default port. */
  port: number | undefined;
  timeoutMs: number;
  /** Undefined: the game's own provider. */
  provider: string | undefined;
}

export type ParsedArgs =
  | ({ kind: 'query' } & QueryArgs)
  | { kind: 'help' }
  | { kind: 'games' }
  | { kind: 'error'; message: string };

/** Reads the command line (without `node` and the script); pure, so it is unit-tested. */
export function parseQueryArgs(argv: readonly string[], gameIds: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  let provider: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--games') return { kind: 'games' };
    if (arg === '--provider' || arg.startsWith('--provider=')) {
      const value = arg === '--provider' ? argv[++i] : arg.slice('--provider='.length);
      if (value === undefined || !/^[a-z0-9-]{1,40}$/.test(value)) {
        return { kind: 'error', message: `bad --provider '${value ?? ''}'` };
      }
      provider = value;
    } else if (arg === '--timeout' || arg.startsWith('--timeout=')) {
      const value = arg === '--timeout' ? argv[++i] : arg.slice('--timeout='.length);
      const ms = value !== undefined && /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
      if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
        return {
          kind: 'error',
          message: `bad --timeout '${value ?? ''}' (1-${MAX_TIMEOUT_MS} ms)`,
        };
      }
      timeoutMs = ms;
    } else if (arg.startsWith('-') && arg !== '-') {
      return { kind: 'error', message: `unknown option '${arg}'` };
    } else {
      positional.push(arg);
    }
  }
  const [game, address, ...extra] = positional;
  if (game === undefined || address === undefined) {
    return { kind: 'error', message: 'missing arguments' };
  }
  if (extra.length > 0) return { kind: 'error', message: `unexpected argument '${extra[0]}'` };
  if (!gameIds.includes(game)) {
    return { kind: 'error', message: `unknown game '${game}' (query --games lists them)` };
  }
  const target = parseHostPort(address);
  if ('error' in target) return { kind: 'error', message: target.error };
  return { kind: 'query', game, host: target.host, port: target.port, timeoutMs, provider };
}

/** One line per game: id, provider, default port, name; tab-separated for `cut` and `grep`. */
export function formatGames(games: readonly GameEntry[]): string {
  return games.map((g) => [g.id, g.provider, g.defaultPort ?? '-', g.name].join('\t')).join('\n');
}

function fail(message: string): number {
  process.stderr.write(`query: ${message}\n${USAGE}\n`);
  return 2;
}

/** Whether the environment sets one of the providers' variables (ProvidersEnv's names). */
export function setsProviderEnv(env: NodeJS.ProcessEnv): boolean {
  return Object.keys(env).some((name) => name.startsWith('PROVIDER_') || name === 'MCSRVSTAT_URL');
}

/**
 * The providers' options from the environment, validated as in the poller. The validation
 * (class-validator) is loaded only when there is something to validate; otherwise the
 * defaults apply, the same ones ProvidersEnv gives.
 */
async function providersOptions(): Promise<Partial<ProvidersOptions> | string> {
  if (!setsProviderEnv(process.env)) return {};
  const [{ ConfigError, validateEnv }, { ProvidersEnv, toProvidersOptions }] = await Promise.all([
    import('#common/config/load-config'),
    import('#providers/providers.env'),
  ]);
  try {
    return toProvidersOptions(validateEnv(ProvidersEnv, process.env));
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = await providersOptions();
  if (typeof options === 'string') return fail(options);
  const { registry, services } = createProviderRegistry(options);
  try {
    const games = registry.games();
    // GameDig's former ids too: the registry resolves them to the current one.
    const parsed = parseQueryArgs(
      argv,
      games.flatMap((game) => [game.id, ...game.aliases]),
    );
    switch (parsed.kind) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'games':
        process.stdout.write(`${formatGames(games)}\n`);
        return 0;
      case 'error':
        return fail(parsed.message);
      case 'query':
        break;
    }
    const able = registry.providersFor(parsed.game);
    if (parsed.provider !== undefined && !able.includes(parsed.provider)) {
      return fail(
        `provider '${parsed.provider}' cannot answer ${parsed.game} (able: ${able.join(', ')})`,
      );
    }
    let report: StatusReport;
    try {
      const status = await registry
        .get(parsed.game, parsed.provider)
        .query({ host: parsed.host, port: parsed.port }, { timeoutMs: parsed.timeoutMs });
      report = onlineReport(0, new Date(), status);
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      report = offlineReport(0, new Date(), { code: err.code, message: err.message });
    }
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report.online ? 0 : 1;
  } finally {
    await services.close();
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `query: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
