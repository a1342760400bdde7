/*
 * Minecraft: Java Edition status over TCP: the Server List Ping of 1.7 and later.
 * Specification: https://minecraft.wiki/w/Java_Edition_protocol/Server_List_Ping
 *
 * Not here yet, on purpose (a later task): the `_minecraft._tcp.<host>` SRV lookup, whose
 * port must be honoured (GameDig keeps the default port, gamedig#702), and the pre-1.7
 * legacy ping (0xFE 0x01 answered by a 0xFF kick packet in UTF-16BE), which such servers
 * need because they cannot parse the handshake below.
 */
import { randomBytes } from 'node:crypto';
import type { ServerStatus } from '#common';
import { type AttemptContext, GameProvider, type ResolvedTarget } from '../game-provider.js';
import { gamesOfProvider } from '../games.js';
import { type TcpConnection, withTcpConnection } from '../transport/tcp.js';
import {
  MAX_STATUS_FRAME_BYTES,
  decodePongFrame,
  decodeStatusFrame,
  encodeHandshake,
  encodePing,
  encodeStatusRequest,
  parseStatusJson,
} from './minecraft.parser.js';

/** Room for the frame header and a pong arriving right behind the status frame. */
const MAX_BUFFERED_BYTES = MAX_STATUS_FRAME_BYTES + 64;

/** The pong wait ends this long before the query's deadline, so the status still gets out. */
const PONG_DEADLINE_MARGIN_MS = 20;

/** Minecraft Java Edition (GameDig id `minecraft`), default port 25565. */
export class MinecraftProvider extends GameProvider {
  readonly id = 'minecraft';
  readonly games = gamesOfProvider('minecraft');
  readonly defaultPort = 25565;
  readonly transport = 'tcp';

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    { deadline }: AttemptContext,
  ): Promise<ServerStatus> {
    return withTcpConnection(
      target,
      { signal, maxBufferedBytes: MAX_BUFFERED_BYTES },
      async (conn) => {
        const requestedAt = performance.now();
        conn.write(
          Buffer.concat([encodeHandshake(target.host, target.port), encodeStatusRequest()]),
        );
        const json = await conn.read(decodeStatusFrame);
        const statusMs = performance.now() - requestedAt;
        const status = parseStatusJson(json);
        const pongMs = await this.pingPong(conn, statusMs, deadline, signal);
        return { ...status, latencyMs: Math.round(pongMs ?? statusMs) };
      },
    );
  }

  /**
   * The ping/pong round trip, the latency the vanilla client shows; `undefined` when the
   * server does not answer it properly (some proxies close right after the status).
   */
  private async pingPong(
    conn: TcpConnection,
    statusMs: number,
    deadline: number,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    // Wait no longer than leaves time to return the status already in hand, and not much
    // longer than the status took: a server that never pongs must not hold a poll slot
    // for the whole timeout.
    const budgetMs = Math.floor(
      Math.min(deadline - performance.now() - PONG_DEADLINE_MARGIN_MS, statusMs * 4 + 250),
    );
    if (budgetMs < 1) return undefined;
    const payload = randomBytes(8);
    const sentAt = performance.now();
    conn.write(encodePing(payload));
    try {
      const echoed = await conn.read(decodePongFrame, AbortSignal.timeout(budgetMs));
      return echoed.equals(payload) ? performance.now() - sentAt : undefined;
    } catch (err) {
      if (signal.aborted) throw err;
      return undefined;
    }
  }
}
