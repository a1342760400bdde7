import type { ServerStatus } from '#common';
import type { GameProvider, QueryOptions, QueryTarget, Transport } from './game-provider.js';
import { type GameEntry, canonicalGameId, findGame } from './games.js';
import { Cube2Provider } from './cube2/cube2.provider.js';
import { FiveMProvider } from './fivem/fivem.provider.js';
import { GameDigProvider } from './gamedig/gamedig.provider.js';
import { LuantiProvider } from './luanti/luanti.provider.js';
import { MinecraftBedrockProvider } from './minecraft-bedrock/minecraft-bedrock.provider.js';
import { MinecraftHttpProvider } from './minecraft-http/minecraft-http.provider.js';
import { MinecraftProvider } from './minecraft/minecraft.provider.js';
import { ProviderServices, type ProvidersOptions } from './provider-services.js';
import { ProviderError } from './provider.error.js';
import { Quake3Provider } from './quake3/quake3.provider.js';
import { TeeworldsProvider } from './teeworlds/teeworlds.provider.js';
import { ValveProvider } from './valve/valve.provider.js';

/** Every provider class, in one place: the registry factory and ProvidersModule both use it. */
export const PROVIDER_CLASSES = [
  MinecraftProvider,
  MinecraftBedrockProvider,
  ValveProvider,
  Quake3Provider,
  FiveMProvider,
  MinecraftHttpProvider,
  Cube2Provider,
  LuantiProvider,
  TeeworldsProvider,
  GameDigProvider,
] as const;

/** The current id for a former one; any other id as it is (unknown ids fail further on). */
const currentId = (gameId: string): string => canonicalGameId(gameId) ?? gameId;

/** A provider bound to one game: what the registry hands out for a game id. */
export class BoundGameProvider {
  constructor(
    readonly provider: GameProvider,
    readonly game: GameEntry,
  ) {}

  /** The provider's id, e.g. `valve`. */
  get id(): string {
    return this.provider.id;
  }

  get transport(): Transport {
    return this.provider.transport;
  }

  /** Queries one server of this game once; see {@link GameProvider.query}. */
  query(target: QueryTarget, opts: QueryOptions): Promise<ServerStatus> {
    return this.provider.query(target, opts, this.game);
  }
}

/**
 * Finds the provider answering a game, by the game's id (GameDig's ids, current or former:
 * `arkse` finds `ase`). Each game has a default provider (games.ts); `routes` send a game to
 * another provider that supports it, e.g. Minecraft to the HTTP status API.
 */
export class ProviderRegistry {
  private readonly byId = new Map<string, GameProvider>();
  private readonly byGame = new Map<string, BoundGameProvider>();

  /**
   * @throws Error when two providers share an id or claim the same game, or a route names
   *   an unknown game or provider, or a provider that cannot answer the game (wiring or
   *   configuration mistakes, found at start).
   */
  constructor(providers: Iterable<GameProvider>, routes: Readonly<Record<string, string>> = {}) {
    for (const provider of providers) {
      if (this.byId.has(provider.id)) throw new Error(`two providers with id '${provider.id}'`);
      this.byId.set(provider.id, provider);
      for (const game of provider.games) {
        const taken = this.byGame.get(game.id);
        if (taken) {
          throw new Error(
            `game '${game.id}' claimed by providers '${taken.id}' and '${provider.id}'`,
          );
        }
        this.byGame.set(game.id, this.bind(provider, game.id));
      }
    }
    for (const [gameId, providerId] of Object.entries(routes)) {
      const id = currentId(gameId);
      this.byGame.set(id, this.bound(id, providerId));
    }
  }

  /**
   * The provider for `gameId` (a current or former id), bound to that game under its
   * current id (`game.id`).
   * @param providerId another provider to use for this one query (it must support the game).
   * @throws ProviderError with code `unsupported` for an unknown game id or provider.
   */
  get(gameId: string, providerId?: string): BoundGameProvider {
    const id = currentId(gameId);
    if (providerId !== undefined) {
      try {
        return this.bound(id, providerId);
      } catch (err) {
        throw new ProviderError('unsupported', (err as Error).message);
      }
    }
    const found = this.byGame.get(id);
    if (!found) throw new ProviderError('unsupported', `unsupported game '${gameId}'`);
    return found;
  }

  /** Whether `gameId` (a current or former id) is a game some provider answers. */
  has(gameId: string): boolean {
    return this.byGame.has(currentId(gameId));
  }

  /** Every supported game with the provider answering it and its ports, sorted by game id. */
  games(): GameEntry[] {
    return [...this.byGame.values()]
      .map(({ game }) => game)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Provider ids able to answer `gameId` (a current or former id), its current one first. */
  providersFor(gameId: string): string[] {
    const id = currentId(gameId);
    const current = this.byGame.get(id)?.id;
    const able = [...this.byId.values()].filter((p) => p.supports(id)).map((p) => p.id);
    return current === undefined ? able : [current, ...able.filter((id) => id !== current)];
  }

  private bound(gameId: string, providerId: string): BoundGameProvider {
    const provider = this.byId.get(providerId);
    if (!provider) throw new Error(`unknown provider '${providerId}' for game '${gameId}'`);
    if (!provider.supports(gameId)) {
      throw new Error(`provider '${providerId}' cannot answer game '${gameId}'`);
    }
    return this.bind(provider, gameId);
  }

  private bind(provider: GameProvider, gameId: string): BoundGameProvider {
    const game = findGame(gameId);
    if (!game) throw new Error(`game '${gameId}' is not in the games table`);
    return new BoundGameProvider(provider, { ...game, provider: provider.id });
  }
}

/**
 * A registry of every provider over one new {@link ProviderServices}, for code that runs
 * without NestJS (the query command, benchmarks). Close `services` when done.
 */
export function createProviderRegistry(options: Partial<ProvidersOptions> = {}): {
  registry: ProviderRegistry;
  services: ProviderServices;
} {
  const services = new ProviderServices(options);
  const providers = PROVIDER_CLASSES.map((Provider) => new Provider(services));
  return { registry: new ProviderRegistry(providers, services.options.routes), services };
}
