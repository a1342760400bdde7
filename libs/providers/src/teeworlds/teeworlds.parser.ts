/*
 * Teeworlds server info, pure encoding and decoding: Teeworlds 0.6 and 0.7, and DDNet
 * (DDraceNetwork), whose servers speak 0.6 with extensions and 0.7 ("sixup") besides.
 * Specification: the engines' own sources, there is no other (teeworlds/teeworlds
 * src/engine/shared/network*.cpp, packer.cpp, compression.cpp and server.cpp at 0.6.5 and
 * 0.7.5; ddnet/ddnet the same files plus src/engine/client/client.cpp at 16.4).
 *
 * 0.6: a connectionless datagram is 6 header bytes (servers send FF x6) and a message that
 * starts with an 8-byte id, FF FF FF FF and four letters. `gie3` + one token byte asks;
 * `inf3` answers with zero-terminated strings, numbers written in decimal: token, version,
 * name, map, game type, flags, players, max players, clients, max clients, then per client
 * name, clan, country, score and 1 for a player (0 for a spectator).
 *
 * DDNet extended: the request's header is `xe` plus two bytes that widen the token to 24
 * bits. A 0.6 server reads only the connectionless bit of the first header byte and answers
 * `inf3` as usual; DDNet answers `iext`: `inf3`'s fields with the map's CRC and size after
 * the map and a reserved string after max clients and after each client. Clients that do
 * not fit in one datagram follow in `iex+` datagrams: token, packet number (1 to 63),
 * reserved string, clients.
 *
 * 0.7: a server takes connectionless messages only with its token in the header (byte
 * 0x21, then the receiver's token, then the sender's). The token comes from a control packet
 * (flags 0x04, token FF FF FF FF, payload 5 = TOKEN and the asker's own token) padded to
 * 512 bytes, so that the 12-byte answer is no amplifier; the answer carries the asker's
 * token in its header and the server's after the 5. `gie3` + a packed-int token then gets
 * `inf3`: packed-int token, strings version, name, hostname, map, game type, packed ints
 * flags, skill level, players, max players, clients, max clients, then per client name,
 * clan and packed ints country, score and flags (1 spectator, 2 bot).
 *
 * In every version "clients" counts everyone connected, spectators included, and "players"
 * those in the game. Tokens in headers are opaque 4 bytes (DDNet copies them in host byte
 * order); reading and writing them big-endian keeps them byte for byte.
 */
import { ByteReader } from '../byte-reader.js';
import { ProviderError } from '../provider.error.js';
import { decimalAt } from '../text.js';

/** Which form of the info a reply carries. */
export type InfoFormat = '0.6' | 'ddnet-extended' | '0.7';

export interface TeeworldsClient {
  name: string;
  clan: string;
  /** In the game (false: spectating). */
  player: boolean;
  /** Marked as a bot; only 0.7's flags can say so, 0.6 and DDNet never do. */
  bot: boolean;
}

/** One info reply (for DDNet's extended form, its first datagram). */
export interface TeeworldsInfo {
  format: InfoFormat;
  /** The request's token, as the server echoed it. */
  token: number;
  version: string;
  name: string;
  map: string;
  gameType: string;
  flags: number;
  /** Clients in the game. */
  players: number;
  maxPlayers: number;
  /** Everyone connected, spectators included. */
  clients: number;
  maxClients: number;
  /** The clients listed in this datagram (a busy DDNet server sends more in `iex+`). */
  list: TeeworldsClient[];
}

/** Every datagram a server may send us, sorted out. */
export type TeeworldsReply =
  /** 0.6 `inf3` or DDNet `iext`. */
  | { kind: 'info'; info: TeeworldsInfo }
  /** 0.7 `inf3`, with the tokens of its header. */
  | { kind: 'info7'; to: number; from: number; info: TeeworldsInfo }
  /** DDNet `iex+`: more clients of an extended reply. */
  | { kind: 'more'; token: number; packet: number; list: TeeworldsClient[] }
  /** 0.7 token handshake answer: `to` is the asker's token, `server` the server's. */
  | { kind: 'token'; to: number; server: number }
  /** A Teeworlds datagram of another kind (keep-alive, close, another connless message). */
  | { kind: 'other' };

/** `flags` bit of a password-protected server (every version). */
export const FLAG_PASSWORD = 1;
/** The token no 0.7 peer uses: it means "none yet". */
export const NO_TOKEN = 0xffff_ffff;
/**
 * Slot counts above this are no Teeworlds server: the engines cap clients at 64 (DDNet's
 * protocol allows 128); a modded server may go beyond, not by this much.
 */
export const MAX_SLOTS = 1024;
/** DDNet numbers `iex+` datagrams 1 to 63 (0 is the first, the `iext` itself). */
export const MAX_MORE_PACKETS = 63;

