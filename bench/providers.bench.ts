/*
 * Provider throughput: our native providers, GameDig and a bare single-socket client, each
 * in a child process of its own (so peak RSS is each one's alone), against the same
 * loopback responders served by this process, at the same concurrency.
 *
 *   npm run bench:providers [-- --servers 200 --concurrency 200 --seconds 5 --protocols a2s,quake3,bedrock]
 *   npm run bench:providers -- --protocols cube2,luanti,ddnet,teeworlds07
 *
 * The default run is a2s, quake3 and bedrock (a minute); the four protocols GameDig cannot
 * query take 50 s more, so they run when named in --protocols (any mix of the seven).
 *
 * Every contender sends the same requests: one Quake 3 getstatus, one RakNet ping, and
 * A2S_INFO and A2S_PLAYER with the post-2020 challenge on both. The A2S responders keep one
 * challenge, so a client that remembers each server's last challenge (ours does between
 * polls, the raw client copies it) sends 2 datagrams and gets 2 per query after its first;
 * GameDig forgets it and does 4 and 4 every time, info then players. Each server (one
 * responder port) has at most one query in flight, as the poller allows; all of them share
 * 127.0.0.1, so our per-host limit is set to the concurrency. GameDig's errors are replies
 * the kernel dropped: its shared socket keeps the default receive buffer.
 *
 * Our native protocols GameDig lacks (its Cube 2 and Teeworlds are missing, and its
 * `minetest` reads the public server list over the internet) run ours and the raw client
 * only, with the same datagrams: `cube2` the server info and extinfo player-list requests at
 * once, answered by the info, the list of client numbers and one datagram per client (10
 * humans and 2 bots: 2 out, 14 in); `luanti` a 5.10+ server's handshake, INIT answered by
 * SET_PEER_ID and HELLO, then a DISCO (2 out, 2 in); `ddnet` DDNet's extended request,
 * answered by one `iext` of 16 clients (1 and 1); `teeworlds07` a 0.7 server, asked as our
 * `teeworlds` game asks any server: the 0.6 request (which a 0.7 server drops) and the 0.7
 * token request, then the info request with the server's token (3 out, 2 in).
 *
 * Prints queries/s, p50/p99 latency, CPU per query (and the kernel's part of it), peak RSS,
 * errors, and the ratios the targets in docs/benchmarks.md name: at least 5x GameDig's queries/s with
 * less memory, within 2x of the raw client. It also prints the raw client's own ratio to
 * GameDig: every contender is bound by its CPU, of which the kernel takes a share per datagram
 * sent and received that no client avoids, so the raw client's ratio is about the most any
 * client of Node's UDP sockets reaches on the machine. Each row ends with the CPU this
 * process spent meanwhile serving the responders, all on its one thread: near 100 % of a core
 * (on 2 cores the raw client gets it there), the responders bound the queries/s too, and the
 * CPU per query is the fairer figure. Last comes one JSON line of every result.
 */
import { fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import type * as Providers from '#providers';
import type { UdpResponder } from '../test/support/udp-responder.js';

type Protocol = 'a2s' | 'quake3' | 'bedrock' | 'cube2' | 'luanti' | 'ddnet' | 'teeworlds07';
type Contender = 'ours' | 'gamedig' | 'raw';

interface Result {
  contender: Contender;
  protocol: Protocol;
  queries: number;
  errors: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time (user + system) of the contender's process per query: independent of load. */
  cpuUsPerQuery: number;
  /** The kernel's part of it (system time): mostly sends and receives, a cost per datagram. */
  sysUsPerQuery: number;
  /** RSS once the contender's code is loaded, before any query: its footprint at rest. */
  loadedRssMb: number;
  peakRssMb: number;
  /**
   * CPU of this process, which serves every responder, over the child's life, in % of one
   * core: near 100, the responders bound the queries/s, and only the CPU per query compares.
   */
  respondersCpuPct?: number;
}

/**
 * Game ids as GameDig names them (ours where GameDig has none), and the GameDig type that
 * speaks the protocol; null where GameDig cannot ask the server itself.
 */
const GAME: Record<Protocol, { id: string; gameDigType: string | null }> = {
  a2s: { id: 'counterstrike2', gameDigType: 'counterstrike2' },
  quake3: { id: 'openarena', gameDigType: 'openarena' },
  bedrock: { id: 'mbe', gameDigType: 'protocol-minecraftbedrock' },
  cube2: { id: 'sauerbraten', gameDigType: null },
  luanti: { id: 'minetest', gameDigType: null },
  ddnet: { id: 'ddnet', gameDigType: null },
  teeworlds07: { id: 'teeworlds', gameDigType: null },
};
const contendersOf = (protocol: Protocol): Contender[] =>
  GAME[protocol].gameDigType === null ? ['ours', 'raw'] : ['ours', 'gamedig', 'raw'];
const TIMEOUT_MS = 2000;
const WARMUP_MS = 1000;

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '5' },
    protocols: { type: 'string', default: 'a2s,quake3,bedrock' },
    contender: { type: 'string' },
    protocol: { type: 'string' },
    ports: { type: 'string' },
  },
});

