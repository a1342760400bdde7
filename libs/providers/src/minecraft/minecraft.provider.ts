/*
 * Minecraft: Java Edition status over TCP: the Server List Ping of 1.7 and later, with
 * the pre-1.7 legacy ping as a fallback. Specification:
 * https://minecraft.wiki/w/Java_Edition_protocol/Server_List_Ping
 *
 * SRV rule: when the port is absent or the default 25565 and the host is a name, the
 * `_minecraft._tcp.<host>` SRV records are looked up and, if there are any, their target
 * AND port are used (GameDig keeps the default port, gamedig#702), tried in priority and
 * weight order while one cannot be reached. Any other port is taken as meant: no SRV,
 * as the vanilla client does when a port is typed. No SRV record, or a resolver failure
 * on the SRV name, means host:port as given.
 *
 * Fallback rule: a server before 1.7 cannot parse the handshake and closes or kicks, which
 * reads as a `protocol` failure; then the legacy ping is tried on a new connection.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { ServerStatus } from '#common';
import {
  type AttemptContext,
  GameProvider,
  type HostPort,
  type ResolvedTarget,
  followUpBudgetMs,
} from '../game-provider.js';
import { gamesOfProvider } from '../games.js';
import { ProviderError } from '../provider.error.js';
import { type TcpConnection, withTcpConnection } from '../transport/tcp.js';
import {
  MAX_LEGACY_CHARS,
  decodeLegacyReply,
  encodeLegacyPing,
} from './minecraft-legacy.parser.js';
import {
  MAX_STATUS_FRAME_BYTES,
  decodePongFrame,
  decodeStatusFrame,
  encodeHandshake,
  encodePing,
  encodeStatusRequest,
  parseStatusJson,
} from './minecraft.parser.js';

const MINECRAFT_DEFAULT_PORT = 25565;

/** Room for the frame header and a pong arriving right behind the status frame. */
const MAX_BUFFERED_BYTES = MAX_STATUS_FRAME_BYTES + 64;

/** Minecraft Java Edition (GameDig id `minecraft`), default port 25565. */
export class MinecraftProvider extends GameProvider {
  readonly id = 'minecraft';
  readonly games = gamesOfProvider('minecraft');
  readonly transport = 'tcp';

  protected override async candidates(
    target: HostPort,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<HostPort[]> {
    const srvApplies = !context.portGiven || target.port === MINECRAFT_DEFAULT_PORT;
    if (!srvApplies || net.isIP(target.host) !== 0) return [target];
    const name = `_minecraft._tcp.${target.host.replace(/\.$/u, '')}`;
    const records = await this.services.dns.srv(name, signal).catch((err: unknown) => {
      if (signal.aborted) throw err;
      return [];
    });
    return records.length === 0
      ? [target]
      : records.map((record) => ({ host: record.name, port: record.port }));
  }

  protected async attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    try {
      return await this.serverListPing(target, signal, context);
    } catch (err) {
      if (!(err instanceof ProviderError) || err.code !== 'protocol' || signal.aborted) throw err;
      try {
        return await this.legacyPing(target, signal);
      } catch (legacyErr) {
        if (signal.aborted) throw legacyErr;
        const why = legacyErr instanceof Error ? legacyErr.message : String(legacyErr);
        throw new ProviderError('protocol', `${err.message} (legacy ping: ${why})`, { cause: err });
      }
    }
  }

  private serverListPing(
    target: ResolvedTarget,
    signal: AbortSignal,
    { deadline }: AttemptContext,
  ): Promise<ServerStatus> {
    return withTcpConnection(
      target,
      { signal, maxBufferedBytes: MAX_BUFFERED_BYTES },
      async (conn) => {
        const requestedAt = performance.now();
        // Proxies (BungeeCord, Velocity) pick the backend by the host and port dialled.
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

  private legacyPing(target: ResolvedTarget, signal: AbortSignal): Promise<ServerStatus> {
    return withTcpConnection(
      target,
      { signal, maxBufferedBytes: 3 + MAX_LEGACY_CHARS * 2 },
      async (conn) => {
        const requestedAt = performance.now();
        conn.write(encodeLegacyPing(target.host, target.port));
        const status = await conn.read(decodeLegacyReply);
        return { ...status, latencyMs: Math.round(performance.now() - requestedAt) };
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
    const budgetMs = followUpBudgetMs(deadline, statusMs);
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
