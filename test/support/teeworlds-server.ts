/*
 * Real Teeworlds servers for tests: Debian's teeworlds-server (Teeworlds 0.7.5) and
 * ddnet-server (DDNet 16.4), bound to 127.0.0.1 on a free port (DDNet with sv_ipv4only,
 * else it also wants an IPv6 socket), with a throw-away home and working directory (both
 * read storage.cfg and autoexec there, and DDNet writes its sqlite ranks there), and
 * sv_register 0: no master server ever hears of them (0.7.5 then never even looks one up).
 *
 * A fake client can join either: the 0.7 handshake (token, connect), then the 0.7 INFO and
 * READY messages, which both servers accept (DDNet through its 0.7 support). Both then count
 * it and list it as "(connecting)", the name a client has until it enters the game.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGameServer } from './game-server-process.js';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

export const TEEWORLDS_BINARY = '/usr/games/teeworlds-server';
export const DDNET_BINARY = '/usr/games/DDNet-Server';

export interface TeeworldsServerOptions {
  flavour: 'teeworlds' | 'ddnet';
  name: string;
  maxClients: number;
  password?: string;
  map?: string;
  /** Teeworlds only (dm, tdm, ctf, ...). */
  gameType?: string;
}

export interface TeeworldsServer {
  readonly port: number;
  /** What the server printed, for a failing test to show. */
  readonly log: string[];
  stop(): Promise<void>;
}

const quoted = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

/** A 0.7 token request (control packet, token none, TOKEN + ours, padded to 512 bytes). */
function tokenRequest(mine: Buffer): Buffer {
  const packet = Buffer.alloc(7 + 512);
  packet[0] = 0x04;
  packet.fill(0xff, 3, 7);
  packet[7] = 5;
  mine.copy(packet, 8);
  return packet;
}

/** Whether the server answers a 0.7 token request (both flavours do) within 300 ms. */
async function answers(port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = once(socket, 'message');
    socket.send(tokenRequest(Buffer.from([1, 2, 3, 4])), port, '127.0.0.1');
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300));
    return (await Promise.race([reply, timeout])) !== undefined;
  } finally {
    socket.close();
  }
}

/** Starts a server and waits until it answers; stop it in afterAll. */
export async function startTeeworldsServer(opts: TeeworldsServerOptions): Promise<TeeworldsServer> {
  const home = await mkdtemp(join(tmpdir(), `gss-${opts.flavour}-`));
  const port = await freePort();
  const set = (name: string, value: string | number) =>
    `${name} ${typeof value === 'number' ? value : quoted(value)}`;
  // Each argument is one console command, run after the built-in autoexec.
  const args = [
    ...(opts.flavour === 'ddnet' ? [set('sv_ipv4only', 1)] : []),
    set('bindaddr', '127.0.0.1'),
    set('sv_port', port),
    set('sv_register', opts.flavour === 'ddnet' ? '0' : 0),
    set('sv_name', opts.name),
    set('sv_max_clients', opts.maxClients),
    set('password', opts.password ?? ''),
    ...(opts.map ? [set('sv_map', opts.map)] : []),
    ...(opts.gameType ? [set('sv_gametype', opts.gameType)] : []),
  ];
  const binary = opts.flavour === 'ddnet' ? DDNET_BINARY : TEEWORLDS_BINARY;
  const { child, output: log, stop } = spawnGameServer(binary, args, home, { inHome: true });
  try {
    await waitFor(
      `${opts.flavour} server on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${binary} exited: ${log.join('')}`);
        return answers(port);
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, log, stop };
}

export interface FakeClient {
  /** Says goodbye (a close control message) and closes the socket. */
  close(): Promise<void>;
}

const cstr = (text: string) => Buffer.from(`${text}\0`, 'utf8');

/**
 * Joins the server at `port` as far as being counted: 0.7 token, connect, then INFO (net
 * version, password, client version 0.7.5) and READY as vital chunks. Resolves once the
 * server accepted the connection and both messages are sent; the test then waits for the
 * count. Never acknowledges what the server sends: it lives for one test, not for 10 s.
 */
export async function connectFakeClient(port: number, password = ''): Promise<FakeClient> {
  const socket = dgram.createSocket('udp4');
  const mine = Buffer.from([0x0f, 0xac, 0xe0, 0x01]);
  let server: Buffer | undefined;
  const send = (packet: Buffer) => socket.send(packet, port, '127.0.0.1');
  /** A packet of one vital chunk (flags 1, 12-bit size, 10-bit sequence). */
  const vital = (sequence: number, data: Buffer, token: Buffer) => {
    const header = Buffer.alloc(7);
    header[2] = 1;
    token.copy(header, 3);
    const chunk = Buffer.from([
      0x40 | ((data.length >> 6) & 0x3f),
      (data.length & 0x3f) | ((sequence >> 2) & 0xc0),
      sequence & 0xff,
    ]);
    return Buffer.concat([header, chunk, data]);
  };
  const accepted = new Promise<void>((resolve) => {
    socket.on('message', (packet: Buffer) => {
      if (packet[0] !== 0x04 || !packet.subarray(3, 7).equals(mine)) return;
      if (!server && packet[7] === 5 && packet.length >= 12) {
        server = Buffer.from(packet.subarray(8, 12));
        const connect = tokenRequest(mine);
        server.copy(connect, 3);
        connect[7] = 1; // CONNECT
        send(connect);
      } else if (server && packet[7] === 2) {
        // ACCEPT: NETMSG_INFO (1, system), then NETMSG_READY (18, system).
        const info = Buffer.concat([
          Buffer.from([(1 << 1) | 1]),
          cstr('0.7 802f1be60a05665f'),
          cstr(password),
          Buffer.from([0x85, 0x1c]), // packed 0x0705
        ]);
        send(vital(1, info, server));
        send(vital(2, Buffer.from([(18 << 1) | 1]), server));
        resolve();
      }
    });
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  send(tokenRequest(mine));
  let timer: NodeJS.Timeout | undefined;
  const refused = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the server did not accept the fake client')), 5000);
  });
  try {
    await Promise.race([accepted, refused]);
  } catch (err) {
    socket.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    close: async () => {
      if (server) {
        const close = Buffer.alloc(8);
        close[0] = 0x04;
        server.copy(close, 3);
        close[7] = 4; // CLOSE
        send(close);
      }
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
