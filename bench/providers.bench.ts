/*
 * Provider throughput: our native providers, GameDig and a bare single-socket client, each
 * in a child process of its own (so peak RSS is each one's alone), against the same
 * loopback responders served by this process, at the same concurrency.
 *
 *   npm run bench:providers [-- --servers 200 --concurrency 200 --seconds 5 --protocols a2s,quake3,bedrock]
 *
 * Every contender sends the same requests: one Quake 3 getstatus, one RakNet ping, and
 * A2S_INFO and A2S_PLAYER with the post-2020 challenge on both. The A2S responders keep one
 * challenge, so a client that remembers each server's last challenge (ours does between
 * polls, the raw client copies it) sends 2 datagrams and gets 2 per query after its first;
 * GameDig forgets it and does 4 and 4 every time, info then players. Each server (one
 * responder port) has at most one query in flight, as the poller allows; all of them share
 * 127.0.0.1, so our per-host limit is set to the concurrency. GameDig's errors are replies
 * the kernel dropped: its shared socket keeps the default receive buffer.
 * Prints queries/s, p50/p99 latency, CPU per query (and the kernel's part of it), peak RSS,
 * errors, and the ratios the targets in docs/benchmarks.md name: at least 5x GameDig's queries/s with
 * less memory, within 2x of the raw client. It also prints the raw client's own ratio to
 * GameDig: every contender is bound by its CPU, of which the kernel takes a share per datagram
 * sent and received that no client avoids, so the raw client's ratio is about the most any
 * client of Node's UDP sockets reaches on the machine.
 */
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import type * as Providers from '#providers';

type Protocol = 'a2s' | 'quake3' | 'bedrock';
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
}

/** Game ids as GameDig names them, and the GameDig type that speaks the protocol. */
const GAME: Record<Protocol, { id: string; gameDigType: string }> = {
  a2s: { id: 'counterstrike2', gameDigType: 'counterstrike2' },
  quake3: { id: 'openarena', gameDigType: 'openarena' },
  bedrock: { id: 'mbe', gameDigType: 'protocol-minecraftbedrock' },
};
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
  const { GameDig } = await import('gamedig');
  const gamedig = new GameDig();
  return (port) =>
    gamedig.query({
      type: GAME[protocol].gameDigType,
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
 * The ceiling: one socket, replies matched by source port, no parsing beyond the type
 * byte, the same datagrams as the providers send (A2S challenges kept per server too).
 */
function rawClient(protocol: Protocol): QueryFn {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  socket.bind(0);
  const waiting = new Map<number, (reply: Buffer) => void>();
  socket.on('message', (reply, from) => waiting.get(from.port)?.(reply));
  const header = Buffer.from([0xff, 0xff, 0xff, 0xff]);
  const info = Buffer.concat([header, Buffer.from('TSource Engine Query\0', 'latin1')]);
  const player = (challenge: Buffer) => Buffer.concat([header, Buffer.from([0x55]), challenge]);
  const known = new Map<number, Buffer>();
  const requests: Record<Protocol, Buffer[]> = {
    a2s: [info, player(header)],
    quake3: [Buffer.concat([header, Buffer.from('getstatus 1\n', 'latin1')])],
    // 0x01, time, the RakNet offline magic, client GUID.
    bedrock: [
      Buffer.from(`01${'00'.repeat(8)}00ffff00fefefefefdfdfdfd12345678${'00'.repeat(8)}`, 'hex'),
    ],
  };
  return (port) =>
    new Promise<void>((resolve, reject) => {
      let gotInfo = false;
      let gotPlayers = false;
      let challenge = known.get(port);
      const timer = setTimeout(() => done(new Error('timeout')), TIMEOUT_MS);
      const done = (err?: Error) => {
        clearTimeout(timer);
        waiting.delete(port);
        if (challenge) known.set(port, challenge);
        if (err) reject(err);
        else resolve();
      };
      waiting.set(port, (reply) => {
        if (protocol !== 'a2s') return done();
        const type = reply[4];
        if (type === 0x41) {
          const next = reply.subarray(5, 9);
          if (challenge?.equals(next)) return;
          challenge = Buffer.from(next);
          if (!gotInfo) socket.send(Buffer.concat([info, challenge]), port, '127.0.0.1');
          if (!gotPlayers) socket.send(player(challenge), port, '127.0.0.1');
        } else if (type === 0x49) gotInfo = true;
        else if (type === 0x44) gotPlayers = true;
        if (gotInfo && gotPlayers) done();
      });
      const first = challenge
        ? [Buffer.concat([info, challenge]), player(challenge)]
        : requests[protocol];
      for (const request of first) socket.send(request, port, '127.0.0.1');
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

async function startResponders(protocol: Protocol, count: number) {
  const { startA2sResponder } = await import('../test/support/a2s-responder.js');
  const { startPongResponder } = await import('../test/support/bedrock-responder.js');
  const { startQuake3Responder } = await import('../test/support/quake3-responder.js');
  const players = Array.from({ length: 10 }, (_v, i) => ({ name: `player-${i}` }));
  const start = () => {
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
  process.stdout.write(
    `providers bench: ${servers} loopback servers per protocol, concurrency ${concurrency}, ` +
      `${args.seconds} s measured after ${WARMUP_MS / 1000} s warm-up, timeout ${TIMEOUT_MS} ms\n\n`,
  );
  process.stdout.write(
    'protocol  contender   queries/s    p50 ms    p99 ms  CPU us/query  (system)  loaded RSS MB  peak RSS MB  errors\n',
  );
  for (const protocol of protocols) {
    const responders = await startResponders(protocol, servers);
    const ports = responders.map((r) => r.port);
    const results: Partial<Record<Contender, Result>> = {};
    for (const contender of ['ours', 'gamedig', 'raw'] as const) {
      const r = await runChild(contender, protocol, ports);
      results[contender] = r;
      process.stdout.write(
        `${protocol.padEnd(9)} ${contender.padEnd(9)} ${fmt(r.qps)} ${fmt(r.p50Ms, 2)} ${fmt(r.p99Ms, 2)} ` +
          `${fmt(r.cpuUsPerQuery, 1)}  ${fmt(r.sysUsPerQuery, 1)}     ${fmt(r.loadedRssMb, 1)}     ${fmt(r.peakRssMb, 1)}  ${r.errors}\n`,
      );
    }
    await Promise.all(responders.map((r) => r.stop()));
    const { ours, gamedig, raw } = results;
    if (ours && gamedig && raw) {
      const vsGameDig = ours.qps / gamedig.qps;
      const vsRaw = raw.qps / ours.qps;
      const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
      process.stdout.write(
        `${protocol.padEnd(9)} ours/gamedig ${vsGameDig.toFixed(1)}x queries/s (target >= 5x: ` +
          `${verdict(vsGameDig >= 5)}), ${(gamedig.cpuUsPerQuery / ours.cpuUsPerQuery).toFixed(1)}x ` +
          `less CPU per query; RSS ${ours.peakRssMb.toFixed(1)} vs ${gamedig.peakRssMb.toFixed(1)} MB ` +
          `(target less: ${verdict(ours.peakRssMb < gamedig.peakRssMb)}); raw/ours ` +
          `${vsRaw.toFixed(2)}x queries/s (target <= 2x: ${verdict(vsRaw <= 2)}), ` +
          `${(ours.cpuUsPerQuery / raw.cpuUsPerQuery).toFixed(2)}x the raw CPU per query; ` +
          `the raw client itself: ${(raw.qps / gamedig.qps).toFixed(1)}x GameDig's queries/s ` +
          `(about the most any client reaches here)\n\n`,
      );
    }
  }
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
