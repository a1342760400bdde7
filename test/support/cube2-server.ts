/*
 * A real Cube 2: Sauerbraten server for tests: Debian's cube2-server (the 2020 edition's
 * dedicated server), bound to 127.0.0.1 on a free port pair (the game port and the info
 * port, game port + 1), with a throw-away home directory holding its server-init.cfg, and
 * master-server registration off (updatemaster 0), so it talks to nobody but the test.
 * It also opens the LAN discovery port 28784, fixed upstream, on 127.0.0.1 as well (shared
 * with SO_REUSEADDR, so two of these servers can run at once).
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGameServer } from './game-server-process.js';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

/** The launcher `dpkg -L cube2-server` lists (it runs /usr/lib/cube2/cube2_server). */
export const CUBE2_SERVER_BINARY = '/usr/games/cube2-server';

export interface Cube2ServerOptions {
  /** serverdesc; `\f` colour escapes allowed (written as Cubescript's `^f`). */
  description: string;
  maxClients: number;
  /** serverpass: clients must give it to join. */
  password?: string;
}

export interface Cube2Server {
  /** The game port; queries go to {@link infoPort}. */
  readonly port: number;
  readonly infoPort: number;
  /** What the server printed, for a failing test to show. */
  readonly log: string[];
  stop(): Promise<void>;
}

/** A Cubescript string literal: `^` escapes, as the game's parser reads them. */
function cubescriptString(text: string): string {
  const escaped = text
    .replace(/\^/gu, '^^')
    .replace(/"/gu, '^"')
    .replace(/\f/gu, '^f')
    .replace(/\n/gu, '^n');
  return `"${escaped}"`;
}

async function udpFree(port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  const free = await new Promise<boolean>((done) => {
    socket.once('error', () => done(false));
    socket.bind(port, '127.0.0.1', () => done(true));
  });
  if (free) await new Promise<void>((done) => socket.close(() => done()));
  return free;
}

/** A free port whose next port is free for UDP too (the server binds both). */
export async function freePortPair(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = await freePort();
    if (port < 65_535 && (await udpFree(port + 1))) return port;
  }
  throw new Error('no free pair of ports');
}

/** One raw info request (not through the code under test): whether the server answered. */
async function answers(infoPort: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = once(socket, 'message').then(() => true);
    socket.send(Buffer.from([0x01]), infoPort, '127.0.0.1');
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300));
    return await Promise.race([reply, timeout]);
  } finally {
    socket.close();
  }
}

/** Starts cube2-server and waits until its info port answers; stop it in afterAll. */
export async function startCube2Server(opts: Cube2ServerOptions): Promise<Cube2Server> {
  const home = await mkdtemp(join(tmpdir(), 'gss-cube2-'));
  // Another process may take a port between the check and the server's bind: then the
  // server exits at once ("could not create server host"), and a new pair is tried.
  for (let attempt = 1; ; attempt++) {
    const server = await launch(home, await freePortPair(), opts);
    if (server) return server;
    if (attempt === 3) {
      await rm(home, { recursive: true, force: true });
      throw new Error('cube2-server could not bind a free port pair three times');
    }
  }
}

/** One start on `port`: the server once it answers, or undefined if it exited first. */
async function launch(
  home: string,
  port: number,
  opts: Cube2ServerOptions,
): Promise<Cube2Server | undefined> {
  const config = [
    'serverip "127.0.0.1"',
    `serverport ${port}`,
    'updatemaster 0',
    `maxclients ${opts.maxClients}`,
    `serverdesc ${cubescriptString(opts.description)}`,
    ...(opts.password === undefined ? [] : [`serverpass ${cubescriptString(opts.password)}`]),
  ];
  await writeFile(join(home, 'server-init.cfg'), `${config.join('\n')}\n`);
  // -q: the home directory, where server-init.cfg is looked for first.
  const {
    output: log,
    running,
    stop,
  } = spawnGameServer(CUBE2_SERVER_BINARY, [`-q${home}`], home, {
    inHome: true,
  });
  try {
    const state = await waitFor(
      `cube2-server on ports ${port} and ${port + 1}`,
      async () => (!running() ? 'exited' : (await answers(port + 1)) && 'answering'),
      { timeoutMs: 20_000, everyMs: 100 },
    );
    if (state === 'exited') return undefined;
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${log.join('')}`, { cause: err });
  }
  return { port, infoPort: port + 1, log, stop };
}