/** One query with each contender's client; resolves when the exchange is complete. */
type QueryFn = (port: number) => Promise<unknown>;

// Each child loads only its own contender's code (and the parent only the responders), so
// a peak RSS holds one contender and nothing else.

async function oursClient(protocol: Protocol, concurrency: number): Promise<QueryFn> {
  // The library without its NestJS module and env class (core.js, beside the #providers
  // entry), as the GameDig contender loads gamedig alone: either library would sit in a
  // poller next to the same NestJS and Redis stack, which is no part of the comparison.
  const core = new URL('./core.js', import.meta.resolve('#providers')).href;
  const { createProviderRegistry } = (await import(core)) as Pick<
    typeof Providers,
    'createProviderRegistry'
  >;
  const { registry } = createProviderRegistry({ perHostConcurrency: concurrency });
  const bound = registry.get(GAME[protocol].id);
  return (port) => bound.query({ host: '127.0.0.1', port }, { timeoutMs: TIMEOUT_MS });
}

async function gameDigClient(protocol: Protocol): Promise<QueryFn> {
  const type = GAME[protocol].gameDigType;
  if (type === null) throw new Error(`GameDig cannot query ${protocol}`);
  const { GameDig } = await import('gamedig');
  const gamedig = new GameDig();
  return (port) =>
    gamedig.query({
      type,
      host: '127.0.0.1',
      address: '127.0.0.1',
      port,
      givenPortOnly: true,
      maxRetries: 1,
      socketTimeout: TIMEOUT_MS,
      attemptTimeout: TIMEOUT_MS,
      requestRules: false,
    });
}

/**
 * One query of the raw client: the datagrams it starts with, and a handler for each reply
 * that may send more (`send`) and says whether the query is complete.
 */
interface RawExchange {
  first: Buffer[];
  onReply(reply: Buffer, send: (datagram: Buffer) => void): boolean;
}

const MAGIC = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const A2S_INFO = Buffer.concat([MAGIC, Buffer.from('TSource Engine Query\0', 'latin1')]);
const a2sPlayer = (challenge: Buffer) => Buffer.concat([MAGIC, Buffer.from([0x55]), challenge]);
/** Teeworlds' connectionless info request id and DDNet's extended info reply id. */
const GIE3 = Buffer.concat([MAGIC, Buffer.from('gie3', 'latin1')]);
const IEXT = Buffer.from('iext', 'latin1');
const u32be = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** Teeworlds' packed int, for a token (never negative): 6 bits, then 7 a byte. */
function packedToken(n: number): number[] {
  const out: number[] = [];
  let byte = n & 0x3f;
  for (let rest = n >>> 6; rest !== 0; rest >>>= 7) {
    out.push(byte | 0x80);
    byte = rest & 0x7f;
  }
  out.push(byte);
  return out;
}

/** Cube 2's compressed integers from `at` on: one byte, or 0x80 + 2, or 0x81 + 4. */
function countCubeInts(bytes: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < bytes.length; n++) i += bytes[i] === 0x80 ? 3 : bytes[i] === 0x81 ? 5 : 1;
  return n;
}

/**
 * Per protocol, what one raw query sends and when it is complete, knowing only the
 * fixtures' shapes: the same datagrams as our providers (tags and tokens counted from a
 * random start as theirs are), no parsing beyond a type byte or a count.
 */
