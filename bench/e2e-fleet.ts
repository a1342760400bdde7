/*
 * A simulated fleet of game servers for the end-to-end benchmark, run as a child process of
 * bench/e2e.bench.ts (one process holds at most a few thousand sockets: the per-process
 * descriptor limit here is 20,000). Every server has its own loopback address and port (one
 * the OS gives, told back to the parent: two benchmarks on one machine never collide) and
 * answers one of three protocols: Minecraft Java's Server List Ping over TCP (a light
 * responder on a raw net.Server: minecraft-protocol's full server is far too heavy for
 * thousands), Valve A2S over UDP (with the post-2020 challenge) or Quake 3 `getstatus` over
 * UDP. A server behaves `ok`, `silent` (bound, never answers: offline by timeout), `slow`
 * (answers after a delay near the timeout) or `flapping` (answers only in even minutes).
 *
 * Every server counts the polls it receives per slot (slotStartFor, as the scheduler plans
 * them), so the benchmark sees servers polled more than once in one slot. Talks to its parent
 * over IPC only: FleetRequest in, FleetAnswer out.
 */
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { slotStartFor } from '#common';
import { encodeA2sInfo, encodeA2sPlayers, encodeChallenge } from '../test/support/a2s-responder.js';
import { statusResponse } from '../test/support/quake3-responder.js';
import {
  type FleetAnswer,
  type FleetBehaviour,
  type FleetCounts,
  type FleetProtocol,
  type FleetRequest,
  type FleetServer,
  noCounts,
} from './e2e-fleet.protocol.js';

/** A2S and Minecraft packet ids the responders answer. */
const A2S_INFO = 0x54;
const A2S_PLAYER = 0x55;
const MC_STATUS = 0x00;
const MC_PING = 0x01;
/** Longest frame a status client sends (a handshake with a 255-character host). */
const MC_MAX_BUFFERED = 1024;
const Q3_GETSTATUS = /^\xff\xff\xff\xffgetstatus ?([^\n]*)\n?$/u;

/** Per server: slot start -> polls received for it. */
type SlotCounts = Map<number, number>;

class Fleet {
  private readonly counts = new Map<number, { protocol: FleetProtocol; slots: SlotCounts }>();
  private readonly closers: (() => void)[] = [];
  private readonly connections = new Set<net.Socket>();

  constructor(
    private readonly intervalMs: number,
    private readonly slowMs: number,
  ) {}

  /** Binds every server; resolves with the port each got, in the order given. */
  async start(servers: readonly FleetServer[]): Promise<number[]> {
    const ports: number[] = [];
    // Bound in parallel chunks: thousands of sequential binds take seconds.
    for (let i = 0; i < servers.length; i += 500) {
      ports.push(
        ...(await Promise.all(servers.slice(i, i + 500).map((server) => this.startOne(server)))),
      );
    }
    return ports;
  }

  stop(): void {
    for (const socket of this.connections) socket.destroy();
    for (const close of this.closers) close();
  }

  tally(from: number, to: number): FleetCounts {
    const out = noCounts();
    for (const { protocol, slots } of this.counts.values()) {
      for (const [slot, polls] of slots) {
        if (slot < from || slot >= to) continue;
        out.polls += polls;
        out.polledSlots++;
        if (polls > 1) out.doubleSlots++;
        out.byProtocol[protocol] += polls;
      }
    }
    return out;
  }

  private count(id: number): void {
    const slots = this.counts.get(id)?.slots;
    if (!slots) return;
    const slot = slotStartFor(id, this.intervalMs, Date.now());
    slots.set(slot, (slots.get(slot) ?? 0) + 1);
  }

  /** Whether the server answers now; `after` runs the answer, delayed when it is slow. */
  private answers(behaviour: FleetBehaviour, after: () => void): void {
    switch (behaviour) {
      case 'silent':
        return;
      case 'flapping':
        if (Math.floor(Date.now() / 60_000) % 2 === 1) return;
        return after();
      case 'slow': {
        setTimeout(after, this.slowMs);
        return;
      }
      case 'ok':
        return after();
    }
  }

  private async startOne([id, address, protocol, behaviour]: FleetServer): Promise<number> {
    this.counts.set(id, { protocol, slots: new Map() });
    const name = `bench ${id}`;
    switch (protocol) {
      case 'minecraft':
        return this.minecraft(id, address, behaviour, name);
      case 'valve':
        return this.udp(address, this.valveHandler(id, behaviour, name));
      case 'quake3':
        return this.udp(address, this.quake3Handler(id, behaviour, name));
    }
  }

