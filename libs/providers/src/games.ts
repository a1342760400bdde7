import type { GameDefinition } from './game-provider.js';

/** One row of the game table: a game, the provider (protocol) that answers it, its default port. */
export interface GameEntry extends GameDefinition {
  /** Id of the {@link GameProvider} that queries this game. */
  readonly provider: string;
}

/**
 * Every game the poller can query. Ids are GameDig's ids (lib/games.js) wherever GameDig
 * has one, so a catalog written for GameDig keeps working. Add a row per game; a new
 * protocol also needs its provider registered in provider.registry.ts.
 */
export const GAMES: readonly GameEntry[] = [
  { id: 'minecraft', name: 'Minecraft', provider: 'minecraft', defaultPort: 25565 },
];

/** The games of one provider, as it declares them in `GameProvider.games`. */
export function gamesOfProvider(providerId: string): GameDefinition[] {
  return GAMES.filter((game) => game.provider === providerId).map(({ id, name, defaultPort }) => ({
    id,
    name,
    defaultPort,
  }));
}

/** Every supported game id, e.g. for validating input (`@IsIn(GAME_IDS)`). */
export const GAME_IDS: readonly string[] = GAMES.map((game) => game.id);
