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
 * GameDig's UDP goes through our shared sockets (gamedig-udp.ts), so the long tail has
 * IPv6 too. What a query may receive is capped (gamedig-budget.ts). GameDig is loaded on
 * first use.
 */
import { pathToFileURL } from 'node:url';
import type { ServerStatus } from '#common';
import type { GameDig as GameDigClient } from 'gamedig';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { gameDigPackageFile, gameDigProtocolOf, gamesOfProvider } from '../games.js';
import { ProviderError } from '../provider.error.js';
import { gameDigError, gameDigToStatus } from './gamedig.mapper.js';
import { type GameDigCore, ReplyBudget, capGameDigTcp } from './gamedig-budget.js';
import { GameDigUdpBridge } from './gamedig-udp.js';

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
  private gameDigClass: Promise<typeof GameDigClient> | undefined;

  /** Any game GameDig knows, including those a native provider answers by default. */
  override supports(gameId: string): boolean {
    return gameDigProtocolOf(gameId) !== undefined;
  }

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    { game, deadline }: AttemptContext,
  ): Promise<ServerStatus> {
    const GameDig = await this.loadGameDig();
    const remainingMs = Math.floor(deadline - performance.now());
    if (remainingMs < 1) throw new ProviderError('timeout', 'no time left for GameDig');
    // A client per query (a few small objects) so that its UDP is this query's alone.
    const client = new GameDig();
    const budget = new ReplyBudget();
    const udp = new GameDigUdpBridge(this.services.udp, signal, budget);
    client.queryRunner.udpSocket = udp;
    const startedAt = performance.now();
    try {
      const running = client.query({
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
        ...budget.asOption(),
      });
      // Past the cap, the query fails now; GameDig's own ends within its timeouts.
      running.catch(() => undefined);
      const result = await Promise.race([running, budget.exceeded]);
      return gameDigToStatus(result, performance.now() - startedAt, {
        minecraftVanilla: game.id === 'minecraft',
      });
    } catch (err) {
      throw budget.error ?? udp.failure ?? gameDigError(err);
    } finally {
      udp.close();
    }
  }

  private loadGameDig(): Promise<typeof GameDigClient> {
    this.gameDigClass ??= Promise.all([import('gamedig'), importGameDigCore()]).then(
      ([{ GameDig }, core]) => {
        capGameDigTcp(core);
        // queryRunner.udpSocket is GameDig's internals, not its documented API: fail loudly on
        // a GameDig that moved it rather than let its own udp4 socket quietly take over.
        const runner = (new GameDig() as Partial<GameDigClient>).queryRunner;
        if (typeof runner?.udpSocket?.addCallback !== 'function') {
          throw new ProviderError(
            'unsupported',
            'this GameDig version has no queryRunner.udpSocket',
          );
        }
        return GameDig;
      },
    );
    return this.gameDigClass;
  }
}

/**
 * GameDig's protocol base class, loaded from its file: the same module GameDig's protocols
 * extend (an ES module is one instance per URL), so wrapping its prototype reaches them all.
 */
async function importGameDigCore(): Promise<GameDigCore> {
  const file = gameDigPackageFile('protocols/core.js');
  const { default: core } = (await import(pathToFileURL(file).href)) as { default?: GameDigCore };
  if (typeof core?.prototype?.withTcp !== 'function') {
    throw new ProviderError('unsupported', 'this GameDig version has no Core.withTcp to cap');
  }
  return core;
}