/** Every connectionless message starts with these 4 bytes, then 4 letters. */
const MAGIC = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const id = (letters: string) => Buffer.concat([MAGIC, Buffer.from(letters, 'latin1')]);
const GETINFO = id('gie3');
const CONNLESS_06_HEADER = Buffer.alloc(6, 0xff);
/** First header byte of a 0.7 connless packet: flag CONNLESS (8) << 2, version 1. */
const CONNLESS_07 = 0x21;
/** First header byte of a 0.7 control packet (flag CONTROL, 1 << 2), ack bits masked off. */
const CONTROL_07 = 0x04;
const CTRL_TOKEN = 5;
/** A 0.7 server answers a token request only from this many payload bytes on. */
const TOKEN_REQUEST_SIZE = 512;

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `Teeworlds info: ${message}`);
}

// ---- requests ----

/**
 * The 0.6 request in DDNet's extended header: DDNet answers with its extended info, a 0.6
 * server as to a plain `gie3`. `token` is 24 bits: the byte every server echoes and 16 more
 * bits only DDNet echoes.
 */
export function encodeInfoRequest06(token: number): Buffer {
  if (!Number.isInteger(token) || token < 0 || token > 0xff_ffff) throw new RangeError('token');
  const extra = token >>> 8;
  return Buffer.concat([
    Buffer.from([0x78, 0x65, extra >>> 8, extra & 0xff, 0, 0]), // 'x', 'e'
    GETINFO,
    Buffer.from([token & 0xff]),
  ]);
}

/** The 0.7 token request: a control packet of the asker's token, padded to 512 bytes. */
export function encodeTokenRequest07(clientToken: number): Buffer {
  checkToken(clientToken);
  const packet = Buffer.alloc(7 + TOKEN_REQUEST_SIZE);
  packet[0] = CONTROL_07;
  packet.writeUInt32BE(NO_TOKEN, 3);
  packet[7] = CTRL_TOKEN;
  packet.writeUInt32BE(clientToken, 8);
  return packet;
}

/** The 0.7 info request, once the server's token is known. */
export function encodeInfoRequest07(
  serverToken: number,
  clientToken: number,
  token: number,
): Buffer {
  checkToken(serverToken);
  checkToken(clientToken);
  const header = Buffer.alloc(9);
  header[0] = CONNLESS_07;
  header.writeUInt32BE(serverToken, 1);
  header.writeUInt32BE(clientToken, 5);
  return Buffer.concat([header, GETINFO, packInt(token)]);
}

function checkToken(token: number): void {
  if (!Number.isInteger(token) || token < 0 || token >= NO_TOKEN) throw new RangeError('token');
}

/**
 * Teeworlds' packed int: the first byte holds a continue bit (0x80), the sign (0x40) and 6
 * bits, each next byte a continue bit and 7 bits; a negative number is stored complemented.
 */