const RAW_EXCHANGES: Record<Protocol, () => (port: number) => RawExchange> = {
  // A2S_INFO and A2S_PLAYER, with each server's last challenge kept as ours keeps it.
  a2s: () => {
    const known = new Map<number, Buffer>();
    return (port) => {
      let challenge = known.get(port);
      let gotInfo = false;
      let gotPlayers = false;
      return {
        first: challenge
          ? [Buffer.concat([A2S_INFO, challenge]), a2sPlayer(challenge)]
          : [A2S_INFO, a2sPlayer(MAGIC)],
        onReply: (reply, send) => {
          const type = reply[4];
          if (type === 0x41) {
            const next = reply.subarray(5, 9);
            if (challenge?.equals(next)) return false;
            challenge = Buffer.from(next);
            known.set(port, challenge);
            if (!gotInfo) send(Buffer.concat([A2S_INFO, challenge]));
            if (!gotPlayers) send(a2sPlayer(challenge));
          } else if (type === 0x49) gotInfo = true;
          else if (type === 0x44) gotPlayers = true;
          return gotInfo && gotPlayers;
        },
      };
    };
  },
  quake3: () => {
    const getstatus = Buffer.concat([MAGIC, Buffer.from('getstatus 1\n', 'latin1')]);
    return () => ({ first: [getstatus], onReply: () => true });
  },
  bedrock: () => {
    // 0x01, time, the RakNet offline magic, client GUID.
    const ping = Buffer.from(
      `01${'00'.repeat(8)}00ffff00fefefefefdfdfdfd12345678${'00'.repeat(8)}`,
      'hex',
    );
    return () => ({ first: [ping], onReply: () => true });
  },
  // Server info (the tag as a 0x81 integer) and the extinfo player list (0, 1, -1, 0, tag);
  // replies echo the request, so a first byte of 0 is extinfo, and its reply type (-10 the
  // client numbers, -11 one client) follows the echo and EXT_ACK, version and no-error.
  cube2: () => {
    let tag = randomInt(0x8000, 2 ** 30);
    return () => {
      const t = [tag & 0xff, (tag >>> 8) & 0xff, (tag >>> 16) & 0xff, tag >>> 24];
      tag++;
      const players = Buffer.from([0, 1, 0xff, 0, ...t]);
      let gotInfo = false;
      let listed: number | undefined;
      let stats = 0;
      return {
        first: [Buffer.from([0x81, ...t]), players],
        onReply: (reply) => {
          if (reply[0] !== 0) gotInfo = true;
          else if (reply[players.length + 3] === 0xf6) {
            listed = countCubeInts(reply, players.length + 4);
          } else stats++;
          return gotInfo && listed !== undefined && stats >= listed;
        },
      };
    };
  },
  // TOSERVER_INIT from peer 0 on channel 1 (serialization 29, protocols 37 to 0xffff, a
  // probe name like ours); the server's RELIABLE replies carry SET_PEER_ID (packet 0, 1)
  // and TOCLIENT_HELLO (packet 1, command 2) from byte 10; then a DISCO from the peer id.
  luanti: () => {
    let probe = 36 ** 9 + randomInt(2 ** 47);
    return () => {
      const name = Buffer.from(`probe_${(probe++).toString(36)}`, 'latin1');
      const init = Buffer.from([
        0x4f,
        0x45,
        0x74,
        0x03,
        0,
        0,
        1,
        1,
        0,
        2,
        29,
        0,
        0,
        0,
        37,
        0xff,
        0xff,
        0,
        name.length,
        ...name,
      ]);
      let peer = [0, 0];
      return {
        first: [init],
        onReply: (reply, send) => {
          if (reply[10] === 0 && reply[11] === 1) peer = [reply[12] ?? 0, reply[13] ?? 0];
          else if (reply[10] === 1 && reply[11] === 0 && reply[12] === 2) {
            send(Buffer.from([0x4f, 0x45, 0x74, 0x03, ...peer, 0, 0, 3]));
            return true;
          }
          return false;
        },
      };
    };
  },
  // DDNet's extended header ('xe' and the token's upper 16 bits), gie3, the low byte.
  ddnet: () => {
    let token = randomInt(2 ** 30);
    return () => {
      const t = token++ & 0xff_ffff;
      const request = Buffer.concat([
        Buffer.from([0x78, 0x65, t >>> 16, (t >>> 8) & 0xff, 0, 0]),
        GIE3,
        Buffer.from([t & 0xff]),
      ]);
      return { first: [request], onReply: (reply) => IEXT.equals(reply.subarray(10, 14)) };
    };
  },
  // As our `teeworlds` asks: the 0.6 request and the 0.7 token request (a control packet
  // padded to 519 bytes) together; the token answer (0x04, ..., 5, server token) brings the
  // 0.7 info request (0x21, server token, ours, gie3, packed token); 0x21 back is the info.
  teeworlds07: () => {
    let counter = randomInt(2 ** 30);
    return () => {
      const next = counter++;
      const token = next & 0xff_ffff;
      const clientToken = u32be(next);
      const request06 = Buffer.concat([
        Buffer.from([0x78, 0x65, token >>> 16, (token >>> 8) & 0xff, 0, 0]),
        GIE3,
        Buffer.from([token & 0xff]),
      ]);
      const tokenRequest = Buffer.alloc(519);
      tokenRequest.set([0x04, 0, 0, 0xff, 0xff, 0xff, 0xff, 5, ...clientToken]);
      let asked = false;
      return {
        first: [request06, tokenRequest],
        onReply: (reply, send) => {
          if (reply[0] === 0x21) return true;
          if (reply[0] === 0x04 && reply[7] === 5 && !asked) {
            asked = true;
            send(
              Buffer.from([
                0x21,
                ...reply.subarray(8, 12),
                ...clientToken,
                ...GIE3,
                ...packedToken(token),
              ]),
            );
          }
          return false;
        },
      };
    };
  },
};

