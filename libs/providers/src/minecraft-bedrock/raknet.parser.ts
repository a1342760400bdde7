/*
 * Minecraft: Bedrock Edition status: the RakNet unconnected ping and pong, pure encoding
 * and decoding. Specification: https://minecraft.wiki/w/Bedrock_Edition_protocol/RakNet
 * ("Unconnected Ping" / "Unconnected Pong") and the RakNet offline message format.
 *
 * Ping (33 bytes): 0x01, u64 BE time, the 16-byte offline-message magic, u64 client GUID.
 * Pong: 0x1C, the u64 time echoed, u64 server GUID, the magic, then a u16 BE length and
 * that many bytes of UTF-8: the MOTD string `edition;motd;protocol;version;players;max;
 * serverId;levelName;gameMode;gameModeId;portV4;portV6;` (later fields optional).
 */
import { ByteReader } from '../byte-reader.js';
import { ProviderError } from '../provider.error.js';
import { cleanText, parseDecimal, stripMinecraftCodes } from '../text.js';

const UNCONNECTED_PING = 0x01;
const UNCONNECTED_PONG = 0x1c;
/** RakNet's offline-message magic, present in every unconnected packet. */
export const OFFLINE_MAGIC = Buffer.from('00ffff00fefefefefdfdfdfd12345678', 'hex');
const JAVA_INT_MAX = 2 ** 31 - 1;

/** Every field of the pong's MOTD string. Fields a server left out are null. */
export interface BedrockMotd {
  /** `MCPE` (Bedrock) or `MCEE` (Education Edition). */
  edition: string;
  /** First MOTD line, the server name. */
  motd: string;
  protocol: number | null;
  version: string;
  players: number;
  maxPlayers: number;
  serverId: string | null;
  /** Second MOTD line: the level (world) name. */
  levelName: string | null;
  gameMode: string | null;
  gameModeId: number | null;
  portV4: number | null;
  portV6: number | null;
}

export interface BedrockPong {
  /** The time value of the ping, echoed: matches a pong to its ping. */
  time: bigint;
  serverGuid: bigint;
  motd: BedrockMotd;
}

/**
 * An unconnected ping carrying `time` (any safe integer: it only comes back in the pong) from
 * the client `clientGuid` (8 bytes). Numbers and bytes rather than bigints: this is built for
 * every query, and 64-bit BigInt writes allocate several intermediate values each.
 */
export function encodeUnconnectedPing(time: number, clientGuid: Uint8Array): Buffer {
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError(`bad ping time ${time}`);
  if (clientGuid.length !== 8) throw new RangeError('a client GUID is 8 bytes');
  // Every byte is written below; the pool spares a zeroed allocation of its own per ping.
  const buf = Buffer.allocUnsafe(33);
  buf[0] = UNCONNECTED_PING;
  buf.writeUInt32BE(Math.floor(time / 2 ** 32), 1);
  buf.writeUInt32BE(time % 2 ** 32, 5);
  buf.set(OFFLINE_MAGIC, 9);
  buf.set(clientGuid, 25);
  return buf;
}

/** Whether `pong` echoes the time of `ping` (a late pong to an earlier ping does not). */
export function echoesPing(pong: Buffer, ping: Buffer): boolean {
  return pong.length >= 9 && pong.compare(ping, 1, 9, 1, 9) === 0;
}

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `Bedrock pong: ${message}`);
}

/** Splits on `;` except where escaped as `\;` (servers escape it inside MOTD lines). */
function splitFields(text: string): string[] {
  if (!text.includes('\\;')) {
    const plain = text.split(';');
    if (plain.at(-1) === '') plain.pop();
    return plain;
  }
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === ';') {
      current += ';';
      i++;
    } else if (ch === ';') {
      fields.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') fields.push(current);
  return fields;
}

function integer(text: string | undefined, field: string, max = JAVA_INT_MAX): number {
  const value = parseDecimal(text, true);
  if (value === undefined) throw malformed(`${field} is not a number`);
  if (value < 0 || value > max) throw malformed(`${field} ${value} out of range`);
  return value;
}

function optionalInteger(text: string | undefined, max = JAVA_INT_MAX): number | null {
  const value = parseDecimal(text, false);
  return value !== undefined && value <= max ? value : null;
}

function optionalText(text: string | undefined): string | null {
  if (text === undefined) return null;
  const clean = cleanText(stripMinecraftCodes(text));
  return clean === '' ? null : clean;
}

/** Reads the MOTD string of a pong; the counts must be numbers, the rest is optional. */
export function parseBedrockMotd(text: string): BedrockMotd {
  const fields = splitFields(text);
  if (fields.length < 6) throw malformed(`${fields.length} MOTD fields, expected at least 6`);
  const [edition, motd, protocol, version, players, max, serverId, level, mode, modeId, v4, v6] =
    fields;
  return {
    edition: cleanText(edition ?? ''),
    motd: cleanText(stripMinecraftCodes(motd ?? '')),
    protocol: optionalInteger(protocol),
    version: cleanText(version ?? ''),
    players: integer(players, 'player count'),
    maxPlayers: integer(max, 'max players'),
    serverId: optionalText(serverId),
    levelName: optionalText(level),
    gameMode: optionalText(mode),
    gameModeId: optionalInteger(modeId),
    portV4: optionalInteger(v4, 65_535),
    portV6: optionalInteger(v6, 65_535),
  };
}

/** Reads an unconnected pong; throws ProviderError('protocol') for anything else. */
export function decodeUnconnectedPong(datagram: Buffer): BedrockPong {
  const reader = new ByteReader(datagram, 'Bedrock pong');
  const id = reader.u8('packet id');
  if (id !== UNCONNECTED_PONG) throw malformed(`packet 0x${id.toString(16)}, expected 0x1c`);
  const time = reader.u64be('time');
  const serverGuid = reader.u64be('server GUID');
  if (!reader.matches(OFFLINE_MAGIC, 'magic')) throw malformed('wrong magic');
  const length = reader.u16be('MOTD length');
  if (length !== reader.remaining) {
    throw malformed(`MOTD of ${length} bytes in a packet holding ${reader.remaining}`);
  }
  return { time, serverGuid, motd: parseBedrockMotd(reader.rest().toString('utf8')) };
}
