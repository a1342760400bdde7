import { ConfigError, type NewServer } from '#common';

/**
 * One server of the demo set. The catalog fields are what `seed --demo` writes; `players`
 * says what the demo game servers (test/support/demo-games.ts, the compose service
 * `demo-games`) serve on that port, and is absent for the servers nobody answers.
 */
export interface DemoServer {
  name: string;
  /** A GameDig id from the games table. */
  game: string;
  port: number;
  /** Where status queries go, when the game answers them on another port than it plays on. */
  queryPort?: number;
  players?: { max: number; map?: string };
}

/** A demo server as listed, with the variable that moves the port its status queries go to. */
export interface DemoEntry extends DemoServer {
  portVariable: string;
}

/** Where the demo's port variables are read: the environment of demo-games and of seed. */
export type DemoPortEnv = Readonly<Record<string, string | undefined>>;

/**
 * The demo set: real games on their usual ports (consecutive ones when a game runs several
 * servers on one host), every protocol the native providers speak, and two servers on ports
 * nobody answers, so that the demo also shows servers offline. demo-games binds exactly the
 * query ports of the servers with `players`.
 *
 * The ports here are the defaults. Each server's `portVariable` (DEMO_MC_SURVIVAL_PORT, ...)
 * moves the port its status queries go to (Valheim's query port; the others answer on their
 * game port). demo-games and `seed --demo` both read these variables through `demoFleet`, so
 * the catalog points where the demo servers answer; tests set them all to free ports.
 */
export const DEMO_FLEET: readonly DemoEntry[] = [
  {
    name: 'Survival EU #1',
    game: 'minecraft',
    port: 25565,
    portVariable: 'DEMO_MC_SURVIVAL_PORT',
    players: { max: 100 },
  },
  {
    name: 'Creative Plots',
    game: 'minecraft',
    port: 25566,
    portVariable: 'DEMO_MC_CREATIVE_PORT',
    players: { max: 60 },
  },
  {
    name: 'SkyBlock Islands',
    game: 'minecraft',
    port: 25567,
    portVariable: 'DEMO_MC_SKYBLOCK_PORT',
    players: { max: 80 },
  },
  {
    name: 'Hardcore Season 4',
    game: 'minecraft',
    port: 25568,
    portVariable: 'DEMO_MC_HARDCORE_PORT',
  },
  {
    name: 'Bedrock Survival',
    game: 'mbe',
    port: 19132,
    portVariable: 'DEMO_BEDROCK_SURVIVAL_PORT',
    players: { max: 30, map: 'Bedrock level' },
  },
  {
    name: 'Bedrock Bed Wars',
    game: 'mbe',
    port: 19133,
    portVariable: 'DEMO_BEDROCK_BEDWARS_PORT',
    players: { max: 40, map: 'Lobby' },
  },
  {
    name: 'CS2 Competitive #1',
    game: 'counterstrike2',
    port: 27015,
    portVariable: 'DEMO_CS2_COMPETITIVE_PORT',
    players: { max: 10, map: 'de_mirage' },
  },
  {
    name: 'CS2 Deathmatch 24/7',
    game: 'counterstrike2',
    port: 27016,
    portVariable: 'DEMO_CS2_DEATHMATCH_PORT',
    players: { max: 20, map: 'de_dust2' },
  },
  {
    name: 'CS2 Retakes',
    game: 'counterstrike2',
    port: 27019,
    portVariable: 'DEMO_CS2_RETAKES_PORT',
  },
  {
    name: 'TF2 2Fort 24/7',
    game: 'teamfortress2',
    port: 27017,
    portVariable: 'DEMO_TF2_PORT',
    players: { max: 24, map: 'ctf_2fort' },
  },
  {
    name: "Garry's Mod DarkRP",
    game: 'garrysmod',
    port: 27018,
    portVariable: 'DEMO_GMOD_PORT',
    players: { max: 64, map: 'rp_downtown_v4c_v2' },
  },
  {
    name: 'Rust Main [2x]',
    game: 'rust',
    port: 28015,
    portVariable: 'DEMO_RUST_PORT',
    players: { max: 150, map: 'Procedural Map' },
  },
  {
    name: 'Valheim Vikings',
    game: 'valheim',
    port: 2456,
    queryPort: 2457,
    portVariable: 'DEMO_VALHEIM_QUERY_PORT',
    players: { max: 10, map: 'Midgard' },
  },
  {
    name: 'OpenArena CTF',
    game: 'openarena',
    port: 27960,
    portVariable: 'DEMO_OPENARENA_PORT',
    players: { max: 16, map: 'oasago2' },
  },
  {
    name: 'Quake III FFA',
    game: 'q3a',
    port: 27961,
    portVariable: 'DEMO_Q3A_PORT',
    players: { max: 12, map: 'q3dm17' },
  },
];

/** The port status queries of a demo server go to. */
export function queryPort(server: DemoServer): number {
  return server.queryPort ?? server.port;
}

/**
 * The demo set with each query port from its variable in `env`, the default where unset.
 * @throws ConfigError naming every variable that is not a port
 */
export function demoFleet(env: DemoPortEnv): DemoServer[] {
  const problems: string[] = [];
  const fleet = DEMO_FLEET.map(({ portVariable, ...server }): DemoServer => {
    const raw = env[portVariable];
    if (raw === undefined || raw === '') return server;
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
      problems.push(`${portVariable} must be a port (1-65535), not '${raw}'`);
      return server;
    }
    return server.queryPort === undefined ? { ...server, port } : { ...server, queryPort: port };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return fleet;
}

/**
 * The demo set as catalog entries, every one at `host` (where demo-games runs), at the ports
 * the DEMO_*_PORT variables of `env` give.
 */
export function demoServers(host: string, env: DemoPortEnv = process.env): NewServer[] {
  return demoFleet(env).map(({ name, game, port, queryPort }) => ({
    name,
    game,
    host,
    port,
    ...(queryPort !== undefined && { queryPort }),
  }));
}
