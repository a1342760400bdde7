/*
 * Luanti (Minetest until 2024) connection handshake, pure encoding and decoding.
 * Specification: the engine's sources, luanti-org/luanti: src/network/mtp/internal.h (the
 * reliable-UDP layer), networkprotocol.h (TOSERVER_INIT, TOCLIENT_HELLO,
 * TOCLIENT_ACCESS_DENIED), serverpackethandler.cpp (Server::handleCommand_Init: what a
 * server answers before any login). Every integer is big-endian.
 *
 * Every datagram: u32 protocol id 0x4F457403, u16 sender peer id (0: a client the server
 * has not numbered yet, 1: the server), u8 channel (0 to 2), then one packet, by its first
 * byte:
 *   0 CONTROL   u8 type: 0 ACK (u16 seqnum), 1 SET_PEER_ID (u16 peer id), 2 PING, 3 DISCO
 *   1 ORIGINAL  a message: u16 command, then its fields
 *   2 SPLIT     u16 seqnum, u16 chunk count, u16 chunk number, then a piece of a message
 *   3 RELIABLE  u16 seqnum, then one CONTROL, ORIGINAL or SPLIT packet (never RELIABLE again)
 *
 * TOSERVER_INIT (command 0x02): u8 highest serialization version, u16 unused (compression
 * modes), u16 lowest and u16 highest protocol version, string player name. TOCLIENT_HELLO
 * (0x02): u8 serialization version, u16 unused, u16 protocol version, u32 login methods,
 * string (the player name up to 5.9, empty since). TOCLIENT_ACCESS_DENIED (0x0A): u8
 * reason, then, when the server adds them, string reason text and u8 "may reconnect".
 * A string is a u16 byte count and that many bytes.
 */
import { ByteReader } from '../byte-reader.js';
import { textOrNull } from '../text.js';

/** Tells the protocol's datagrams from anything else on the port. */
const PROTOCOL_ID = Buffer.from([0x4f, 0x45, 0x74, 0x03]);
/** The peer id of a client the server has not numbered yet. */
export const PEER_ID_NONE = 0;
/** Ids below this are reserved (0 none, 1 the server): a SET_PEER_ID never hands one out. */
const FIRST_CLIENT_PEER_ID = 2;
const CHANNEL_COUNT = 3;

const PACKET_CONTROL = 0;
const PACKET_ORIGINAL = 1;
const PACKET_SPLIT = 2;
const PACKET_RELIABLE = 3;

const CONTROL_ACK = 0;
const CONTROL_SET_PEER_ID = 1;
const CONTROL_PING = 2;
const CONTROL_DISCO = 3;

const TOSERVER_INIT = 0x02;
const TOCLIENT_HELLO = 0x02;
const TOCLIENT_ACCESS_DENIED = 0x0a;

/**
 * What we claim to read: 29, the newest serialization version of every release since 5.0;
 * the server answers with the lower of ours and its own.
 */
const SERIALIZATION_VERSION = 29;
/** The oldest protocol of the 5.x releases, as their clients send it. */
const MIN_PROTOCOL_VERSION = 37;
/**
 * Higher than any release: the server then deploys its own newest version and says so in
 * the HELLO (it takes the lower of its newest and ours), which is the version we report.
 */
const MAX_PROTOCOL_VERSION = 0xffff;
/** The channel a real client sends TOSERVER_INIT on (clientopcodes.cpp). */
const INIT_CHANNEL = 1;

/** A player name the server accepts: 1 to 20 of these characters (PLAYERNAME_ALLOWED_CHARS). */
const PLAYER_NAME = /^[A-Za-z0-9_-]{1,20}$/u;

/** Login methods (AuthMechanism), a bit each in the HELLO. */
export const AUTH_LEGACY_PASSWORD = 1 << 0;
export const AUTH_SRP = 1 << 1;
/** Offered to a name with no account: the player may register, choosing a password. */
export const AUTH_FIRST_SRP = 1 << 2;

/** Reasons of an ACCESS_DENIED (AccessDeniedCode), those the code and tests name. */
export const DENIED_WRONG_VERSION = 3;
export const DENIED_TOO_MANY_USERS = 6;
export const DENIED_CUSTOM_STRING = 10;

/** The server's answer to TOSERVER_INIT when it lets the login begin. */
export interface LuantiHello {
  /** Map serialization version the server will use (29 since 5.0). */
  serializationVersion: number;
  /** Network protocol version the server deployed: its newest, as we offer any. */
  protocolVersion: number;
  /** AUTH_* bits: the login methods offered to the name we sent. */
  authMechanisms: number;
  /** The name we sent, echoed by servers up to 5.9; null when empty or absent. */
  legacyName: string | null;
}