  private async udp(
    address: string,
    handler: (datagram: Buffer, reply: (data: Buffer) => void) => void,
  ): Promise<number> {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (datagram, from) =>
      handler(datagram, (data) => socket.send(data, from.port, from.address)),
    );
    socket.on('error', () => undefined);
    socket.bind(0, address);
    await once(socket, 'listening');
    this.closers.push(() => socket.close());
    return socket.address().port;
  }

  /**
   * A2S with a fixed challenge per server. The client sends A2S_INFO with the challenge it
   * knows (or none) and A2S_PLAYER beside it; an A2S_INFO repeated right after this server
   * handed out its challenge is the second round trip of the same poll, not a new poll.
   */
  private valveHandler(
    id: number,
    behaviour: FleetBehaviour,
    name: string,
  ): (datagram: Buffer, reply: (data: Buffer) => void) => void {
    const challenge = Buffer.alloc(4);
    challenge.writeUInt32LE((id * 2_654_435_761) >>> 0);
    const challengeReply = encodeChallenge(challenge);
    const info = encodeA2sInfo({
      name,
      map: 'de_dust2',
      players: id % 32,
      maxPlayers: 32,
      gamePort: 27015,
    });
    const players = encodeA2sPlayers([{ name: 'one' }, { name: 'two' }]);
    let challenged = false;
    return (datagram, reply) => {
      if (datagram.length < 5 || datagram.readInt32LE(0) !== -1) return;
      const type = datagram[4];
      if (type === A2S_INFO) {
        const withChallenge = datagram.subarray(25, 29).equals(challenge);
        if (!(withChallenge && challenged)) this.count(id);
        challenged = false;
        this.answers(behaviour, () => {
          if (withChallenge) return reply(info);
          challenged = true;
          reply(challengeReply);
        });
      } else if (type === A2S_PLAYER) {
        const withChallenge = datagram.subarray(5, 9).equals(challenge);
        this.answers(behaviour, () => reply(withChallenge ? players : challengeReply));
      }
    };
  }

  private quake3Handler(
    id: number,
    behaviour: FleetBehaviour,
    name: string,
  ): (datagram: Buffer, reply: (data: Buffer) => void) => void {
    const fixture = {
      info: { sv_hostname: name, mapname: 'q3dm17', sv_maxclients: '16', g_gametype: '0' },
      players: [{ score: 3, ping: 40, name: 'one' }],
    };
    return (datagram, reply) => {
      const match = Q3_GETSTATUS.exec(datagram.toString('latin1'));
      if (!match) return;
      this.count(id);
      this.answers(behaviour, () =>
        reply(statusResponse(fixture, match[1] === '' ? undefined : match[1])),
      );
    };
  }

  /** Server List Ping: handshake, status request -> JSON, ping -> pong, then close. */
  private async minecraft(
    id: number,
    address: string,
    behaviour: FleetBehaviour,
    name: string,
  ): Promise<number> {
    const status = frame(
      MC_STATUS,
      mcString(
        JSON.stringify({
          version: { name: '1.21.4', protocol: 769 },
          players: { max: 20, online: id % 20 },
          description: { text: name },
        }),
      ),
    );
    const server = net.createServer((socket) => {
      this.connections.add(socket);
      socket.on('close', () => this.connections.delete(socket));
      socket.on('error', () => socket.destroy());
      let buffered = Buffer.alloc(0);
      let frames = 0;
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length > MC_MAX_BUFFERED) return socket.destroy();
        for (let next = readFrame(buffered); next; next = readFrame(buffered)) {
          buffered = buffered.subarray(next.size);
          // The first frame is the handshake; the second, id 0, the status request.
          if (frames++ === 0) continue;
          if (next.id === MC_STATUS) {
            this.count(id);
            this.answers(behaviour, () => socket.writable && socket.write(status));
          } else if (next.id === MC_PING) {
            socket.end(frame(MC_PING, next.body));
          }
        }
      });
    });
    server.on('error', () => undefined);
    server.listen({ port: 0, host: address, backlog: 1024 });
    await once(server, 'listening');
    this.closers.push(() => server.close());
    return (server.address() as net.AddressInfo).port;
  }
}

function varInt(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return Buffer.from(bytes);
}

function mcString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([varInt(bytes.length), bytes]);
}

function frame(id: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.concat([varInt(id), body]);
  return Buffer.concat([varInt(payload.length), payload]);
}

/** A VarInt at `at`: its value and its size, or undefined while incomplete. */
function readVarInt(buf: Buffer, at: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const byte = buf[at + i];
    if (byte === undefined) return undefined;
    value |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
  }
  return undefined;
}

/** The first whole frame of `buf` (packet id, body, bytes taken), or undefined. */
function readFrame(buf: Buffer): { id: number; body: Buffer; size: number } | undefined {
  const length = readVarInt(buf, 0);
  if (!length || buf.length < length.size + length.value) return undefined;
  const id = readVarInt(buf, length.size);
  if (!id) return undefined;
  const end = length.size + length.value;
  return { id: id.value, body: buf.subarray(length.size + id.size, end), size: end };
}

function send(answer: FleetAnswer): void {
  process.send?.(answer);
}

let fleet: Fleet | undefined;
process.on('message', (request: FleetRequest) => {
  switch (request.type) {
    case 'start':
      fleet = new Fleet(request.intervalMs, request.slowMs);
      fleet.start(request.servers).then(
        (ports) => send({ type: 'ready', ports }),
        (err: unknown) => send({ type: 'error', message: String(err) }),
      );
      return;
    case 'count':
      send({
        type: 'counts',
        counts: fleet?.tally(request.from, request.to) ?? noCounts(),
      });
      return;
    case 'stop':
      fleet?.stop();
      process.exit(0);
  }
});
// The benchmark went away (even by SIGKILL): nothing is left listening.
process.on('disconnect', () => {
  fleet?.stop();
  process.exit(0);
});
