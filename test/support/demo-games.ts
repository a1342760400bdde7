/*
 * The demo game servers: every answering server of the demo set (`seed --demo`) served by the
 * test responders on its own port, with player counts that drift gently, as a real evening
 * on a hosting company's servers would. The compose service `demo-games` runs this, so a fresh
 * `docker compose up` shows servers online, with players, next to the demo's offline ones.
 *
 *   node dist/test/support/demo-games.js           serve (DEMO_BIND, default 127.0.0.1)
 *   node dist/test/support/demo-games.js --check   exit 0 when every server answers on 127.0.0.1
 *
 * Ports: the demo set's (apps/poller/src/seed/demo-fleet.ts), each moved by its DEMO_*_PORT
 * variable, which `seed --demo` reads too. By default Minecraft Java TCP 25565-25567; Bedrock
 * UDP 19132-19133; A2S UDP 27015-27018, 28015, 2457; Quake 3 UDP 27960-27961. Nothing answers
 * 25568 and 27019: the demo's offline servers. Stops on SIGTERM or SIGINT.
 */
import { randomInt } from 'node:crypto';
import {
  type GameEntry,
  ProviderError,
  type ProviderRegistry,
  createProviderRegistry,
  findGame,
} from '#providers';
import {
  DEMO_FLEET,
  type DemoServer,
  demoFleet,
  queryPort,
} from '../../apps/poller/src/seed/demo-fleet.js';
import { startA2sResponder } from './a2s-responder.js';
import { unconnectedPong } from './bedrock-responder.js';
import { startMinecraftResponder } from './minecraft-responder.js';
import { freePort } from './ports.js';
import { type Quake3Fixture, quake3Handler } from './quake3-responder.js';
import { startUdpResponder } from './udp-responder.js';

/** How often player counts move, and the length of their slow rise and fall. */
const TICK_MS = 5_000;
const WAVE_MS = 30 * 60_000;
const NICKNAMES = [
  'Steve',
  'Alex',
  'xXSniperXx',
  'NoScope',
  'CreeperHugger',
  'Frag_Master',
  'LlamaDrama',
  'Pixel',
  'Nova',
  'Viking42',
  'Rusty',
  'Headshot',
  'BlockBuilder',
  'Camper',
  'Ghost',
  'Lag_Lord',
  'Medic!',
  'Spy',
  'Tux',
  'Zed',
];

/** A demo server that answers, with what it serves. */
type ServedServer = DemoServer & { players: NonNullable<DemoServer['players']> };

/** One running demo server: its player count can be set. */
interface Running {
  setPlayers(online: number): void;
  stop(): Promise<void>;
}

export interface DemoGames {
  /** The demo servers served, with the port each answers queries on. */
  readonly servers: readonly { server: DemoServer; port: number }[];
  stop(): Promise<void>;
}

/** The servers of `fleet` that answer (those with `players`); the others stay silent. */
export function servedServers(fleet: readonly DemoServer[]): ServedServer[] {
  return fleet.filter((server): server is ServedServer => server.players !== undefined);
}

/**
 * Every DEMO_*_PORT variable set to a port of its own that the OS gave: for a test to run
 * demo-games and seed the demo catalog with, without touching the usual ports of the machine.
 * The offline servers' ports stay closed, so queries of them are refused, as in compose.
 */
export async function freeDemoPorts(): Promise<Record<string, string>> {
  const ports = new Set<number>();
  while (ports.size < DEMO_FLEET.length) ports.add(await freePort());
  const free = [...ports];
  return Object.fromEntries(
    DEMO_FLEET.map(({ portVariable }, i) => [portVariable, String(free[i])]),
  );
}

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const nickname = NICKNAMES[i % NICKNAMES.length] ?? 'Player';
    return i < NICKNAMES.length ? nickname : `${nickname}${Math.floor(i / NICKNAMES.length)}`;
  });
}

/** A count that follows a slow wave (each server its own phase) with a little noise. */
function drift(current: number, max: number, phase: number): number {
  const wave = Math.sin((2 * Math.PI * Date.now()) / WAVE_MS + phase);
  const target = Math.round(max * (0.45 + 0.3 * wave));
  const step = Math.sign(target - current) + randomInt(-1, 2);
  return Math.min(max, Math.max(0, current + step));
}

