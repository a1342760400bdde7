/*
 * A Teeworlds server info responder for tests and benchmarks, written from the engines'
 * sources (teeworlds 0.6.5/0.7.5 server.cpp and network*.cpp, DDNet 16.4 server.cpp): it
 * answers the 0.6 request (plain, or extended by DDNet's `xe` header), the 0.7 token
 * handshake and the 0.7 request, each as the server version it plays would. Its encoders
 * are its own (not the parser's), so specs that read their bytes check one against the other.
 */
import { type UdpRequest, type UdpResponder, startUdpResponder } from './udp-responder.js';

export interface TeeworldsFixtureClient {
  name: string;
  clan?: string;
  country?: number;
  score?: number;
  /** In the game (false: spectating); default true. */
  player?: boolean;
  /** 0.7 only: marked as a bot. */
  bot?: boolean;
}

export interface TeeworldsFixture {
  /**
   * What the server speaks: `0.6` (vanilla 0.6), `0.7` (vanilla 0.7, token handshake), or
   * `ddnet` (0.6 with DDNet's extended info, and 0.7 when `sixup` is set).
   */
  speaks: '0.6' | '0.7' | 'ddnet';
  /** DDNet only: answers 0.7 requests too (sv_sixup 1, its default). */
  sixup?: boolean;
  version: string;
  name: string;
  map: string;
  gameType: string;
  password?: boolean;
  maxPlayers: number;
  maxClients: number;
  clients: TeeworldsFixtureClient[];
  /** DDNet extended: bytes of clients per datagram before it starts an `iex+` one. */
  maxPayload?: number;
  /** DDNet extended: sends the `iex+` datagrams before the `iext`. */
  moreFirst?: boolean;
  /** DDNet extended: leaves these `iex+` packet numbers out (lost on the way). */
  dropMore?: number[];
  /** Sends an answer carrying another token first, as a late reply to an earlier query would. */
  staleFirst?: boolean;
}

const MAGIC = [0xff, 0xff, 0xff, 0xff];
const msg = (letters: string) => Buffer.from([...MAGIC, ...Buffer.from(letters, 'latin1')]);
const CONNLESS_06 = Buffer.alloc(6, 0xff);
const cstr = (text: string) => Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
const dec = (value: number) => cstr(String(value));

/** Teeworlds' packed int (src/engine/shared/compression.cpp), written out independently. */
export function packedInt(value: number): Buffer {
  const out: number[] = [];
  const negative = value < 0;
  let magnitude = negative ? -value - 1 : value;
  let first = (negative ? 0x40 : 0) | (magnitude % 64);
  magnitude = Math.floor(magnitude / 64);
  while (magnitude > 0) {
    out.push(first | 0x80);
    first = magnitude % 128;
    magnitude = Math.floor(magnitude / 128);
  }
  out.push(first);
  return Buffer.from(out);
}

const counts = (fixture: TeeworldsFixture) => {
  const players = fixture.clients.filter((c) => c.player !== false).length;
  return { players, clients: fixture.clients.length };
};

const flags = (fixture: TeeworldsFixture) => (fixture.password ? 1 : 0);

function client06(client: TeeworldsFixtureClient, extended: boolean): Buffer {
  return Buffer.concat([
    cstr(client.name),
    cstr(client.clan ?? ''),
    dec(client.country ?? -1),
    dec(client.score ?? 0),
    dec(client.player === false ? 0 : 1),
    ...(extended ? [cstr('')] : []),
  ]);
}

/** A 0.6 `inf3` datagram, as a vanilla 0.6 server sends it (token: the request's byte). */
export function info06(fixture: TeeworldsFixture, token: number): Buffer {
  const { players, clients } = counts(fixture);
  return Buffer.concat([
    CONNLESS_06,
    msg('inf3'),
    dec(token),
    cstr(fixture.version),
    cstr(fixture.name),
    cstr(fixture.map),
    cstr(fixture.gameType),
    dec(flags(fixture)),
    dec(players),
    dec(fixture.maxPlayers),
    dec(clients),
    dec(fixture.maxClients),
    ...fixture.clients.map((c) => client06(c, false)),
  ]);
}

/**
 * DDNet's extended info: the `iext` datagram, then one `iex+` per `maxPayload` bytes of
 * clients that did not fit (DDNet fills datagrams up to about 1,370 bytes).
 */
export function infoExtended(fixture: TeeworldsFixture, token: number): Buffer[] {
  const { players, clients } = counts(fixture);
  const maxPayload = fixture.maxPayload ?? 1370;
  const head = Buffer.concat([
    CONNLESS_06,
    msg('iext'),
    dec(token),
    cstr(fixture.version),
    cstr(fixture.name),
    cstr(fixture.map),
    dec(-1924373370), // map CRC
    dec(1082711), // map size
    cstr(fixture.gameType),
    dec(flags(fixture)),
    dec(players),
    dec(fixture.maxPlayers),
    dec(clients),
    dec(fixture.maxClients),
    cstr(''),
  ]);
  const datagrams: Buffer[][] = [[head]];
  let size = head.length;
  for (const client of fixture.clients) {
    const entry = client06(client, true);
    if (size + entry.length > maxPayload) {
      const more = Buffer.concat([
        CONNLESS_06,
        msg('iex+'),
        dec(token),
        dec(datagrams.length),
        cstr(''),
      ]);
      datagrams.push([more]);
      size = more.length;
    }
    (datagrams[datagrams.length - 1] as Buffer[]).push(entry);
    size += entry.length;
  }
  return datagrams.map((parts) => Buffer.concat(parts));
}