/**
 * The ceiling: one socket, replies matched by source port, the same datagrams as the
 * providers send, and no parsing beyond what tells a query complete (RAW_EXCHANGES).
 */
function rawClient(protocol: Protocol): QueryFn {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  socket.bind(0);
  const waiting = new Map<number, (reply: Buffer) => void>();
  socket.on('message', (reply, from) => waiting.get(from.port)?.(reply));
  const exchange = RAW_EXCHANGES[protocol]();
  return (port) =>
    new Promise<void>((resolve, reject) => {
      const send = (datagram: Buffer) => socket.send(datagram, port, '127.0.0.1');
      const query = exchange(port);
      const timer = setTimeout(() => done(new Error('timeout')), TIMEOUT_MS);
      const done = (err?: Error) => {
        clearTimeout(timer);
        waiting.delete(port);
        if (err) reject(err);
        else resolve();
      };
      waiting.set(port, (reply) => {
        if (query.onReply(reply, send)) done();
      });
      for (const request of query.first) send(request);
    });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Child side: run one contender against the given ports and print one JSON line. */
async function runContender(
  contender: Contender,
  protocol: Protocol,
  ports: number[],
): Promise<void> {
  const concurrency = Number(args.concurrency);
  const query =
    contender === 'ours'
      ? await oursClient(protocol, concurrency)
      : contender === 'gamedig'
        ? await gameDigClient(protocol)
        : rawClient(protocol);
  const loadedRssMb = process.memoryUsage().rss / 1e6;
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  const startedAt = performance.now();
  const endAt = startedAt + WARMUP_MS + Number(args.seconds) * 1000;
  let measureFrom = 0;
  let cpuFrom = process.cpuUsage();
  setTimeout(() => {
    measuring = true;
    measureFrom = performance.now();
    cpuFrom = process.cpuUsage();
  }, WARMUP_MS);
  const worker = async (w: number) => {
    for (let k = 0; performance.now() < endAt; k++) {
      const port = ports[(w + k * concurrency) % ports.length] ?? 0;
      const t0 = performance.now();
      const ok = await query(port).then(
        () => true,
        () => false,
      );
      if (!measuring) continue;
      if (ok) latencies.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_v, w) => worker(w)));
  const seconds = (performance.now() - measureFrom) / 1000;
  const cpu = process.cpuUsage(cpuFrom);
  const sorted = latencies.sort((a, b) => a - b);
  const result: Result = {
    contender,
    protocol,
    queries: latencies.length,
    errors,
    qps: latencies.length / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    cpuUsPerQuery: (cpu.user + cpu.system) / Math.max(1, latencies.length),
    sysUsPerQuery: cpu.system / Math.max(1, latencies.length),
    loadedRssMb,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** What the bench needs of a responder, whichever protocol it plays. */
type Responder = Pick<UdpResponder, 'port' | 'stop'>;

async function startResponders(protocol: Protocol, count: number): Promise<Responder[]> {
  const { startA2sResponder } = await import('../test/support/a2s-responder.js');
  const { startPongResponder } = await import('../test/support/bedrock-responder.js');
  const { startQuake3Responder } = await import('../test/support/quake3-responder.js');
  const { startCube2Responder } = await import('../test/support/cube2-responder.js');
  const { startLuantiResponder } = await import('../test/support/luanti-responder.js');
  const { startTeeworldsResponder } = await import('../test/support/teeworlds-responder.js');
  const players = Array.from({ length: 10 }, (_v, i) => ({ name: `player-${i}` }));
  // 12 in the game and 4 spectating: DDNet's extended info holds them in one datagram.
  const tees = Array.from({ length: 16 }, (_v, i) => ({
    name: `player-${i}`,
    clan: 'bench',
    score: i,
    player: i < 12,
  }));
  const start = (): Promise<Responder> => {
    switch (protocol) {
      case 'a2s':
        return startA2sResponder({
          info: { name: 'Bench', map: 'de_dust2', players: 10, maxPlayers: 32, bots: 2 },
          players,
          challengeInfo: true,
        });
      case 'quake3':
        return startQuake3Responder({
          info: { sv_hostname: '^1Bench', sv_maxclients: '16', mapname: 'oa_dm1' },
          players: players.map((p, i) => ({ score: i, ping: i === 0 ? 0 : 40, name: p.name })),
        });
      case 'bedrock':
        return startPongResponder('MCPE;Bench;766;1.21.50;3;10;1;World;Survival;1;19132;19133;');
      case 'cube2':
        // The server counts its 10 humans; the extinfo list names the 2 bots (128 up) too.
        return startCube2Responder({
          players: 10,
          map: 'complex',
          description: '\f3Bench',
          clients: [
            ...players.map((p, i) => ({ clientNumber: i, ping: 40, name: p.name, team: 'good' })),
            { clientNumber: 128, ping: 0, name: 'bot-0', team: 'evil' },
            { clientNumber: 129, ping: 0, name: 'bot-1', team: 'evil' },
          ],
        });
      case 'luanti':
        // 5.10 (protocol 46) and later answer the first INIT at once; earlier ones drop it.
        return startLuantiResponder({
          answer: { hello: { serializationVersion: 29, protocolVersion: 46, authMechanisms: 4 } },
          unrecorded: true,
        });
      case 'ddnet':
      case 'teeworlds07':
        return startTeeworldsResponder({
          speaks: protocol === 'ddnet' ? 'ddnet' : '0.7',
          version: protocol === 'ddnet' ? '0.6.4, 18.9' : '0.7.5',
          name: 'Bench',
          map: 'ctf5',
          gameType: protocol === 'ddnet' ? 'DDraceNetwork' : 'CTF',
          maxPlayers: 16,
          maxClients: 24,
          clients: tees,
        });
    }
  };
  return Promise.all(Array.from({ length: count }, start));
}

function runChild(contender: Contender, protocol: Protocol, ports: number[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = fork(
      import.meta.filename,
      [
        ...process.argv.slice(2),
        '--contender',
        contender,
        '--protocol',
        protocol,
        '--ports',
        ports.join(','),
      ],
      { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] },
    );
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Result)
        : reject(new Error(`${contender} exited ${code}`)),
    );
  });
}