async function serve(server: ServedServer, game: GameEntry, host: string): Promise<Running> {
  const port = queryPort(server);
  const { max, map = 'world' } = server.players;
  switch (game.provider) {
    case 'minecraft': {
      const responder = await startMinecraftResponder({
        host,
        port,
        motd: server.name,
        maxPlayers: max,
        sample: names(5),
      });
      return { setPlayers: (online) => responder.setPlayers(online), stop: () => responder.stop() };
    }
    case 'minecraft-bedrock': {
      let online = 0;
      const motd = () =>
        `MCPE;${server.name};766;1.21.50;${online};${max};${port}0042;${map};Survival;1;${port};${port + 1};`;
      const udp = await startUdpResponder(
        ({ datagram, reply }) => {
          // An unconnected ping: id 0x01, then time, magic and client GUID (33 bytes).
          if (datagram.length === 33 && datagram[0] === 0x01)
            reply(unconnectedPong(datagram, motd()));
        },
        { host, port },
      );
      return { setPlayers: (n) => (online = n), stop: () => udp.stop() };
    }
    case 'valve': {
      const info = {
        name: server.name,
        map,
        folder: game.id,
        game: game.name,
        players: 0,
        maxPlayers: max,
        version: '1.0.0.0',
      };
      const responder = await startA2sResponder({ info, challengeInfo: true }, port, host);
      return {
        setPlayers: (online) =>
          responder.set({
            info: { ...info, players: online },
            players: names(Math.min(online, 64)).map((name, i) => ({
              name,
              score: (i * 7) % 40,
              durationS: 60 * (i + 1),
            })),
          }),
        stop: () => responder.stop(),
      };
    }
    case 'quake3': {
      const fixture: Quake3Fixture = {
        info: {
          sv_hostname: server.name,
          mapname: map,
          sv_maxclients: String(max),
          g_gametype: game.id === 'openarena' ? '4' : '0',
          gamename: game.id === 'openarena' ? 'baseoa' : 'baseq3',
          version: game.id === 'openarena' ? 'ioq3+oa 1.36' : 'ioq3 1.36',
        },
        players: [],
      };
      const udp = await startUdpResponder(quake3Handler(fixture), { host, port });
      return {
        setPlayers: (online) => {
          // A ping above 0: the provider counts ping-0 clients as bots.
          fixture.players = names(online).map((name, i) => ({
            score: (i * 3) % 25,
            ping: 30 + i,
            name,
          }));
        },
        stop: () => udp.stop(),
      };
    }
    default:
      throw new Error(`no demo responder for ${game.id} (provider ${game.provider})`);
  }
}

/** Starts every demo server of `fleet` on `host`; stop them with `stop()`. */
export async function startDemoGames(
  fleet: readonly DemoServer[],
  host = '127.0.0.1',
): Promise<DemoGames> {
  const running: Running[] = [];
  const counts: { server: ServedServer; running: Running; online: number; phase: number }[] = [];
  try {
    for (const server of servedServers(fleet)) {
      const game = findGame(server.game);
      if (!game) throw new Error(`demo server ${server.name}: unknown game ${server.game}`);
      const started = await serve(server, game, host);
      running.push(started);
      const phase = counts.length;
      const online = drift(Math.round(server.players.max * 0.45), server.players.max, phase);
      started.setPlayers(online);
      counts.push({ server, running: started, online, phase });
    }
  } catch (err) {
    await Promise.all(running.map((r) => r.stop()));
    throw err;
  }
  const timer = setInterval(() => {
    for (const entry of counts) {
      entry.online = drift(entry.online, entry.server.players.max, entry.phase);
      entry.running.setPlayers(entry.online);
    }
  }, TICK_MS);
  return {
    servers: counts.map(({ server }) => ({ server, port: queryPort(server) })),
    stop: async () => {
      clearInterval(timer);
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}

export interface DemoAnswer {
  server: DemoServer;
  online: boolean;
  playersOnline: number | null;
  playersMax: number | null;
  /** The provider's error code and message when it did not answer. */
  error: string | null;
}

/** Queries every served server of `fleet` at `host` through the providers, as a poll worker does. */
export async function queryDemoServers(
  registry: ProviderRegistry,
  host: string,
  fleet: readonly DemoServer[],
  timeoutMs = 3_000,
): Promise<DemoAnswer[]> {
  return Promise.all(
    servedServers(fleet).map(async (server): Promise<DemoAnswer> => {
      try {
        const status = await registry
          .get(server.game)
          .query({ host, port: queryPort(server) }, { timeoutMs });
        return {
          server,
          online: true,
          playersOnline: status.playersOnline,
          playersMax: status.playersMax,
          error: null,
        };
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        return {
          server,
          online: false,
          playersOnline: null,
          playersMax: null,
          error: `${err.code}: ${err.message}`,
        };
      }
    }),
  );
}

/** The compose health check: every demo server answers on loopback. */
async function check(): Promise<number> {
  const { registry, services } = createProviderRegistry();
  try {
    const answers = await queryDemoServers(registry, '127.0.0.1', demoFleet(process.env));
    const silent = answers.filter((a) => !a.online);
    for (const { server, error } of silent) {
      process.stderr.write(
        `demo-games: ${server.name} (${server.game}) does not answer: ${error}\n`,
      );
    }
    return silent.length === 0 ? 0 : 1;
  } finally {
    await services.close();
  }
}

async function main(): Promise<void> {
  const host = process.env['DEMO_BIND'] || '127.0.0.1';
  const demo = await startDemoGames(demoFleet(process.env), host);
  const ports = demo.servers.map(({ port }) => port).join(', ');
  process.stdout.write(`demo-games: ${demo.servers.length} servers on ${host}, ports ${ports}\n`);
  const stop = (): void => {
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.main) {
  if (process.argv.includes('--check')) {
    check().then(
      (code) => (process.exitCode = code),
      (err: unknown) => {
        process.stderr.write(`demo-games: ${String(err)}\n`);
        process.exitCode = 1;
      },
    );
  } else {
    main().catch((err: unknown) => {
      process.stderr.write(
        `demo-games: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    });
  }
}
