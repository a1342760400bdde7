/*
 * Minecraft: Java Edition Server List Ping (1.7 and later), pure encoding and decoding.
 * Specification: https://minecraft.wiki/w/Java_Edition_protocol/Server_List_Ping
 * (formerly wiki.vg/Server_List_Ping) and the packet framing of the Java Edition protocol.
 *
 * Every frame on the wire is: VarInt length, then that many bytes holding a VarInt packet
 * id and the packet's fields. Everything read here comes from an untrusted server, so every
 * length is checked before it is used, and anything malformed throws ProviderError('protocol').
 */
import type { ServerStatus } from '#common';
import { ProviderError } from '../provider.error.js';
import { cleanText, stripMinecraftCodes } from '../text.js';

/** A VarInt is a 32-bit integer in at most 5 groups of 7 bits, least significant first. */
export const MAX_VARINT_BYTES = 5;

/**
 * Protocol version sent in the handshake. Servers answer the status request whatever the
 * number; 47 (1.8) is what GameDig and mcstatus send, so proxies are known to accept it.
 */
export const STATUS_PROTOCOL_VERSION = 47;

/**
 * Largest status frame accepted. Vanilla caps the JSON at 32767 UTF-16 units (at most
 * ~96 KiB of UTF-8); modded servers and proxies with big favicons or mod lists go beyond,
 * so allow some headroom, but never the protocol's 2 MiB.
 */
export const MAX_STATUS_FRAME_BYTES = 256 * 1024;

/** Hosts in the handshake are a protocol String(255). */
const MAX_HOST_LENGTH = 255;

/** Chat components nest through `extra`; deeper levels than this are ignored, not recursed into. */
const MAX_CHAT_DEPTH = 32;

/** Sent for players who opted out of server listings ("Anonymous Player"). */
const HIDDEN_PLAYER_ID = '00000000-0000-0000-0000-000000000000';

const PACKET_HANDSHAKE = 0x00;
const PACKET_STATUS = 0x00;
const PACKET_PING = 0x01;
const NEXT_STATE_STATUS = 1;
const PING_PAYLOAD_BYTES = 8;
const JAVA_INT_MAX = 2 ** 31 - 1;

/** A decoded value and how many bytes it used. */
export interface Decoded<T> {
  value: T;
  size: number;
}

/** What the status reply says, in ServerStatus terms (the provider adds the latency). */
export type MinecraftStatus = Omit<ServerStatus, 'latencyMs'>;

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `Minecraft status: ${message}`);
}

/** Encodes a signed 32-bit integer as a VarInt (negative values always take 5 bytes). */
export function encodeVarInt(value: number): Buffer {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value > JAVA_INT_MAX) {
    throw new RangeError(`VarInt out of range: ${value}`);
  }
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return Buffer.from(bytes);
}

/**
 * Reads a VarInt at `offset`. Returns `undefined` when the bytes end before the VarInt does;
 * throws when it runs past 5 bytes or past 32 bits.
 */
export function decodeVarInt(buf: Uint8Array, offset = 0): Decoded<number> | undefined {
  let result = 0;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = buf[offset + i];
    if (byte === undefined) return undefined;
    // The fifth group holds the top 4 bits; anything above, or a sixth byte, is not an int32.
    if (i === MAX_VARINT_BYTES - 1 && (byte & 0xf0) !== 0)
      throw malformed('VarInt longer than 32 bits');
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) === 0) return { value: result | 0, size: i + 1 };
  }
  return undefined; // unreachable: the fifth byte either ends the VarInt or throws
}

function hexId(id: number): string {
  return `0x${(id >>> 0).toString(16).padStart(2, '0')}`;
}

function frame(packetId: number, ...fields: Uint8Array[]): Buffer {
  const body = Buffer.concat([encodeVarInt(packetId), ...fields]);
  return Buffer.concat([encodeVarInt(body.length), body]);
}

/**
 * Handshake packet announcing a status query (next state 1). `host` and `port` are what
 * the client dialled; proxies (BungeeCord, Velocity) use them to pick the backend.
 */
export function encodeHandshake(
  host: string,
  port: number,
  protocolVersion = STATUS_PROTOCOL_VERSION,
): Buffer {
  if (host.length > MAX_HOST_LENGTH) {
    throw new ProviderError('dns', `host name longer than ${MAX_HOST_LENGTH} characters`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`bad port ${port}`);
  }
  const hostBytes = Buffer.from(host, 'utf8');
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port);
  return frame(
    PACKET_HANDSHAKE,
    encodeVarInt(protocolVersion),
    encodeVarInt(hostBytes.length),
    hostBytes,
    portBytes,
    encodeVarInt(NEXT_STATE_STATUS),
  );
}

/** Status request: an empty packet 0x00. */
export function encodeStatusRequest(): Buffer {
  return frame(PACKET_STATUS);
}

/** Ping packet 0x01 with an 8-byte payload the server echoes in its pong. */
export function encodePing(payload: Uint8Array): Buffer {
  if (payload.length !== PING_PAYLOAD_BYTES) throw new RangeError('ping payload must be 8 bytes');
  return frame(PACKET_PING, payload);
}

/**
 * Finds one frame with packet id `expectedId` at the start of `buf`, or `undefined` while
 * it is incomplete. Fails as soon as the header shows a bad length or another packet id,
 * without waiting for the declared number of bytes. The body is a copy.
 */