const fmt = (n: number, digits = 0) => n.toFixed(digits).padStart(9);

async function main(): Promise<void> {
  const servers = Number(args.servers);
  const concurrency = Number(args.concurrency);
  const protocols = (args.protocols ?? '').split(',') as Protocol[];
  const unknown = protocols.filter((p) => !(p in GAME));
  if (unknown.length > 0) {
    throw new Error(`unknown protocols ${unknown.join(', ')}: use ${Object.keys(GAME).join(', ')}`);
  }
  process.stdout.write(
    `providers bench: ${servers} loopback servers per protocol, concurrency ${concurrency}, ` +
      `${args.seconds} s measured after ${WARMUP_MS / 1000} s warm-up, timeout ${TIMEOUT_MS} ms\n\n`,
  );
  process.stdout.write(
    'protocol    contender   queries/s    p50 ms    p99 ms  CPU us/query  (system)  loaded RSS MB  peak RSS MB  errors  responders CPU %\n',
  );
  const all: Result[] = [];
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const protocol of protocols) {
    const responders = await startResponders(protocol, servers);
    const ports = responders.map((r) => r.port);
    const results: Partial<Record<Contender, Result>> = {};
    for (const contender of contendersOf(protocol)) {
      const startedAt = performance.now();
      const cpuFrom = process.cpuUsage();
      const r = await runChild(contender, protocol, ports);
      const cpu = process.cpuUsage(cpuFrom);
      r.respondersCpuPct = (cpu.user + cpu.system) / 10 / (performance.now() - startedAt);
      results[contender] = r;
      all.push(r);
      process.stdout.write(
        `${protocol.padEnd(11)} ${contender.padEnd(9)} ${fmt(r.qps)} ${fmt(r.p50Ms, 2)} ${fmt(r.p99Ms, 2)} ` +
          `${fmt(r.cpuUsPerQuery, 1)}  ${fmt(r.sysUsPerQuery, 1)}     ${fmt(r.loadedRssMb, 1)}     ${fmt(r.peakRssMb, 1)}  ` +
          `${String(r.errors).padStart(6)}  ${fmt(r.respondersCpuPct)}\n`,
      );
    }
    await Promise.all(responders.map((r) => r.stop()));
    const { ours, gamedig, raw } = results;
    if (!ours || !raw) continue;
    const vsRaw = raw.qps / ours.qps;
    const rawPart =
      `raw/ours ${vsRaw.toFixed(2)}x queries/s (target <= 2x: ${verdict(vsRaw <= 2)}), ` +
      `${(ours.cpuUsPerQuery / raw.cpuUsPerQuery).toFixed(2)}x the raw CPU per query`;
    if (gamedig) {
      const vsGameDig = ours.qps / gamedig.qps;
      process.stdout.write(
        `${protocol.padEnd(11)} ours/gamedig ${vsGameDig.toFixed(1)}x queries/s (target >= 5x: ` +
          `${verdict(vsGameDig >= 5)}), ${(gamedig.cpuUsPerQuery / ours.cpuUsPerQuery).toFixed(1)}x ` +
          `less CPU per query; RSS ${ours.peakRssMb.toFixed(1)} vs ${gamedig.peakRssMb.toFixed(1)} MB ` +
          `(target less: ${verdict(ours.peakRssMb < gamedig.peakRssMb)}); ${rawPart}; ` +
          `the raw client itself: ${(raw.qps / gamedig.qps).toFixed(1)}x GameDig's queries/s ` +
          `(about the most any client reaches here)\n\n`,
      );
    } else {
      process.stdout.write(
        `${protocol.padEnd(11)} (GameDig cannot query it) ${rawPart}; peak RSS ` +
          `${ours.peakRssMb.toFixed(1)} vs ${raw.peakRssMb.toFixed(1)} MB\n\n`,
      );
    }
  }
  const round = (n: number, digits: number) => Number(n.toFixed(digits));
  process.stdout.write(
    `${JSON.stringify({
      bench: 'providers',
      servers,
      concurrency,
      seconds: Number(args.seconds),
      results: all.map((r) => ({
        protocol: r.protocol,
        contender: r.contender,
        queries: r.queries,
        errors: r.errors,
        qps: Math.round(r.qps),
        p50Ms: round(r.p50Ms, 2),
        p99Ms: round(r.p99Ms, 2),
        cpuUsPerQuery: round(r.cpuUsPerQuery, 1),
        sysUsPerQuery: round(r.sysUsPerQuery, 1),
        loadedRssMb: round(r.loadedRssMb, 1),
        peakRssMb: round(r.peakRssMb, 1),
        respondersCpuPct: Math.round(r.respondersCpuPct ?? 0),
      })),
    })}\n`,
  );
}

if (args.contender) {
  await runContender(
    args.contender as Contender,
    args.protocol as Protocol,
    (args.ports ?? '').split(',').map(Number),
  );
} else {
  await main();
}
