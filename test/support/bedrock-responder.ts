/*
 * Minecraft Bedrock responders: the real npm bedrock-protocol server (with its pure-JS RakNet
 * backend, jsp-raknet, which binds the address it is given) for integration tests, and a
 * bare unconnected-pong responder (RakNet offline messages as minecraft.wiki documents them)
 * for edge cases and benchmarks.
 */
import { createRequire } from 'node:module';
import { freePort } from './ports.js';
import { type UdpResponder, startUdpResponder } from './udp-responder.js';

const MAGIC = Buffer.from('00ffff00fefefefefdfdfdfd12345678', 'hex');

/** A pong answering `ping` (its time echoed, unless `time` is given) with `motd`. */
export function unconnectedPong(ping: Buffer, motd: string, time?: bigint): Buffer {
  const text = Buffer.from(motd, 'utf8');
  const head = Buffer.alloc(17);
  head.writeUInt8(0x1c, 0);
  if (time === undefined) ping.copy(head, 1, 1, 9);
  else head.writeBigUInt64BE(time, 1);
  head.writeBigUInt64BE(0x0102030405060708n, 9);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length);
  return Buffer.concat([head, MAGIC, length, text]);
}

/** Answers every unconnected ping with `motd`; `staleFirst` sends a pong for another ping first. */
export function startPongResponder(
  motd: string,
  opts: { port?: number; staleFirst?: boolean } = {},
): Promise<UdpResponder> {
  return startUdpResponder(
    ({ datagram, reply }) => {
      if (datagram.length !== 33 || datagram[0] !== 0x01) return;
      if (opts.staleFirst) reply(unconnectedPong(datagram, motd, 42n));
      reply(unconnectedPong(datagram, motd));
    },
    opts.port === undefined ? {} : { port: opts.port },
  );
}

export interface BedrockServerOptions {
  motd: string;
  levelName: string;
  players: number;
  maxPlayers: number;
  gameMode?: string;
}

export interface BedrockServer {
  readonly port: number;
  /** The MOTD string the server advertises, as it builds it. */
  readonly advertisement: string;
  stop(): Promise<void>;
}

interface BedrockAdvertisement {
  playersOnline: number;
  playersMax: number;
  gamemode: string;
  toString(): string;
}

interface BedrockModule {
  ServerAdvertisement: new (
    fields: { motd: string; levelName: string },
    port: number,
  ) => BedrockAdvertisement;
  createServer(options: Record<string, unknown>): {
    close(): Promise<void>;
    raknet?: { raknet?: { socket?: { address(): { port: number } } } };
  };
}

/**
 * Starts a real bedrock-protocol server on 127.0.0.1 (offline mode, jsp-raknet) on a free
 * port; always stop it in afterAll.
 */
export async function startBedrockServer(opts: BedrockServerOptions): Promise<BedrockServer> {
  // bedrock-protocol is CommonJS without an ESM entry.
  const bedrock = createRequire(import.meta.url)('bedrock-protocol') as BedrockModule;
  // The advertisement names the port before the server binds it.
  const port = await freePort();
  // Our own advertisement: the server's default one resets the player count to its clients.
  const advertisement = new bedrock.ServerAdvertisement(
    { motd: opts.motd, levelName: opts.levelName },
    port,
  );
  advertisement.playersOnline = opts.players;
  advertisement.playersMax = opts.maxPlayers;
  advertisement.gamemode = opts.gameMode ?? 'Survival';
  const server = bedrock.createServer({
    host: '127.0.0.1',
    port,
    offline: true,
    raknetBackend: 'jsp-raknet',
    maxPlayers: opts.maxPlayers,
    advertisementFn: () => advertisement,
  });
  const startedAt = performance.now();
  while (!isListening(server)) {
    if (performance.now() - startedAt > 10_000) throw new Error('bedrock server did not start');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { port, advertisement: advertisement.toString(), stop: () => server.close() };
}

function isListening(server: ReturnType<BedrockModule['createServer']>): boolean {
  try {
    return server.raknet?.raknet?.socket?.address().port !== undefined;
  } catch {
    return false;
  }
}
