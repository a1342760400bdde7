/*
 * Game servers that misbehave on purpose, for the fault suite: each answers the poller's query
 * in a way a real broken or malicious server might, and counts what it did. All bind
 * 127.0.0.1 only; stop each in afterAll.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { MAX_REASSEMBLED_BYTES, MAX_STATUS_FRAME_BYTES, encodeVarInt } from '#providers';
import { statusResponse } from '../../support/quake3-responder.js';
import { type UdpResponder, startUdpResponder } from '../../support/udp-responder.js';

/** A TCP game server on 127.0.0.1 that runs `talk` on every connection. */
export interface HostileTcpServer {
  readonly address: string;
  readonly port: number;
  readonly connections: number;
  /** Bytes written to all connections so far. */
  readonly bytesSent: number;
  stop(): Promise<void>;
}

async function startTcpServer(
  talk: (socket: Socket, sent: (bytes: number) => void) => void,
): Promise<HostileTcpServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let bytesSent = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // The poller hangs up on these servers; that is the point, not an error.
    socket.on('error', () => undefined);
    talk(socket, (bytes) => (bytesSent += bytes));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    address: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    get bytesSent() {
      return bytesSent;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A Minecraft status frame (packet 0x00 holding one length-prefixed string). */
function statusFrame(json: string): Buffer {
  const text = Buffer.from(json, 'utf8');
  const body = Buffer.concat([Buffer.from([0x00]), encodeVarInt(text.length), text]);
  return Buffer.concat([encodeVarInt(body.length), body]);
}

/**
 * A Minecraft server that sends a perfectly valid status reply, one byte a second: a poller
 * that waits for it holds a connection (and a query slot) for minutes.
 */
export function startTricklingMinecraftServer(): Promise<HostileTcpServer> {
  const reply = statusFrame(
    JSON.stringify({
      version: { name: '1.21.4', protocol: 769 },
      players: { max: 20, online: 1 },
      description: 'one byte a second',
    }),
  );
  return startTcpServer((socket, sent) => {
    let next = 0;
    const drip = (): void => {
      if (socket.destroyed || next >= reply.length) return;
      socket.write(reply.subarray(next, next + 1));
      next++;
      sent(1);
    };
    drip();
    const timer = setInterval(drip, 1_000);
    socket.on('close', () => clearInterval(timer));
  });
}

/**
 * A Minecraft server that announces a status frame as large as the poller accepts and then
 * streams bytes without end, as fast as the connection takes them (respecting backpressure,
 * so the test process itself stays small): whatever the poller buffers, it must bound.
 */
export function startEndlessMinecraftServer(): Promise<HostileTcpServer> {
  const header = Buffer.concat([
    encodeVarInt(MAX_STATUS_FRAME_BYTES),
    Buffer.from([0x00]),
    encodeVarInt(MAX_STATUS_FRAME_BYTES - 4),
    Buffer.from('{"description":"', 'utf8'),
  ]);
  const filler = Buffer.alloc(64 * 1024, 'a');
  return startTcpServer((socket, sent) => {
    const pour = (): void => {
      while (!socket.destroyed) {
        sent(filler.length);
        if (!socket.write(filler)) return;
      }
    };
    socket.on('drain', pour);
    socket.write(header);
    sent(header.length);
    pour();
  });
}

/** A UDP game server on 127.0.0.1 and, for the wrong-port one, its second socket. */
export interface HostileUdpServer {
  readonly address: string;
  readonly port: number;
  /** Datagrams received. */
  readonly received: number;
  stop(): Promise<void>;
}

const A2S_INFO_REQUEST_TYPE = 0x54;
/** Parts of the oversized reply: datagrams near loopback's limit, twice the poller's cap in all. */
const OVERSIZED_PART_BYTES = 60_000;
const OVERSIZED_PARTS = Math.ceil((2 * MAX_REASSEMBLED_BYTES) / OVERSIZED_PART_BYTES);

/**
 * An A2S server (Counter-Strike 2 and the like) that answers A2S_INFO with a split reply of
 * about 1 MB in 60 KB datagrams, far past any real A2S reply: the poller must refuse it rather
 * than hold it all.
 */
export function startOversizedA2sServer(): Promise<HostileUdpServer> {
  const parts = Array.from({ length: OVERSIZED_PARTS }, (_, number) => {
    const header = Buffer.alloc(12);
    header.writeInt32LE(-2, 0);
    header.writeUInt32LE(0x1234, 4);
    header.writeUInt8(OVERSIZED_PARTS, 8);
    header.writeUInt8(number, 9);
    header.writeUInt16LE(1248, 10);
    return Buffer.concat([header, Buffer.alloc(OVERSIZED_PART_BYTES, number)]);
  });
  return startUdpResponder(({ datagram, reply }) => {
    if (datagram[4] !== A2S_INFO_REQUEST_TYPE) return;
    for (const part of parts) reply(part);
  });
}

/** A UDP server (OpenArena's port) that answers every query with bytes of no protocol at all. */
export function startGarbageUdpServer(): Promise<HostileUdpServer> {
  const garbage = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n', 'latin1');
  return startUdpResponder(({ reply }) => reply(garbage));
}

/**
 * A Quake 3 server (OpenArena) whose valid status reply leaves from another port than the one
 * queried, as a server behind a broken NAT or a spoofer does: the poller must not take it.
 */
export async function startWrongPortQuake3Server(): Promise<HostileUdpServer> {
  const other = dgram.createSocket('udp4');
  other.bind(0, '127.0.0.1');
  await once(other, 'listening');
  const reply = statusResponse({
    info: { sv_hostname: 'wrong port', mapname: 'q3dm17', sv_maxclients: '16' },
    players: [],
  });
  let responder: UdpResponder;
  try {
    responder = await startUdpResponder(({ from }) => other.send(reply, from.port, from.address));
  } catch (err) {
    other.close();
    throw err;
  }
  return {
    address: responder.address,
    port: responder.port,
    get received() {
      return responder.received;
    },
    stop: async () => {
      await responder.stop();
      await new Promise<void>((done) => other.close(() => done()));
    },
  };
}
