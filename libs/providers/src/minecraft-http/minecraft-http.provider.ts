/*
 * Minecraft status through a public HTTP status API of the mcsrvstat.us kind (v3), for
 * servers the poller cannot reach itself or to keep what the company used before.
 * Specification: https://api.mcsrvstat.us; answers decoded in mcsrvstat.parser.ts.
 *
 * It is not a game of its own: it answers the games `minecraft` (GET <base>/3/<address>)
 * and `mbe` (GET <base>/bedrock/3/<address>) when they are routed to it
 * (PROVIDER_ROUTES=minecraft:minecraft-http). The address carries the port only when one
 * was given, so the API does its own SRV lookup otherwise. Latency is the API's round trip,
 * not the game server's (the API reports none), and answers may be a minute old (its cache).
 */
import net from 'node:net';
import type { ServerStatus } from '#common';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { ProviderError } from '../provider.error.js';
import { parseMcsrvstat } from './mcsrvstat.parser.js';

const MAX_ANSWER_BYTES = 1024 * 1024;

/** Minecraft Java and Bedrock through an mcsrvstat.us-style API, for games routed to it. */
export class MinecraftHttpProvider extends GameProvider {
  readonly id = 'minecraft-http';
  /** Default for no game; see {@link supports}. */
  readonly games = [];
  readonly transport = 'http';

  override supports(gameId: string): boolean {
    return gameId === 'minecraft' || gameId === 'mbe';
  }

  /** The API resolves the game server's name itself. */
  protected override resolve(host: string): Promise<string> {
    return Promise.resolve(host);
  }

  /** Every query goes to the API, so the per-host limit applies to the API's host. */
  protected override limitKey(): string {
    return new URL(this.services.options.mcsrvstatUrl).host;
  }

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    { game, portGiven }: AttemptContext,
  ): Promise<ServerStatus> {
    const host = net.isIPv6(target.host) ? `[${target.host}]` : target.host;
    const address = portGiven ? `${host}:${target.port}` : host;
    const edition = game.id === 'mbe' ? '/bedrock/3/' : '/3/';
    // ':' is a legal path character and the API splits host and port on it.
    const path = encodeURIComponent(address).replace(/%3A/gu, ':');
    const url = `${this.services.options.mcsrvstatUrl}${edition}${path}`;
    const reply = await this.services.http.get(url, {
      signal,
      maxBytes: MAX_ANSWER_BYTES,
      keepAlive: true,
    });
    if (reply.status === 403 || reply.status === 429) {
      throw new ProviderError('denied', `status API refused the request (HTTP ${reply.status})`);
    }
    if (reply.status !== 200) {
      throw new ProviderError('protocol', `status API answered HTTP ${reply.status}`);
    }
    const answer = parseMcsrvstat(reply.body);
    if (!answer.online) {
      const why = answer.reason ? `: ${answer.reason}` : '';
      throw new ProviderError('unreachable', `the status API could not reach the server${why}`);
    }
    return {
      latencyMs: Math.round(reply.elapsedMs),
      playersOnline: answer.playersOnline,
      playersMax: answer.playersMax,
      bots: 0,
      playerNames: answer.playerNames,
      name: answer.motd,
      map: answer.map,
      version: answer.version,
      gameMode: answer.gameMode,
      passwordProtected: null,
    };
  }
}