export function packInt(value: number): Buffer {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new RangeError('not a 32-bit integer');
  }
  const bytes: number[] = [];
  let rest = value < 0 ? ~value : value;
  let byte = (value < 0 ? 0x40 : 0) | (rest & 0x3f);
  rest >>>= 6;
  while (rest !== 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest >>>= 7;
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

// ---- replies ----

/** Reads a packed int (at most 5 bytes, as the engine reads it). */
function unpackInt(reader: ByteReader, field: string): number {
  const first = reader.u8(field);
  let value = first & 0x3f;
  let byte = first;
  for (let shift = 6; shift <= 27 && byte & 0x80; shift += 7) {
    byte = reader.u8(field);
    value |= (byte & 0x7f) << shift;
  }
  return first & 0x40 ? ~value : value | 0;
}

/** A decimal number written as a string (0.6 and DDNet). */
function decimal(reader: ByteReader, field: string): number {
  const text = reader.cstring(field, 'latin1');
  const value = decimalAt(text, 0, text.length, true, 10);
  if (value === undefined || value < -(2 ** 31) || value >= 2 ** 31) {
    throw reader.malformed(`${field} is not a number`);
  }
  return value;
}

const text = (reader: ByteReader, field: string) => reader.cstring(field, 'utf8');

/** Counts as the game's own browser checks them: never negative, players within clients. */
function checkCounts(reader: ByteReader, info: TeeworldsInfo): void {
  const { players, maxPlayers, clients, maxClients } = info;
  if (Math.min(players, maxPlayers, clients, maxClients) < 0) {
    throw reader.malformed('a negative count');
  }
  if (maxClients > MAX_SLOTS) throw reader.malformed(`${maxClients} slots`);
  if (players > clients || clients > maxClients || maxPlayers > maxClients) {
    throw reader.malformed(
      `inconsistent counts (${players}/${maxPlayers} players, ${clients}/${maxClients} clients)`,
    );
  }
}

/** 0.6 and DDNet clients, up to the end of the datagram. */
function clients06(reader: ByteReader, extended: boolean): TeeworldsClient[] {
  const list: TeeworldsClient[] = [];
  while (reader.remaining > 0) {
    const name = text(reader, 'client name');
    const clan = text(reader, 'client clan');
    // Country and score are not used: read as strings, as the game's browser is lenient there.
    reader.cstring('client country', 'latin1');
    reader.cstring('client score', 'latin1');
    const player = decimal(reader, 'client is-player flag');
    if (extended) reader.cstring('client reserved field', 'latin1');
    list.push({ name, clan, player: player !== 0, bot: false });
  }
  return list;
}

function info06(reader: ByteReader, extended: boolean): TeeworldsInfo {
  const token = decimal(reader, 'token');
  const version = text(reader, 'version');
  const name = text(reader, 'name');
  const map = text(reader, 'map');
  if (extended) {
    reader.cstring('map CRC', 'latin1');
    reader.cstring('map size', 'latin1');
  }
  const info: TeeworldsInfo = {
    format: extended ? 'ddnet-extended' : '0.6',
    token,
    version,
    name,
    map,
    gameType: text(reader, 'game type'),
    flags: decimal(reader, 'flags'),
    players: decimal(reader, 'players'),
    maxPlayers: decimal(reader, 'max players'),
    clients: decimal(reader, 'clients'),
    maxClients: decimal(reader, 'max clients'),
    list: [],
  };
  checkCounts(reader, info);
  if (extended) reader.cstring('reserved field', 'latin1');
  info.list = clients06(reader, extended);
  return info;
}

function more(reader: ByteReader): TeeworldsReply {
  const token = decimal(reader, 'token');
  const packet = decimal(reader, 'packet number');
  if (packet < 1 || packet > MAX_MORE_PACKETS) throw reader.malformed(`packet number ${packet}`);
  reader.cstring('reserved field', 'latin1');
  return { kind: 'more', token, packet, list: clients06(reader, true) };
}

function info07(reader: ByteReader): TeeworldsInfo {
  const token = unpackInt(reader, 'token');
  const version = text(reader, 'version');
  const name = text(reader, 'name');
  text(reader, 'hostname');
  const map = text(reader, 'map');
  const gameType = text(reader, 'game type');
  const flags = unpackInt(reader, 'flags');
  unpackInt(reader, 'skill level');
  const info: TeeworldsInfo = {
    format: '0.7',
    token,
    version,
    name,
    map,
    gameType,
    flags,
    players: unpackInt(reader, 'players'),
    maxPlayers: unpackInt(reader, 'max players'),
    clients: unpackInt(reader, 'clients'),
    maxClients: unpackInt(reader, 'max clients'),
    list: [],
  };
  checkCounts(reader, info);
  // A server over its rate of full replies (DDNet) sends no clients at all.
  while (reader.remaining > 0) {
    const clientName = text(reader, 'client name');
    const clan = text(reader, 'client clan');
    unpackInt(reader, 'client country');
    unpackInt(reader, 'client score');
    const clientFlags = unpackInt(reader, 'client flags');
    info.list.push({
      name: clientName,
      clan,
      player: (clientFlags & 1) === 0,
      bot: (clientFlags & 2) !== 0,
    });
  }
  return info;
}

/** The 8-byte message id as its four letters, or undefined when it lacks FF FF FF FF. */
function messageId(reader: ByteReader): string | undefined {
  if (reader.remaining < 8 || !reader.matches(MAGIC, 'message id')) return undefined;
  return reader.bytes(4, 'message id').toString('latin1');
}

/**
 * Sorts out one datagram from a Teeworlds server (any version) and reads the info in it.
 * Teeworlds datagrams it has no use for come back as `other`; anything that is not
 * Teeworlds, or an info that breaks the format, throws ProviderError('protocol').
 */
export function decodeReply(datagram: Buffer): TeeworldsReply {
  const reader = new ByteReader(datagram, 'Teeworlds info');
  if (datagram.length >= 6 && datagram.subarray(0, 6).equals(CONNLESS_06_HEADER)) {
    reader.bytes(6, 'header');
    const kind = messageId(reader);
    if (kind === undefined) throw malformed('a connectionless message without its id');
    if (kind === 'inf3') return { kind: 'info', info: info06(reader, false) };
    if (kind === 'iext') return { kind: 'info', info: info06(reader, true) };
    if (kind === 'iex+') return more(reader);
    return { kind: 'other' };
  }
  if (datagram[0] === CONNLESS_07 && datagram.length >= 9) {
    reader.u8('header');
    const to = reader.bytes(4, 'header').readUInt32BE(0);
    const from = reader.bytes(4, 'header').readUInt32BE(0);
    const kind = messageId(reader);
    if (kind === undefined) throw malformed('a connectionless message without its id');
    if (kind === 'inf3') return { kind: 'info7', to, from, info: info07(reader) };
    return { kind: 'other' };
  }
  // A control packet of 0.6.5, 0.7 or DDNet: 3 header bytes, a 4-byte token, the message.
  if (datagram.length >= 8 && ((datagram[0] as number) & 0x24) === CONTROL_07) {
    if ((datagram[0] as number) >> 2 === 1 && datagram[7] === CTRL_TOKEN) {
      if (datagram.length < 12) throw malformed('a token message without the token');
      return { kind: 'token', to: datagram.readUInt32BE(3), server: datagram.readUInt32BE(8) };
    }
    return { kind: 'other' };
  }
  throw malformed(`not a Teeworlds datagram (${datagram.length} bytes)`);
}