export function decodeFrame(
  buf: Uint8Array,
  expectedId: number,
  maxFrameBytes = MAX_STATUS_FRAME_BYTES,
): Decoded<Buffer> | undefined {
  const length = decodeVarInt(buf);
  if (!length) return undefined;
  if (length.value < 1) throw malformed(`frame length ${length.value}`);
  if (length.value > maxFrameBytes) {
    throw malformed(`frame of ${length.value} bytes exceeds ${maxFrameBytes}`);
  }
  const frameEnd = length.size + length.value;
  // The packet id must lie inside the frame, so look no further than its declared end.
  const id = decodeVarInt(buf.subarray(length.size, Math.min(frameEnd, buf.length)));
  if (!id) {
    if (buf.length >= frameEnd) throw malformed('packet id runs past the frame');
    return undefined;
  }
  if (id.value !== expectedId) {
    throw malformed(`packet id ${hexId(id.value)}, expected ${hexId(expectedId)}`);
  }
  if (buf.length < frameEnd) return undefined;
  return { value: Buffer.from(buf.subarray(length.size + id.size, frameEnd)), size: frameEnd };
}

/** Reads the status response frame (packet 0x00 holding one String) and returns its JSON text. */
export function decodeStatusFrame(buf: Uint8Array): Decoded<string> | undefined {
  const frameRead = decodeFrame(buf, PACKET_STATUS);
  if (!frameRead) return undefined;
  const body = frameRead.value;
  const strLength = decodeVarInt(body);
  if (!strLength) throw malformed('string length runs past the frame');
  if (strLength.value < 0) throw malformed(`string length ${strLength.value}`);
  const available = body.length - strLength.size;
  if (strLength.value !== available) {
    throw malformed(`string of ${strLength.value} bytes in a frame holding ${available}`);
  }
  return { value: body.toString('utf8', strLength.size), size: frameRead.size };
}

/** Reads the pong frame (packet 0x01 with the 8-byte payload) and returns the payload. */
export function decodePongFrame(buf: Uint8Array): Decoded<Buffer> | undefined {
  const frameRead = decodeFrame(buf, PACKET_PING, 16);
  if (!frameRead) return undefined;
  if (frameRead.value.length !== PING_PAYLOAD_BYTES) {
    throw malformed(`pong of ${frameRead.value.length} bytes`);
  }
  return frameRead;
}

/** Formatting codes removed, then the shared clean-up (control characters, blank lines, length). */
function plainText(text: string): string {
  return cleanText(stripMinecraftCodes(text));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Flattens a chat component (a string, an object with `text` and `extra`, or an array of
 * components) to plain text. Styling is dropped; `translate` keys show their `fallback`.
 */
export function chatToPlainText(component: unknown): string {
  const parts: string[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > MAX_CHAT_DEPTH) return;
    if (typeof node === 'string') {
      parts.push(node);
    } else if (typeof node === 'number' || typeof node === 'boolean') {
      parts.push(String(node));
    } else if (Array.isArray(node)) {
      for (const child of node) visit(child, depth + 1);
    } else if (isRecord(node)) {
      const { text, translate, fallback, extra } = node;
      if (typeof text === 'string' || typeof text === 'number') parts.push(String(text));
      else if (typeof translate === 'string' && typeof fallback === 'string') parts.push(fallback);
      if (Array.isArray(extra)) for (const child of extra) visit(child, depth + 1);
    }
  };
  visit(component, 0);
  return plainText(parts.join(''));
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > JAVA_INT_MAX) {
    throw malformed(`${field} is not a player count`);
  }
  return Math.trunc(value);
}

function sampleNames(sample: unknown): string[] {
  if (!Array.isArray(sample)) return [];
  const names: string[] = [];
  for (const entry of sample) {
    if (!isRecord(entry) || typeof entry.name !== 'string') continue;
    if (entry.id === HIDDEN_PLAYER_ID) continue;
    // Proxies fill the sample with coloured text lines (rules, links) that are not players.
    if (entry.name.includes('§')) continue;
    const name = plainText(entry.name);
    if (name !== '') names.push(name);
  }
  return names;
}

/**
 * Turns the status JSON into status fields. The player count is `players.online`, never
 * the length of `players.sample` (at most 12 names, often fewer, sometimes fake).
 */
export function parseStatusJson(json: string): MinecraftStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw malformed('reply is not JSON');
  }
  if (!isRecord(doc)) throw malformed('reply is not a JSON object');

  let playersOnline = 0;
  let playersMax = 0;
  let playerNames: string[] = [];
  // Since 1.19.4 the players object is optional; a server without it is still online.
  if (doc.players !== undefined) {
    if (!isRecord(doc.players)) throw malformed('players is not an object');
    playersOnline = count(doc.players.online, 'players.online');
    playersMax = count(doc.players.max, 'players.max');
    playerNames = sampleNames(doc.players.sample);
  }

  const versionName =
    isRecord(doc.version) && typeof doc.version.name === 'string'
      ? plainText(doc.version.name)
      : '';
  const motd = doc.description === undefined ? '' : chatToPlainText(doc.description);

  return {
    playersOnline,
    playersMax,
    bots: 0,
    playerNames,
    name: motd === '' ? null : motd,
    map: null,
    version: versionName === '' ? null : versionName,
    gameMode: null,
    passwordProtected: null,
  };
}
