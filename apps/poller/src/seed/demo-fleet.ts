import type { NewServer } from '#common';

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

/**
 * The demo set: real games on their usual ports (consecutive ones when a game runs several
 * servers on one host), every protocol the native providers speak, and two servers on ports
 * nobody answers, so that the demo also shows servers offline. demo-games binds exactly the
 * ports of the servers with `players`.
 */
export const DEMO_FLEET: readonly DemoServer[] = [
  { name: 'Survival EU #1', game: 'minecraft', port: 25565, players: { max: 100 } },
  { name: 'Creative Plots', game: 'minecraft', port: 25566, players: { max: 60 } },
  { name: 'SkyBlock Islands', game: 'minecraft', port: 25567, players: { max: 80 } },
  { name: 'Hardcore Season 4', game: 'minecraft', port: 25568 },
  {
    name: 'Bedrock Survival',
    game: 'mbe',
    port: 19132,
    players: { max: 30, map: 'Bedrock level' },
  },
  { name: 'Bedrock Bed Wars', game: 'mbe', port: 19133, players: { max: 40, map: 'Lobby' } },
  {
    name: 'CS2 Competitive #1',
    game: 'counterstrike2',
    port: 27015,
    players: { max: 10, map: 'de_mirage' },
  },
  {
    name: 'CS2 Deathmatch 24/7',
    game: 'counterstrike2',
    port: 27016,
    players: { max: 20, map: 'de_dust2' },
  },
  { name: 'CS2 Retakes', game: 'counterstrike2', port: 27019 },
  {
    name: 'TF2 2Fort 24/7',
    game: 'teamfortress2',
    port: 27017,
    players: { max: 24, map: 'ctf_2fort' },
  },
  {
    name: "Garry's Mod DarkRP",
    game: 'garrysmod',
    port: 27018,
    players: { max: 64, map: 'rp_downtown_v4c_v2' },
  },
  {
    name: 'Rust Main [2x]',
    game: 'rust',
    port: 28015,
    players: { max: 150, map: 'Procedural Map' },
  },
  {
    name: 'Valheim Vikings',
    game: 'valheim',
    port: 2456,
    queryPort: 2457,
    players: { max: 10, map: 'Midgard' },
  },
  { name: 'OpenArena CTF', game: 'openarena', port: 27960, players: { max: 16, map: 'oasago2' } },
  { name: 'Quake III FFA', game: 'q3a', port: 27961, players: { max: 12, map: 'q3dm17' } },
];

/** The demo set as catalog entries, every one at `host` (where demo-games runs). */
export function demoServers(host: string): NewServer[] {
  return DEMO_FLEET.map(({ name, game, port, queryPort }) => ({
    name,
    game,
    host,
    port,
    ...(queryPort !== undefined && { queryPort }),
  }));
}
