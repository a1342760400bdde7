/*
 * Minecraft: Java Edition legacy server list ping (servers before 1.7), pure encoding and
 * decoding. Specification: https://minecraft.wiki/w/Java_Edition_protocol/Server_List_Ping
 * (sections "1.6", "1.4 to 1.5" and "Beta 1.8 to 1.3").
 *
 * The client sends 0xFE 0x01 and, for 1.6, a 0xFA plugin message "MC|PingHost" naming the
 * host and port it dialled. The server answers with a 0xFF kick packet: a big-endian u16
 * count of UTF-16 units, then the UTF-16BE text. Since 1.4 the text is
 * `§1\0<protocol>\0<version>\0<motd>\0<online>\0<max>`; before, `<motd>§<online>§<max>`.
 */
import { ProviderError } from '../provider.error.js';
import { cleanText, stripMinecraftCodes } from '../text.js';
import type { Decoded, MinecraftStatus } from './minecraft.parser.js';

/** Protocol number announced in MC|PingHost: 1.6.4's. Servers answer whatever it is. */
const PING_HOST_PROTOCOL = 78;
const PING_HOST_CHANNEL = 'MC|PingHost';
/** A kick text longer than this many UTF-16 units is not a status (vanilla MOTDs are short). */
export const MAX_LEGACY_CHARS = 4096;
const JAVA_INT_MAX = 2 ** 31 - 1;

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `Minecraft legacy status: ${message}`);
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

function u16be(value: number): Buffer {
  const buf = Buffer.alloc(2);
  buf.writeUInt16BE(value);
  return buf;
}

/** The 1.6 ping: 0xFE 0x01, then the 0xFA MC|PingHost message (older servers ignore it). */
export function encodeLegacyPing(host: string, port: number): Buffer {
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new RangeError(`bad port ${port}`);
  const hostBytes = utf16be(host);
  const portBytes = Buffer.alloc(4);
  portBytes.writeInt32BE(port);
  return Buffer.concat([
    Buffer.from([0xfe, 0x01, 0xfa]),
    u16be(PING_HOST_CHANNEL.length),
    utf16be(PING_HOST_CHANNEL),
    u16be(7 + hostBytes.length),
    Buffer.from([PING_HOST_PROTOCOL]),
    u16be(host.length),
    hostBytes,
    portBytes,
  ]);
}

function count(text: string | undefined, field: string): number {
  if (text === undefined || !/^\d{1,10}$/u.test(text) || Number(text) > JAVA_INT_MAX) {
    throw malformed(`${field} is not a player count`);
  }
  return Number(text);
}

function status(
  motd: string,
  online: number,
  max: number,
  version: string | null,
): MinecraftStatus {
  const name = cleanText(stripMinecraftCodes(motd));
  const cleanVersion = version === null ? '' : cleanText(stripMinecraftCodes(version));
  return {
    playersOnline: online,
    playersMax: max,
    bots: 0,
    playerNames: [],
    name: name === '' ? null : name,
    map: null,
    version: cleanVersion === '' ? null : cleanVersion,
    gameMode: null,
    passwordProtected: null,
  };
}

/** Reads the kick text of a legacy reply into status fields. */
export function parseLegacyText(text: string): MinecraftStatus {
  if (text.startsWith('§1\0')) {
    const parts = text.split('\0');
    if (parts.length !== 6) throw malformed(`${parts.length} fields, expected 6`);
    const [, , version, motd, online, max] = parts;
    return status(motd ?? '', count(online, 'online'), count(max, 'max'), version ?? null);
  }
  const parts = text.split('§');
  if (parts.length < 3) throw malformed('no player counts in the reply');
  const max = count(parts.pop(), 'max');
  const online = count(parts.pop(), 'online');
  return status(parts.join('§'), online, max, null);
}

/**
 * Finds the 0xFF kick packet at the start of `buf`: `undefined` while it is incomplete,
 * ProviderError('protocol') as soon as it cannot be one.
 */
export function decodeLegacyReply(buf: Uint8Array): Decoded<MinecraftStatus> | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] !== 0xff) throw malformed(`packet 0x${(buf[0] ?? 0).toString(16)}, expected 0xff`);
  if (buf.length < 3) return undefined;
  const chars = ((buf[1] ?? 0) << 8) | (buf[2] ?? 0);
  if (chars > MAX_LEGACY_CHARS) throw malformed(`text of ${chars} characters`);
  const size = 3 + chars * 2;
  if (buf.length < size) return undefined;
  const text = Buffer.from(buf.subarray(3, size)).swap16().toString('utf16le');
  return { value: parseLegacyText(text), size };
}
