/*
 * The long tail: every game GameDig knows that no native provider answers, through the
 * `gamedig` package (v5). https://github.com/gamedig/node-gamedig
 *
 * One attempt, on the given port only (`givenPortOnly`: GameDig would otherwise also try
 * the default and offset ports, multiplying the time an offline server costs), with
 * GameDig's socket and attempt timeouts set from our remaining time. The host is resolved
 * through our DNS cache and passed as `address`, so GameDig resolves nothing. For the
 * `minecraft`/`mbe` meta type (used only when routed here) the one matching protocol is
 * forced: GameDig would otherwise run three protocols and wait for all of them.
 * GameDig keeps its own UDP socket (IPv4 only); it is loaded on first use.
 */
import type { ServerStatus } from '#common';
import type { GameDig } from 'gamedig';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { gameDigProtocolOf, gamesOfProvider } from '../games.js';
import { ProviderError } from '../provider.error.js';
import { gameDigError, gameDigToStatus, withMinecraftVanillaRaw } from './gamedig.mapper.js';

/** GameDig's `minecraft` meta type, split into the one protocol each game speaks. */
const FORCED_TYPES: Readonly<Record<string, string>> = {
  minecraft: 'protocol-minecraftvanilla',
  mbe: 'protocol-minecraftbedrock',
};

/** Every GameDig game without a native provider (and any GameDig game routed to it). */
export class GameDigProvider extends GameProvider {
  readonly id = 'gamedig';
  readonly games = gamesOfProvider('gamedig');
  /** Most of GameDig's protocols are UDP; a few of its games use TCP or HTTP. */
  readonly transport = 'udp';
  private client: Promise<GameDig> | undefined;

  /** Any game GameDig knows, including those a native provider answers by default. */
  override supports(gameId: string): boolean {
    return gameDigProtocolOf(gameId) !== undefined;
  }

  protected async attempt(
    target: ResolvedTarget,
    _signal: AbortSignal,
    { game, deadline }: AttemptContext,
  ): Promise<ServerStatus> {
    const client = await this.gameDig();
    const remainingMs = Math.floor(deadline - performance.now());
    if (remainingMs < 1) throw new ProviderError('timeout', 'no time left for GameDig');
    const startedAt = performance.now();
    try {
      const result = await client.query({
        type: FORCED_TYPES[game.id] ?? game.id,
        host: target.host,
        address: target.address,
        port: target.port,
        givenPortOnly: true,
        maxRetries: 1,
        socketTimeout: remainingMs,
        attemptTimeout: remainingMs,
        requestRules: false,
        portCache: false,
      });
      const status = gameDigToStatus(result, performance.now() - startedAt);
      return game.id === 'minecraft' ? withMinecraftVanillaRaw(status, result) : status;
    } catch (err) {
      throw gameDigError(err);
    }
  }

  private gameDig(): Promise<GameDig> {
    this.client ??= import('gamedig').then(({ GameDig }) => new GameDig());
    return this.client;
  }
}
