import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  type AddressInfo,
  type Server as NetServer,
  type Socket,
  createServer as createTcpServer,
} from 'node:net';
import { createServer } from 'minecraft-protocol';

export interface MinecraftResponderOptions {
  /** 0 or undefined: a free port chosen by the OS. */
  port?: number;
  /** Address to bind; default 127.0.0.1. Tests keep the default. */
  host?: string;
  motd?: string;
  maxPlayers?: number;
  /** A Minecraft version minecraft-protocol supports, e.g. '1.21.4'. */
  version?: string;
  /** Player count the status reply advertises. */
  players?: number;
  /** Names sent in `players.sample` (independent of the advertised count, as on real servers). */
  sample?: string[];
}

/** A real Minecraft Java status responder (npm minecraft-protocol), on 127.0.0.1 by default. */
export interface MinecraftResponder {
  readonly port: number;
  /** Status requests answered so far (to check that nothing polls a server any more). */
  readonly statusRequests: number;
  /** Changes the player count advertised from the next status request on. */
  setPlayers(online: number): void;
  /** Closes the listening socket and every open connection. */
  stop(): Promise<void>;
}

interface StatusResponse {
  players: { sample?: { name: string; id: string }[] };
}

/** Starts a Minecraft status responder; always stop it in afterAll/afterEach. */
export async function startMinecraftResponder(
  opts: MinecraftResponderOptions = {},
): Promise<MinecraftResponder> {
  const sample = (opts.sample ?? []).map((name) => ({ name, id: randomUUID() }));
  let statusRequests = 0;
  const server = createServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    'online-mode': false,
    motd: opts.motd ?? 'A Minecraft test server',
    maxPlayers: opts.maxPlayers ?? 20,
    ...(opts.version === undefined ? {} : { version: opts.version }),
    hideErrors: true,
    beforePing: (response: StatusResponse) => {
      statusRequests++;
      response.players.sample = sample;
      return response;
    },
  });
  await once(server, 'listening');
  server.playerCount = opts.players ?? 0;
  // minecraft-protocol keeps its net.Server on an untyped field.
  const { socketServer } = server as unknown as { socketServer: NetServer };
  const { port } = socketServer.address() as AddressInfo;
  return {
    port,
    get statusRequests() {
      return statusRequests;
    },
    setPlayers: (online) => {
      server.playerCount = online;
    },
    stop: async () => {
      if (!socketServer.listening) return;
      const closed = once(socketServer, 'close');
      server.close();
      await closed;
    },
  };
}

export interface LegacyMinecraftResponderOptions {
  motd?: string;
  players?: number;
  maxPlayers?: number;
  /** `1.6` answers in the `§1` form with protocol and version; `beta` in `motd§online§max`. */
  format?: '1.6' | 'beta';
}

/** A pre-1.7 server: answers the legacy ping, and kicks a modern handshake it cannot parse. */
export interface LegacyMinecraftResponder {
  readonly port: number;
  /** The first bytes of every connection, to check what the client sent. */
  readonly firstBytes: Buffer[];
  stop(): Promise<void>;
}

function kickPacket(text: string): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length);
  return Buffer.concat([Buffer.from([0xff]), length, Buffer.from(text, 'utf16le').swap16()]);
}

/**
 * Starts a legacy Minecraft server on 127.0.0.1 (raw TCP, as minecraft.wiki describes
 * pre-1.7 servers); always stop it in afterAll/afterEach.
 */
export async function startLegacyMinecraftResponder(
  opts: LegacyMinecraftResponderOptions = {},
): Promise<LegacyMinecraftResponder> {
  const motd = opts.motd ?? 'A legacy server';
  const online = String(opts.players ?? 0);
  const max = String(opts.maxPlayers ?? 20);
  const firstBytes: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (chunk: Buffer) => {
      firstBytes.push(chunk);
      if (chunk[0] !== 0xfe) {
        socket.end(kickPacket('Outdated client! Please use 1.6.4'));
        return;
      }
      const text =
        opts.format === 'beta'
          ? [motd, online, max].join('§')
          : ['§1', '78', '1.6.4', motd, online, max].join('\0');
      socket.end(kickPacket(text));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    firstBytes,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
