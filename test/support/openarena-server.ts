/*
 * A real Quake 3 engine server for tests: Debian's openarena-server (ioquake3's dedicated
 * engine with the OpenArena game code), headless, IPv4 only, bound to 127.0.0.1 on a free
 * port, with a throw-away home directory and no master servers (dedicated 1 never sends
 * heartbeats; the master list is emptied as well), so it talks to nobody but the test.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGameServer } from './game-server-process.js';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

export const OPENARENA_BINARY = '/usr/games/openarena-server';

export interface OpenArenaOptions {
  hostname: string;
  maxClients: number;
  map?: string;
  /** Bot names (OpenArena's, e.g. Angelyss, Gargoyle) added at skill 1. */
  bots?: string[];
  /** g_gametype (0 free for all). */
  gameType?: number;
}

export interface OpenArenaServer {
  readonly port: number;
  /** What the server printed, for a failing test to show. */
  readonly log: string[];
  stop(): Promise<void>;
}

/** One raw getstatus round trip (not through the code under test). */
async function rawStatus(port: number): Promise<string | undefined> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = once(socket, 'message') as Promise<[Buffer]>;
    socket.send(Buffer.from('\xff\xff\xff\xffgetstatus\n', 'latin1'), port, '127.0.0.1');
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300));
    const answer = await Promise.race([reply, timeout]);
    return answer?.[0].toString('latin1');
  } finally {
    socket.close();
  }
}

/** Starts OpenArena and waits until it answers with all its bots in; stop it in afterAll. */
export async function startOpenArena(opts: OpenArenaOptions): Promise<OpenArenaServer> {
  const home = await mkdtemp(join(tmpdir(), 'gss-openarena-'));
  const port = await freePort();
  const bots = opts.bots ?? [];
  const set = (name: string, value: string | number) => ['+set', name, String(value)];
  const args = [
    ...set('fs_homepath', home),
    ...set('dedicated', 1),
    ...set('net_enabled', 1), // IPv4 only
    ...set('net_ip', '127.0.0.1'),
    ...set('net_port', port),
    ...[1, 2, 3, 4, 5].flatMap((n) => set(`sv_master${n}`, '')),
    ...set('sv_hostname', opts.hostname),
    ...set('sv_maxclients', opts.maxClients),
    ...set('g_gametype', opts.gameType ?? 0),
    ...set('bot_enable', bots.length > 0 ? 1 : 0),
    '+map',
    opts.map ?? 'oa_dm1',
    ...bots.flatMap((bot) => ['+addbot', bot, '1']),
  ];
  const { child, output: log, stop } = spawnGameServer(OPENARENA_BINARY, args, home);
  try {
    await waitFor(
      `OpenArena on port ${port} with ${bots.length} bots`,
      async () => {
        if (child.exitCode !== null) throw new Error(`openarena-server exited: ${log.join('')}`);
        const status = await rawStatus(port);
        const lines = status?.split('\n').filter((line) => /^-?\d+ -?\d+ "/u.test(line)) ?? [];
        return status !== undefined && lines.length === bots.length;
      },
      { timeoutMs: 30_000, everyMs: 250 },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, log, stop };
}
