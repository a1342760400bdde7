import type { GameProvider } from './game-provider.js';
import type { GameEntry } from './games.js';
import { MinecraftProvider } from './minecraft/minecraft.provider.js';
import { ProviderError } from './provider.error.js';

/** Every provider class, in one place: the registry factory and ProvidersModule both use it. */
export const PROVIDER_CLASSES = [MinecraftProvider] as const;

/** Finds the provider answering a game, by the game's id (GameDig's ids). */
export class ProviderRegistry {
  private readonly byGame = new Map<string, { provider: GameProvider; entry: GameEntry }>();

  /** @throws Error when two providers claim the same game id (a wiring mistake). */
  constructor(providers: Iterable<GameProvider>) {
    for (const provider of providers) {
      for (const game of provider.games) {
        const taken = this.byGame.get(game.id);
        if (taken) {
          throw new Error(
            `game '${game.id}' claimed by providers '${taken.provider.id}' and '${provider.id}'`,
          );
        }
        this.byGame.set(game.id, { provider, entry: { ...game, provider: provider.id } });
      }
    }
  }

  /**
   * The provider for `gameId`.
   * @throws ProviderError with code `unsupported` for an unknown game id.
   */
  get(gameId: string): GameProvider {
    const found = this.byGame.get(gameId);
    if (!found) throw new ProviderError('unsupported', `unsupported game '${gameId}'`);
    return found.provider;
  }

  has(gameId: string): boolean {
    return this.byGame.has(gameId);
  }

  /** Every supported game with its provider id and default port, sorted by game id. */
  games(): GameEntry[] {
    return [...this.byGame.values()]
      .map(({ entry }) => entry)
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** A registry of every provider, for code that runs without NestJS (the query command). */
export function createProviderRegistry(): ProviderRegistry {
  return new ProviderRegistry(PROVIDER_CLASSES.map((Provider) => new Provider()));
}