/** The server's refusal of a login (full, banned, wrong version, a mod's rule, ...). */
export interface LuantiDenial {
  /** AccessDeniedCode, e.g. {@link DENIED_TOO_MANY_USERS}. */
  reason: number;
  /** The server's own words, if it sent any (always for {@link DENIED_CUSTOM_STRING}). */
  text: string | null;
  /** Whether the server invites the client to try again; null when it did not say. */
  reconnect: boolean | null;
}

/** What one datagram from the server means to the handshake. */
export type LuantiMessage =
  | { kind: 'peer-id'; peerId: number }
  | { kind: 'hello'; hello: LuantiHello }
  | { kind: 'denied'; denial: LuantiDenial }
  /** The server dropped the connection (CONTROL DISCO). */
  | { kind: 'disconnect' }
  /** Valid but of no use here: acks, pings, pieces of split messages, other commands. */
  | { kind: 'other' };

function header(peerId: number, channel: number, size: number): Buffer {
  if (!Number.isInteger(peerId) || peerId < 0 || peerId > 0xffff) {
    throw new RangeError(`bad peer id ${peerId}`);
  }
  const buf = Buffer.alloc(7 + size);
  buf.set(PROTOCOL_ID, 0);
  buf.writeUInt16BE(peerId, 4);
  buf[6] = channel;
  return buf;
}

/**
 * TOSERVER_INIT as the unreliable message a real client sends, from `peerId` (0 before the
 * server handed one out). `playerName` must be a name the server accepts.
 */
export function encodeInit(peerId: number, playerName: string): Buffer {
  if (!PLAYER_NAME.test(playerName)) throw new RangeError(`bad player name '${playerName}'`);
  const buf = header(peerId, INIT_CHANNEL, 1 + 2 + 1 + 2 + 2 + 2 + 2 + playerName.length);
  let at = 7;
  buf[at++] = PACKET_ORIGINAL;
  at = buf.writeUInt16BE(TOSERVER_INIT, at);
  buf[at++] = SERIALIZATION_VERSION;
  at = buf.writeUInt16BE(0, at);
  at = buf.writeUInt16BE(MIN_PROTOCOL_VERSION, at);
  at = buf.writeUInt16BE(MAX_PROTOCOL_VERSION, at);
  at = buf.writeUInt16BE(playerName.length, at);
  buf.write(playerName, at, 'latin1');
  return buf;
}

/** CONTROL DISCO from `peerId`: the server deletes that peer at once. */
export function encodeDisconnect(peerId: number): Buffer {
  const buf = header(peerId, 0, 2);
  buf[7] = PACKET_CONTROL;
  buf[8] = CONTROL_DISCO;
  return buf;
}

/** A string field: u16 byte count, then the bytes (UTF-8 by the engine's convention). */
function lengthPrefixed(reader: ByteReader, field: string): string {
  const size = reader.u16be(`${field} length`);
  return reader.bytes(size, field).toString('utf8');
}

function u32be(reader: ByteReader, field: string): number {
  return reader.u16be(field) * 0x10000 + reader.u16be(field);
}

function decodeHello(reader: ByteReader): LuantiHello {
  const serializationVersion = reader.u8('serialization version');
  reader.u16be('compression mode');
  const protocolVersion = reader.u16be('protocol version');
  const authMechanisms = u32be(reader, 'login methods');
  // Servers have always sent the name field; a future one might drop it, as it is unused.
  const legacyName =
    reader.remaining === 0 ? null : textOrNull(lengthPrefixed(reader, 'player name'));
  return { serializationVersion, protocolVersion, authMechanisms, legacyName };
}

function decodeDenial(reader: ByteReader): LuantiDenial {
  const reason = reader.u8('reason');
  // Read the way the engine's client does: each later field only if bytes remain.
  const text = reader.remaining === 0 ? null : textOrNull(lengthPrefixed(reader, 'reason text'));
  const reconnect = reader.remaining === 0 ? null : (reader.u8('reconnect') & 1) === 1;
  return { reason, text, reconnect };
}

