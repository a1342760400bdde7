/*
 * FiveM (GameDig `gta5f`) and RedM (`rdr2r`) over HTTP on the game port (default 30120):
 * `/dynamic.json` for the counts, `/info.json` and `/players.json` alongside for the
 * version and the names. Documents: see fivem.parser.ts.
 *
 * The three requests go out together. Only `/dynamic.json` is required; the other two
 * get a short extra wait once it is in (servers may hide or be slow with players.json).
 */
import net from 'node:net';
import type { ServerStatus } from '#common';
import {
  type AttemptContext,
  GameProvider,
  type ResolvedTarget,
  followUpBudgetMs,
} from '../game-provider.js';
import { gamesOfProvider } from '../games.js';
import { ProviderError } from '../provider.error.js';
import { type FiveMInfo, parseDynamic, parseInfo, parsePlayerNames } from './fivem.parser.js';

const MAX_DYNAMIC_BYTES = 64 * 1024;
/** info.json lists every resource; big servers run thousands. */
const MAX_INFO_BYTES = 1024 * 1024;
const MAX_PLAYERS_BYTES = 2 * 1024 * 1024;

/** Resolves with `work`, or with undefined once `ms` have passed. */
function within<T>(work: Promise<T | undefined>, ms: number): Promise<T | undefined> {
  if (ms < 1) return Promise.resolve(undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>(
    (resolve) => (timer = setTimeout(() => resolve(undefined), ms)),
  );
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** FiveM and RedM (FXServer) over HTTP on the game port, default 30120. */
export class FiveMProvider extends GameProvider {
  readonly id = 'fivem';
  readonly games = gamesOfProvider('fivem');
  readonly transport = 'http';

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    { deadline }: AttemptContext,
  ): Promise<ServerStatus> {
    const host = net.isIPv6(target.address) ? `[${target.address}]` : target.address;
    const done = new AbortController();
    const requestSignal = AbortSignal.any([signal, done.signal]);
    const get = (path: string, maxBytes: number) =>
      this.services.http.get(`http://${host}:${target.port}${path}`, {
        signal: requestSignal,
        maxBytes,
        headers: { Host: `${target.host}:${target.port}` },
      });
    const optional = <T>(path: string, maxBytes: number, parse: (body: Buffer) => T) =>
      get(path, maxBytes)
        .then((reply) => (reply.status === 200 ? parse(reply.body) : undefined))
        .catch(() => undefined);
    try {
      const dynamicReply = get('/dynamic.json', MAX_DYNAMIC_BYTES);
      const infoReply = optional<FiveMInfo>('/info.json', MAX_INFO_BYTES, parseInfo);
      const namesReply = optional<string[]>('/players.json', MAX_PLAYERS_BYTES, parsePlayerNames);
      const reply = await dynamicReply;
      if (reply.status !== 200) {
        throw new ProviderError('protocol', `FiveM: /dynamic.json answered HTTP ${reply.status}`);
      }
      const dynamic = parseDynamic(reply.body);
      const budgetMs = followUpBudgetMs(deadline, reply.elapsedMs);
      const [info, names] = await Promise.all([
        within(infoReply, budgetMs),
        within(namesReply, budgetMs),
      ]);
      return {
        latencyMs: Math.round(reply.elapsedMs),
        playersOnline: dynamic.clients,
        playersMax: dynamic.maxClients,
        bots: 0,
        playerNames: names ?? [],
        name: dynamic.hostname ?? info?.projectName ?? null,
        map: dynamic.mapName,
        version: info?.server ?? null,
        gameMode: dynamic.gameType,
        passwordProtected: null,
      };
    } finally {
      // Optional requests still running are not waited for.
      done.abort();
    }
  }
}
