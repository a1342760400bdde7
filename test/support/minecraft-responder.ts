import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { createServer } from 'minecraft-protocol';

export interface MinecraftResponderOptions {
  /** 0 or undefined: a free port chosen by the OS. */
  port?: number;
  motd?: string;
  maxPlayers?: number;
  /** A Minecraft version minecraft-protocol supports, e.g. '1.21.4'. */
  version?: string;
  /** Player count the status reply advertises. */
  players?: number;
  /** Names sent in `players.sample` (independent of the advertised count, as on real servers). */
  sample?: string[];
}

/** A real Minecraft Java status responder (npm minecraft-protocol) on 127.0.0.1. */
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
    host: '127.0.0.1',
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
