/*
 * A Cube 2: Sauerbraten info-port responder for tests and benchmarks, answering the way
 * the 2020 server does (src/fpsgame/server.cpp serverinforeply, src/fpsgame/extinfo.h):
 * every reply starts with the request's bytes; the server info; and for the extinfo
 * player list one datagram of client numbers, then one per client. The real server
 * (Debian's cube2-server) is tested too, but an empty one lists no players and loads no
 * map: the responder covers those.
 */
import { CUBE_CHARSET } from '../../libs/providers/src/cube2/cube2.parser.js';
import { type UdpRequest, type UdpResponder, startUdpResponder } from './udp-responder.js';

export interface Cube2Client {
  clientNumber: number;
  ping: number;
  name: string;
  team?: string;
  frags?: number;
}

export interface Cube2Fixture {
  /** The server's client count (spectators in, bots out). */
  players: number;
  /** protocol, mode, seconds left, max clients, master mode, ...; default [260, 0, 600, 16, 0]. */
  attributes?: number[];
  map: string;
  description: string;
  /** The extinfo list, bots (client number 128 and up) included; default none. */
  clients?: Cube2Client[];
  /**
   * How the player-list request is answered: `standard` (default), `none` (never), `plain`
   * (as a ping, as a server without extinfo does), `error` (EXT_ERROR), `noIds` (player
   * datagrams only, the list of numbers lost), `lose` (the last player datagram lost).
   */
  extinfo?: 'standard' | 'none' | 'plain' | 'error' | 'noIds' | 'lose';
  /** Answer each request with another tag first, as a late reply to an earlier one would. */
  staleFirst?: boolean;
  /** Send the player datagrams before the info reply (UDP keeps no order). */
  playersFirst?: boolean;
}

/** The server drops longer requests unanswered (MAXPINGDATA). */
const MAX_REQUEST_BYTES = 32;

/**
 * Appends `n` as the server's putint does: one byte for -126..127, else 0x80 and 16 bits,
 * else 0x81 and 32 bits, little-endian. Written apart from the parser's, which it tests.
 */
export function putInt(out: number[], n: number): void {
  if (n >= -126 && n <= 127) out.push(n & 0xff);
  else if (n >= -0x8000 && n <= 0x7fff) out.push(0x80, n & 0xff, (n >> 8) & 0xff);
  else out.push(0x81, ...[0, 8, 16, 24].map((shift) => (n >>> shift) & 0xff));
}

const CUBE_BYTE = new Map<string, number>([...CUBE_CHARSET].map((char, byte) => [char, byte]));

/** `text` as Cube sends it: one compressed integer per character (a signed char), then 0. */
export function putCubeString(out: number[], text: string): void {
  for (const char of text) {
    const byte = CUBE_BYTE.get(char) ?? 0x3f; // '?' for what the charset lacks
    if (byte !== 0) putInt(out, (byte << 24) >> 24);
  }
  putInt(out, 0);
}

/** The info payload (after the echoed request) for `fixture`. */
export function encodeInfo(fixture: Cube2Fixture): number[] {
  const out: number[] = [];
  const attributes = fixture.attributes ?? [260, 0, 600, 16, 0];
  putInt(out, fixture.players);
  putInt(out, attributes.length);
  for (const attribute of attributes) putInt(out, attribute);
  putCubeString(out, fixture.map);
  putCubeString(out, fixture.description);
  return out;
}

const EXT_HEADER = [0xff, 105, 0]; // EXT_ACK, EXT_VERSION, EXT_NO_ERROR

/** The payload of the datagram listing the client numbers. */
export function encodeClientNumbers(clients: readonly Cube2Client[]): number[] {
  const out = [...EXT_HEADER];
  putInt(out, -10);
  for (const client of clients) putInt(out, client.clientNumber);
  return out;
}

/** The payload of one client's datagram, every field of EXT_VERSION 105. */
export function encodeClient(client: Cube2Client): number[] {
  const out = [...EXT_HEADER];
  putInt(out, -11);
  putInt(out, client.clientNumber);
  putInt(out, client.ping);
  putCubeString(out, client.name);
  putCubeString(out, client.team ?? '');
  // frags, flags, deaths, teamkills, accuracy, health, armour, gun, privilege, state
  for (const n of [client.frags ?? 0, 0, 0, 0, 0, 100, 0, 6, 0, 0]) putInt(out, n);
  out.push(0, 0, 0); // three bytes of the address, hidden
  return out;
}

function readInt(bytes: Buffer, at: number): { value: number; next: number } | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if (first === 0x80) {
    return at + 3 <= bytes.length ? { value: bytes.readInt16LE(at + 1), next: at + 3 } : undefined;
  }
  if (first === 0x81) {
    return at + 5 <= bytes.length ? { value: bytes.readInt32LE(at + 1), next: at + 5 } : undefined;
  }
  return { value: (first << 24) >> 24, next: at + 1 };
}

/** The info-port handler answering as `fixture`. */
export function cube2Handler(fixture: Cube2Fixture): (request: UdpRequest) => void {
  return ({ datagram, reply }) => {
    if (datagram.length > MAX_REQUEST_BYTES) return;
    const send = (echo: Buffer, payload: number[]) =>
      reply(Buffer.concat([echo, Buffer.from(payload)]));
    const stale = (echo: Buffer) => {
      const other = Buffer.from(echo);
      other[other.length - 1] = (other.at(-1) ?? 0) ^ 0x55;
      return other;
    };
    const first = readInt(datagram, 0);
    if (!first || first.value !== 0) {
      if (fixture.staleFirst) send(stale(datagram), encodeInfo(fixture));
      // Held back a little, so that the player datagrams, sent at once, come first.
      if (fixture.playersFirst) setTimeout(() => send(datagram, encodeInfo(fixture)), 30);
      else send(datagram, encodeInfo(fixture));
      return;
    }
    const mode = fixture.extinfo ?? 'standard';
    const command = readInt(datagram, first.next);
    if (mode === 'none' || command?.value !== 1) return;
    if (mode === 'plain') return send(datagram, encodeInfo(fixture));
    if (mode === 'error') return send(datagram, [0xff, 105, 1]);
    const clients = fixture.clients ?? [];
    if (fixture.staleFirst)
      send(stale(datagram), encodeClientNumbers([{ clientNumber: 7, ping: 0, name: 'x' }]));
    if (mode !== 'noIds') send(datagram, encodeClientNumbers(clients));
    const sent = mode === 'lose' ? clients.slice(0, -1) : clients;
    for (const client of sent) send(datagram, encodeClient(client));
  };
}

/** Starts a responder on 127.0.0.1; always stop it in afterAll/afterEach. */
export function startCube2Responder(fixture: Cube2Fixture, port = 0): Promise<UdpResponder> {
  return startUdpResponder(cube2Handler(fixture), { port });
}
