/*
 * Loopback HTTP servers standing in for the HTTP-speaking game servers and status APIs:
 * an FXServer (FiveM / RedM: /dynamic.json, /info.json, /players.json) and an
 * mcsrvstat.us-style API (v3 answers under /3/<address> and /bedrock/3/<address>).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startUdpResponder } from './udp-responder.js';

/** What one route answers: a status and a body (JSON-encoded unless a Buffer), maybe late. */
export interface HttpAnswer {
  status?: number;
  body: unknown;
  delayMs?: number;
}

export interface HttpResponder {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Paths requested so far, with their Host header: `host path`. */
  readonly requests: string[];
  /** Replaces the answer of one path (`undefined`: 404). */
  route(path: string, answer: HttpAnswer | undefined): void;
  stop(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 answering fixed routes; stop it in afterAll/afterEach. */
export async function startHttpResponder(
  routes: Record<string, HttpAnswer> = {},
  fallback?: (path: string) => HttpAnswer | undefined,
): Promise<HttpResponder> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(`${req.headers.host ?? ''} ${path}`);
    const answer = table.get(path) ?? fallback?.(path);
    const respond = () => {
      if (!answer) {
        res.writeHead(404).end('not found');
        return;
      }
      const body = Buffer.isBuffer(answer.body)
        ? answer.body
        : Buffer.from(JSON.stringify(answer.body));
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(body);
    };
    if (answer?.delayMs) setTimeout(respond, answer.delayMs);
    else respond();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (path, answer) => {
      if (answer) table.set(path, answer);
      else table.delete(path);
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

export interface FiveMFixture {
  hostname: string;
  clients: number;
  maxClients: number;
  mapName?: string;
  gameType?: string;
  /** Names in /players.json; undefined: the server hides it (404). */
  players?: string[];
  server?: string;
}

/**
 * An FXServer: its three documents over HTTP, shaped as FXServer serves them, and its
 * UDP `getinfo` answer on the same port number (what GameDig's fivem protocol asks first).
 */
export async function startFiveMResponder(fixture: FiveMFixture): Promise<HttpResponder> {
  const web = await startHttpResponder({
    '/dynamic.json': {
      body: {
        clients: fixture.clients,
        gametype: fixture.gameType ?? 'Freeroam',
        hostname: fixture.hostname,
        iv: '0',
        mapname: fixture.mapName ?? 'San Andreas',
        sv_maxclients: String(fixture.maxClients),
      },
    },
    '/info.json': {
      body: {
        enhancedHostSupport: true,
        resources: ['chat', 'mapmanager'],
        server: fixture.server ?? 'FXServer-master SERVER v1.0.0.7290 linux',
        vars: { sv_projectName: fixture.hostname, tags: 'test' },
        version: 1,
      },
    },
    ...(fixture.players
      ? {
          '/players.json': {
            body: fixture.players.map((name, i) => ({
              id: i + 1,
              name,
              ping: 30,
              identifiers: [],
            })),
          },
        }
      : {}),
  });
  const info = {
    hostname: fixture.hostname,
    clients: fixture.clients,
    sv_maxclients: fixture.maxClients,
    mapname: fixture.mapName ?? 'San Andreas',
    gametype: fixture.gameType ?? 'Freeroam',
    iv: 0,
  };
  const udp = await startUdpResponder(
    ({ datagram, reply }) => {
      const match = /^\xff\xff\xff\xffgetinfo ?(\S*)/u.exec(datagram.toString('latin1'));
      if (!match) return;
      const text = Object.entries({ ...info, challenge: match[1] ?? '' })
        .map(([key, value]) => `\\${key}\\${value}`)
        .join('');
      reply(Buffer.from(`\xff\xff\xff\xffinfoResponse\n${text}`, 'latin1'));
    },
    { port: web.port },
  );
  return {
    port: web.port,
    url: web.url,
    requests: web.requests,
    route: (path, answer) => web.route(path, answer),
    stop: async () => {
      await udp.stop();
      await web.stop();
    },
  };
}

export interface McsrvstatFixture {
  online: boolean;
  players?: number;
  max?: number;
  names?: string[];
  motd?: string[];
  version?: string;
  map?: string;
  gamemode?: string;
}

/** A v3 answer of the mcsrvstat.us API (fields as its documentation lists them). */
export function mcsrvstatAnswer(fixture: McsrvstatFixture): HttpAnswer {
  if (!fixture.online) {
    return {
      body: {
        online: false,
        ip: '',
        port: 25565,
        debug: { error: { ping: 'Connection refused' } },
      },
    };
  }
  return {
    body: {
      online: true,
      ip: '127.0.0.1',
      port: 25565,
      debug: { ping: true, query: false, srv: false, cachehit: false, apiversion: 3 },
      motd: { raw: fixture.motd ?? [], clean: fixture.motd ?? [], html: fixture.motd ?? [] },
      players: {
        online: fixture.players ?? 0,
        max: fixture.max ?? 20,
        ...(fixture.names ? { list: fixture.names.map((name) => ({ name, uuid: name })) } : {}),
      },
      version: fixture.version ?? '1.21.4',
      ...(fixture.map ? { map: { raw: fixture.map, clean: fixture.map, html: fixture.map } } : {}),
      ...(fixture.gamemode ? { gamemode: fixture.gamemode } : {}),
    },
  };
}

/** An mcsrvstat-style API answering every address with `answer(edition, address)`. */
export function startMcsrvstatResponder(
  answer: (edition: 'java' | 'bedrock', address: string) => McsrvstatFixture,
): Promise<HttpResponder> {
  return startHttpResponder({}, (path) => {
    const match = /^\/(bedrock\/)?3\/(.+)$/u.exec(path);
    if (!match) return undefined;
    const address = decodeURIComponent(match[2] ?? '');
    return mcsrvstatAnswer(answer(match[1] ? 'bedrock' : 'java', address));
  });
}
