/*
 * The games table: every game id GameDig knows (its lib/games.js, read from the installed
 * package, so an upgrade brings its new games), which of our providers answers it, and
 * its ports. A native provider takes a game over from the GameDig adapter by GameDig's
 * protocol name (all `valve` games go to our A2S provider, ...) or by id; every other
 * game stays with the adapter. Ids never change: they are GameDig's.
 *
 * Only GameDig's data file is loaded here, not GameDig itself (about 25 MB of modules).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GameDefinition } from './game-provider.js';

/** One row of the game table: a game, the provider that answers it, its ports. */
export interface GameEntry extends GameDefinition {
  /** Id of the {@link GameProvider} that queries this game by default. */
  readonly provider: string;
  /**
   * The ids GameDig gave this game before its 4.x/5.x renames (`arkse` for `ase`, `tf2` for
   * `teamfortress2`, ...), accepted wherever a game id is read and turned into {@link id}.
   */
  readonly aliases: readonly string[];
}

/** GameDig protocols our native providers take over, with the provider taking them. */
const NATIVE_BY_PROTOCOL: Readonly<Record<string, string>> = {
  valve: 'valve',
  quake3: 'quake3',
  fivem: 'fivem',
};

/** Games taken over by id: GameDig answers both with one meta protocol, we with two. */
const NATIVE_BY_ID: Readonly<Record<string, string>> = {
  minecraft: 'minecraft',
  mbe: 'minecraft-bedrock',
  // GameDig's `minetest` reads the public server list over the internet, not the server.
  minetest: 'luanti',
};

/** Other names our users give a GameDig game (Minetest was renamed Luanti in 2024). */
const EXTRA_ALIASES: Readonly<Record<string, readonly string[]>> = {
  minetest: ['luanti'],
};

/**
 * Games GameDig does not list, each answered by a native provider of ours; their ids follow
 * GameDig's style (lower case, no separators) so they read like the rest of the table.
 */
const OWN_GAMES: readonly GameEntry[] = [
  {
    id: 'ddnet',
    name: 'DDraceNetwork',
    provider: 'teeworlds',
    aliases: [],
    defaultPort: 8303,
    gamePort: null,
    queryPortOffset: null,
  },
  {
    id: 'sauerbraten',
    name: 'Cube 2: Sauerbraten',
    provider: 'cube2',
    aliases: [],
    defaultPort: 28786,
    gamePort: 28785,
    queryPortOffset: 1,
  },
  {
    id: 'teeworlds',
    name: 'Teeworlds',
    provider: 'teeworlds',
    aliases: [],
    defaultPort: 8303,
    gamePort: null,
    queryPortOffset: null,
  },
];

/**
 * Valve games whose name, count or version live in A2S_RULES (GameDig reads them there);
 * our A2S provider does not ask for rules, so these stay with the adapter.
 */
const RULES_BASED_VALVE_GAMES = new Set(['battalion1944', 'soulmask']);

interface GameDigRow {
  name?: unknown;
  /** GameDig keeps a renamed game's former id here (its `checkOldIDs` option reads it). */
  extra?: { old_id?: unknown };
  options?: {
    port?: unknown;
    port_query?: unknown;
    port_query_offset?: unknown;
    protocol?: unknown;
  };
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535;
}

const require = createRequire(import.meta.url);

/**
 * The path of a file of the installed GameDig package, e.g. `lib/games.js`: the package
 * exports only its entry points, and its other files sit beside them.
 */
export function gameDigPackageFile(relative: string): string {
  return path.join(path.dirname(require.resolve('gamedig')), '..', relative);
}

function loadGameDigGames(): Record<string, GameDigRow> {
  const file = gameDigPackageFile('lib/games.js');
  const { games } = require(file) as { games?: Record<string, GameDigRow> };
  if (!games) throw new Error(`no games table in ${file}`);
  return games;
}

/** GameDig's protocol name of each game id, e.g. `counterstrike2` → `valve`. */
const protocols = new Map<string, string>();