function decodeControl(reader: ByteReader): LuantiMessage {
  const type = reader.u8('control type');
  switch (type) {
    case CONTROL_ACK:
      reader.u16be('acknowledged seqnum');
      return { kind: 'other' };
    case CONTROL_SET_PEER_ID: {
      const peerId = reader.u16be('peer id');
      if (peerId < FIRST_CLIENT_PEER_ID) throw reader.malformed(`reserved peer id ${peerId}`);
      return { kind: 'peer-id', peerId };
    }
    case CONTROL_PING:
      return { kind: 'other' };
    case CONTROL_DISCO:
      return { kind: 'disconnect' };
    default:
      throw reader.malformed(`unknown control type ${type}`);
  }
}

function decodeOriginal(reader: ByteReader): LuantiMessage {
  const command = reader.u16be('command');
  switch (command) {
    case TOCLIENT_HELLO:
      return { kind: 'hello', hello: decodeHello(reader) };
    case TOCLIENT_ACCESS_DENIED:
      return { kind: 'denied', denial: decodeDenial(reader) };
    default:
      return { kind: 'other' };
  }
}

function decodePacket(reader: ByteReader, inReliable: boolean): LuantiMessage {
  const type = reader.u8('packet type');
  switch (type) {
    case PACKET_CONTROL:
      return decodeControl(reader);
    case PACKET_ORIGINAL:
      return decodeOriginal(reader);
    case PACKET_SPLIT: {
      // Only long messages are split; none of the handshake's is, so a piece is skipped.
      reader.u16be('split seqnum');
      const count = reader.u16be('chunk count');
      const index = reader.u16be('chunk number');
      if (index >= count) throw reader.malformed(`chunk ${index} of ${count}`);
      return { kind: 'other' };
    }
    case PACKET_RELIABLE:
      // The engine itself rejects a reliable packet inside another.
      if (inReliable) throw reader.malformed('reliable packet inside a reliable packet');
      reader.u16be('reliable seqnum');
      return decodePacket(reader, true);
    default:
      throw reader.malformed(`unknown packet type ${type}`);
  }
}

/**
 * One datagram from the server.
 * @throws ProviderError `protocol` for anything that is not a well-formed datagram of the
 *   protocol (another protocol id, a channel or packet type the engine does not have, a
 *   field cut short, a reserved peer id).
 */
export function decodeDatagram(datagram: Buffer): LuantiMessage {
  const reader = new ByteReader(datagram, 'Luanti packet');
  if (!reader.matches(PROTOCOL_ID, 'protocol id')) {
    throw reader.malformed('not the Luanti protocol id');
  }
  reader.u16be('sender peer id');
  const channel = reader.u8('channel');
  if (channel >= CHANNEL_COUNT) throw reader.malformed(`channel ${channel}`);
  return decodePacket(reader, false);
}

/**
 * The releases that deploy each protocol version (LATEST_PROTOCOL_VERSION of each release
 * tag). A version is bumped early in a release's development, so a development build of a
 * release reports that release's number too.
 */
const RELEASES_BY_PROTOCOL: ReadonlyMap<number, string> = new Map([
  [26, '0.4.13'],
  [27, '0.4.14'],
  [28, '0.4.15'],
  [32, '0.4.16-0.4.17'],
  [37, '5.0'],
  [38, '5.1'],
  [39, '5.2-5.4'],
  [40, '5.5'],
  [41, '5.6'],
  [42, '5.7'],
  [43, '5.8'],
  [44, '5.9.0'],
  [45, '5.9.1'],
  [46, '5.10'],
  [47, '5.11'],
  [48, '5.12'],
  [49, '5.13'],
  [50, '5.14'],
  [51, '5.15'],
  [52, '5.16'],
  [53, '5.17'],
]);

/**
 * The version a HELLO tells, e.g. `protocol 41 (5.6)`: the protocol number, and the release
 * line that deploys it when it is one we know. The server never sends its release string.
 */
export function describeVersion(hello: LuantiHello): string {
  const release = RELEASES_BY_PROTOCOL.get(hello.protocolVersion);
  return `protocol ${hello.protocolVersion}${release === undefined ? '' : ` (${release})`}`;
}

/**
 * Whether a new player needs a password the server set (Luanti's `default_password`), from
 * the login methods offered to a name with no account: such a name may register with a
 * password of its own (FIRST_SRP), or must log in with the server's default one (SRP).
 * Null when the methods say neither.
 */
export function needsServerPassword(hello: LuantiHello): boolean | null {
  if ((hello.authMechanisms & AUTH_FIRST_SRP) !== 0) return false;
  if ((hello.authMechanisms & (AUTH_SRP | AUTH_LEGACY_PASSWORD)) !== 0) return true;
  return null;
}
