/*
 * A real Luanti (Minetest) server for tests: Debian's minetest-server, bound to 127.0.0.1
 * on a free port (IPv6 off), with a throw-away home, world and config, a minimal game the
 * test writes (no mods: nothing to load, and no dependence on the games a package ships),
 * a flat empty map (singlenode), and no announcement to the public server list.
 */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { spawnGameServer } from './game-server-process.js';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

/**
 * The server binary: Debian's /usr/games/minetestserver is a script that adds the system
 * config and log file before ours; the binary it runs takes only ours. Later packages are
 * named luanti.
 */
const BINARIES = [
  '/usr/lib/minetest/minetestserver',
  '/usr/games/minetestserver',
  '/usr/games/luantiserver',
];

export interface LuantiServerOptions {
  /** max_users: 1 makes one held connection fill the server. */
  maxUsers: number;
  /** default_password: new players must know it. */
  defaultPassword?: string;
}

export interface LuantiServer {
  readonly port: number;
  /** The engine's version as `--version` prints it, e.g. `5.6.1`. */
  readonly engineVersion: string;
  /** The server's log file so far. */
  log(): Promise<string>;
  /** Names in the world's account database (auth.sqlite). */
  accounts(): string[];
  stop(): Promise<void>;
}

async function findBinary(): Promise<string> {
  for (const path of BINARIES) {
    try {
      await access(path);
      return path;
    } catch {
      // try the next
    }
  }
  throw new Error(
    `no Luanti server binary (${BINARIES.join(', ')}): apt-get install minetest-server`,
  );
}

const PROTOCOL_ID = Buffer.from([0x4f, 0x45, 0x74, 0x03]);

/** TOSERVER_INIT from `peerId`, written byte by byte (not with the code under test). */
function init(peerId: number, name: string): Buffer {
  const fixed = Buffer.from([0, 0, 1, 1, 0, 2, 29, 0, 0, 0, 37, 0xff, 0xff, 0, name.length]);
  fixed.writeUInt16BE(peerId, 0);
  return Buffer.concat([PROTOCOL_ID, fixed, Buffer.from(name, 'latin1')]);
}

function disco(peerId: number): Buffer {
  const tail = Buffer.from([0, 0, 0, 0, 3]);
  tail.writeUInt16BE(peerId, 0);
  return Buffer.concat([PROTOCOL_ID, tail]);
}

/** A client that got a HELLO and holds its connection (so a player slot) until `close`. */
export interface HeldConnection {
  readonly peerId: number;
  close(): Promise<void>;
}

/**
 * Connects as a client would, up to the HELLO (INIT again every 50 ms until it comes, as
 * servers before 5.10 drop the first), without the code under test. Undefined if no HELLO
 * comes within `timeoutMs`.
 */
export async function holdConnection(
  port: number,
  name: string,
  timeoutMs = 1000,
): Promise<HeldConnection | undefined> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let peerId = 0;
  const send = (data: Buffer) => socket.send(data, port, '127.0.0.1');
  const close = async () => {
    send(disco(peerId));
    await new Promise<void>((resolve) => setTimeout(resolve, 20));
    socket.close();
  };
  const hello = new Promise<boolean>((resolve) => {
    socket.on('message', (datagram) => {
      // Reliable packets on channel 0: SET_PEER_ID (control type 1), HELLO (command 0x02).
      if (datagram.length >= 14 && datagram[7] === 3 && datagram[10] === 0 && datagram[11] === 1) {
        peerId = datagram.readUInt16BE(12);
      }
      if (datagram.length >= 13 && datagram[7] === 3 && datagram[10] === 1) {
        resolve(datagram.readUInt16BE(11) === 0x02);
      }
    });
    setTimeout(() => resolve(false), timeoutMs);
  });
  send(init(0, name));
  const again = setInterval(() => send(init(peerId, name)), 50);
  const got = await hello;
  clearInterval(again);
  if (got) return { peerId, close };
  await close();
  return undefined;
}

/** Starts the server and waits until it answers a handshake; stop it in afterAll. */
export async function startLuantiServer(opts: LuantiServerOptions): Promise<LuantiServer> {
  const binary = await findBinary();
  const home = await mkdtemp(join(tmpdir(), 'gss-luanti-'));
  const world = join(home, 'world');
  const game = join(home, '.minetest', 'games', 'gsstest');
  const config = join(home, 'server.conf');
  const logFile = join(home, 'server.log');
  await mkdir(world, { recursive: true });
  await mkdir(join(game, 'mods'), { recursive: true });
  await writeFile(join(game, 'game.conf'), 'title = GSS test game\nname = gsstest\n');
  const port = await freePort();
  await writeFile(
    config,
    [
      'bind_address = 127.0.0.1',
      `port = ${port}`,
      'ipv6_server = false',
      'enable_ipv6 = false',
      'server_announce = false',
      'serverlist_url = ',
      'server_name = Loopback Luanti',
      `max_users = ${opts.maxUsers}`,
      `default_password = ${opts.defaultPassword ?? ''}`,
      'mg_name = singlenode',
      // "New connection" lines are INFO: they show the server saw each probe.
      'debug_log_level = info',
      '',
    ].join('\n'),
  );
  const { stdout: versionText } = await promisify(execFile)(binary, ['--version'], {
    env: { HOME: home },
  });
  const engineVersion = /(\d+\.\d+\.\d+)/u.exec(versionText)?.[1] ?? 'unknown';

  const { child, output, stop } = spawnGameServer(
    binary,
    [
      '--world',
      world,
      '--gameid',
      'gsstest',
      '--config',
      config,
      '--port',
      String(port),
      '--logfile',
      logFile,
    ],
    home,
  );
  try {
    await waitFor(
      `Luanti server on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited: ${output.join('')}`);
        const held = await holdConnection(port, 'readycheck', 300);
        await held?.close();
        return held !== undefined;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    engineVersion,
    log: () => readFile(logFile, 'utf8'),
    accounts: () => {
      const db = new DatabaseSync(join(world, 'auth.sqlite'), { readOnly: true });
      try {
        return db
          .prepare('SELECT name FROM auth')
          .all()
          .map((row) => String(row.name));
      } finally {
        db.close();
      }
    },
    stop,
  };
}