function toEntry(id: string, row: GameDigRow): GameEntry | undefined {
  const options = row.options;
  if (typeof row.name !== 'string' || typeof options?.protocol !== 'string') return undefined;
  protocols.set(id, options.protocol);
  const oldId = row.extra?.old_id;
  const aliases = [
    ...(typeof oldId === 'string' && oldId !== id ? [oldId] : []),
    ...(EXTRA_ALIASES[id] ?? []),
  ];
  const provider =
    NATIVE_BY_ID[id] ??
    (RULES_BASED_VALVE_GAMES.has(id) ? undefined : NATIVE_BY_PROTOCOL[options.protocol]) ??
    'gamedig';
  const gamePort = isPort(options.port) ? options.port : null;
  const rawOffset = options.port_query_offset;
  const offset = Array.isArray(rawOffset) ? (rawOffset as unknown[])[0] : rawOffset;
  const queryPortOffset = typeof offset === 'number' && Number.isInteger(offset) ? offset : null;
  if (isPort(options.port_query)) {
    const differs = gamePort !== null && gamePort !== options.port_query;
    return {
      id,
      name: row.name,
      provider,
      aliases,
      defaultPort: options.port_query,
      gamePort: differs ? gamePort : null,
      queryPortOffset: null,
    };
  }
  if (queryPortOffset !== null && queryPortOffset !== 0) {
    const queried = gamePort === null ? null : gamePort + queryPortOffset;
    return {
      id,
      name: row.name,
      provider,
      aliases,
      defaultPort: isPort(queried) ? queried : null,
      gamePort,
      queryPortOffset,
    };
  }
  return {
    id,
    name: row.name,
    provider,
    aliases,
    defaultPort: gamePort,
    gamePort: null,
    queryPortOffset: null,
  };
}

/**
 * Every game the poller can query, sorted by id. Ids are GameDig's ids (lib/games.js), so
 * a catalog written for GameDig keeps working, plus OWN_GAMES. A new native protocol takes
 * its games over in NATIVE_BY_PROTOCOL / NATIVE_BY_ID (or lists them in OWN_GAMES) and
 * registers its provider in provider.registry.ts.
 */
export const GAMES: readonly GameEntry[] = Object.entries(loadGameDigGames())
  .map(([id, row]) => toEntry(id, row))
  .filter((entry): entry is GameEntry => entry !== undefined)
  // Should GameDig ever list one of our own games, its row (and id) wins.
  .concat(OWN_GAMES.filter((own) => !protocols.has(own.id)))
  .sort((a, b) => a.id.localeCompare(b.id));

const byId = new Map(GAMES.map((game) => [game.id, game]));
/** Former ids to current ones (a current id wins, should an upgrade ever make an id both). */
const currentIdOf = new Map(
  GAMES.flatMap((game) => game.aliases.map((alias) => [alias, game.id] as const)),
);

/**
 * The current id of a game known by `gameId`, its current id or a former one (`arkse` gives
 * `ase`); undefined for an id we do not know.
 */
export function canonicalGameId(gameId: string): string | undefined {
  return byId.has(gameId) ? gameId : currentIdOf.get(gameId);
}

/** The table row of `gameId` (a current or a former id), if it is a game we know. */
export function findGame(gameId: string): GameEntry | undefined {
  return byId.get(gameId) ?? byId.get(currentIdOf.get(gameId) ?? '');
}

/** GameDig's protocol name for `gameId` (e.g. `valve`, `minecraft`), if GameDig knows it. */
export function gameDigProtocolOf(gameId: string): string | undefined {
  return protocols.get(gameId);
}

/** The games of one provider, as it declares them in `GameProvider.games`. */
export function gamesOfProvider(providerId: string): GameDefinition[] {
  return GAMES.filter((game) => game.provider === providerId).map(
    ({ id, name, defaultPort, gamePort, queryPortOffset }) => ({
      id,
      name,
      defaultPort,
      gamePort,
      queryPortOffset,
    }),
  );
}

/**
 * Every supported game id, e.g. for validating input (`@IsIn(GAME_IDS)`): current ids only,
 * so turn a former one into its current id first ({@link canonicalGameId}).
 */
export const GAME_IDS: readonly string[] = GAMES.map((game) => game.id);

/**
 * Where a game's queries usually go, for the message of a query that got no reply: the
 * commonest misconfiguration is a game port where the query port belongs.
 */
export function queryPortHint(game: GameDefinition, queriedPort: number): string {
  if (game.gamePort !== null && queriedPort === game.gamePort && game.defaultPort !== null) {
    return (
      `port ${queriedPort} is ${game.name}'s game port; its queries go to the query port ` +
      `(default ${game.defaultPort}): set the server's query port`
    );
  }
  if (game.queryPortOffset !== null) {
    const sign = game.queryPortOffset > 0 ? '+' : '-';
    const usual =
      game.gamePort !== null && game.defaultPort !== null
        ? ` (usually ${game.gamePort} and ${game.defaultPort})`
        : '';
    return (
      `${game.name} answers queries on the game port ${sign} ${Math.abs(game.queryPortOffset)}` +
      `${usual}: check the server's query port`
    );
  }
  if (game.defaultPort !== null && queriedPort !== game.defaultPort) {
    return (
      `${game.name} usually answers queries on port ${game.defaultPort}, port ${queriedPort} was ` +
      `asked: check the server's query port`
    );
  }
  return (
    `port ${queriedPort} is where ${game.name} usually answers queries: check that the server is ` +
    `up and the port open for UDP`
  );
}