/** The 0.7 token answer: a control packet to `to` carrying the server's token. */
export function token07(to: number, server: number): Buffer {
  const packet = Buffer.alloc(12);
  packet[0] = 0x04;
  packet.writeUInt32BE(to, 3);
  packet[7] = 5;
  packet.writeUInt32BE(server, 8);
  return packet;
}

/** A 0.7 `inf3` datagram (header to the asker `to`, from the server's token `from`). */
export function info07(fixture: TeeworldsFixture, to: number, from: number, token: number): Buffer {
  const { players, clients } = counts(fixture);
  const header = Buffer.alloc(9);
  header[0] = 0x21;
  header.writeUInt32BE(to, 1);
  header.writeUInt32BE(from, 5);
  return Buffer.concat([
    header,
    msg('inf3'),
    packedInt(token),
    // DDNet tells 0.7 clients what it is behind the arrow.
    cstr(fixture.speaks === 'ddnet' ? `0.7↔${fixture.version}` : fixture.version),
    cstr(fixture.name),
    cstr(''), // hostname
    cstr(fixture.map),
    cstr(fixture.gameType),
    packedInt(flags(fixture)),
    packedInt(1), // skill level
    packedInt(players),
    packedInt(fixture.maxPlayers),
    packedInt(clients),
    packedInt(fixture.maxClients),
    ...fixture.clients.flatMap((c) => [
      cstr(c.name),
      cstr(c.clan ?? ''),
      packedInt(c.country ?? -1),
      packedInt(c.score ?? 0),
      packedInt((c.player === false ? 1 : 0) | (c.bot ? 2 : 0)),
    ]),
  ]);
}

/** Reads a packed int at `at` (for the request's token). */
function readPacked(bytes: Buffer, at: number): number | undefined {
  let scale = 64;
  const first = bytes[at];
  if (first === undefined) return undefined;
  let value = first & 0x3f;
  let byte = first;
  let i = at;
  while (byte & 0x80) {
    const next = bytes[++i];
    if (next === undefined) return undefined;
    byte = next;
    value += (byte & 0x7f) * scale;
    scale *= 128;
  }
  return first & 0x40 ? -value - 1 : value;
}

/** The server's 0.7 token: fixed, as a real one is for a while. */
export const SERVER_TOKEN = 0x5eed_1e55;
const GETINFO = msg('gie3');

/** Requests answered so far, by kind, for tests that check what a query sent. */
export interface TeeworldsCounts {
  info06: number;
  extended: number;
  token07: number;
  info07: number;
}

/** The handler of a responder answering as `fixture`. */
export function teeworldsHandler(
  fixture: TeeworldsFixture,
  seen: TeeworldsCounts = { info06: 0, extended: 0, token07: 0, info07: 0 },
): (request: UdpRequest) => void {
  const speaks07 = fixture.speaks === '0.7' || (fixture.speaks === 'ddnet' && fixture.sixup);
  return ({ datagram, reply }) => {
    const extended = datagram[0] === 0x78 && datagram[1] === 0x65; // 'xe'
    if (
      datagram.length === 15 &&
      (extended || datagram.subarray(0, 6).equals(CONNLESS_06)) &&
      datagram.subarray(6, 14).equals(GETINFO)
    ) {
      if (fixture.speaks === '0.7') return; // 0.7 drops 0.6 datagrams (version bits)
      const byte = datagram[14] as number;
      if (fixture.speaks === 'ddnet' && extended) {
        seen.extended++;
        const token = byte | ((((datagram[2] as number) << 8) | (datagram[3] as number)) << 8);
        if (fixture.staleFirst) reply(infoExtended(fixture, token ^ 1)[0] as Buffer);
        const [head, ...more] = infoExtended(fixture, token);
        const kept = more.filter((_d, i) => !fixture.dropMore?.includes(i + 1));
        for (const d of fixture.moreFirst ? [...kept, head] : [head, ...kept]) reply(d as Buffer);
      } else {
        seen.info06++;
        if (fixture.staleFirst) reply(info06(fixture, byte ^ 1));
        reply(info06(fixture, byte));
      }
      return;
    }
    if (!speaks07) return;
    if (datagram.length >= 519 && datagram[0] === 0x04 && datagram[7] === 5) {
      seen.token07++;
      reply(token07(datagram.readUInt32BE(8), SERVER_TOKEN));
      return;
    }
    if (
      datagram.length > 17 &&
      datagram[0] === 0x21 &&
      datagram.readUInt32BE(1) === SERVER_TOKEN &&
      datagram.subarray(9, 17).equals(GETINFO)
    ) {
      const token = readPacked(datagram, 17);
      if (token === undefined) return;
      seen.info07++;
      const to = datagram.readUInt32BE(5);
      if (fixture.staleFirst) reply(info07(fixture, to, SERVER_TOKEN, token ^ 1));
      reply(info07(fixture, to, SERVER_TOKEN, token));
    }
  };
}

export interface TeeworldsResponder extends UdpResponder {
  readonly seen: TeeworldsCounts;
}

/** Starts a responder on 127.0.0.1; always stop it in afterAll/afterEach. */
export async function startTeeworldsResponder(
  fixture: TeeworldsFixture,
  port = 0,
): Promise<TeeworldsResponder> {
  const seen: TeeworldsCounts = { info06: 0, extended: 0, token07: 0, info07: 0 };
  const responder = await startUdpResponder(teeworldsHandler(fixture, seen), { port });
  return Object.assign(responder, { seen });
}
