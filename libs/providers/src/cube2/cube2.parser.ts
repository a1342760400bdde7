/*
 * Cube 2: Sauerbraten server info and extinfo, pure encoding and decoding.
 * Specification: the Sauerbraten source (2020 edition, Debian's cube2 package):
 * src/engine/server.cpp checkserversockets (the info port, game port + 1),
 * src/fpsgame/server.cpp serverinforeply, src/fpsgame/extinfo.h, src/shared/tools.cpp
 * (putint/getint, sendstring) and src/shared/stream.cpp (cube2unichars).
 *
 * A request is one datagram of at most 32 bytes; every reply starts with the request's
 * bytes copied back, which is how a reply is matched to its request. The rest is a stream
 * of Cube's compressed integers: one signed byte for -126..127, 0x80 then a 16-bit
 * little-endian value, or 0x81 then a 32-bit one. A string is one such integer per
 * character of Cube's own 8-bit charset, ended by 0.
 *
 * Server info (the request's first integer is not 0): client count, attribute count, the
 * attributes (protocol, game mode, seconds left, max clients, master mode, then, while the
 * game is paused or slowed, the pause flag and the game speed), map, description.
 * Extinfo (first integer 0, then a command): for the player list (command 1, client -1)
 * the server answers EXT_ACK, EXT_VERSION, 0 (no error), then one datagram listing the
 * client numbers and one datagram per client with its number, ping, name, team and scores.
 */
import { ByteReader } from '../byte-reader.js';
import { ProviderError } from '../provider.error.js';
import { cleanText } from '../text.js';

/**
 * Cube's 8-bit charset as Unicode, indexed by the byte the server sends (the table of
 * stream.cpp): ASCII where ASCII is printable, accented Latin and some Cyrillic letters in
 * the control and high ranges.
 */
export const CUBE_CHARSET =
  '\x00ÀÁÂÃÄÅÆÇ\x09\x0a\x0b\x0c\x0dÈÉ' +
  'ÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛ' +
  ' !"#$%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '@ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZ[\\]^_' +
  '`abcdefghijklmno' +
  'pqrstuvwxyz{|}~Ü' +
  'Ýßàáâãäåæçèéêëìí' +
  'îïñòóôõöøùúûüýÿĄ' +
  'ąĆćČčĎďĘęĚěĞğİıŁ' +
  'łŃńŇňŐőŒœŘřŚśŞşŠ' +
  'šŤťŮůŰűŸŹźŻżŽžЄБ' +
  'ГДЖЗИЙЛПУФЦЧШЩЪЫ' +
  'ЬЭЮЯбвгджзийклмн' +
  'птфцчшщъыьэюяєҐґ';

/** Requests longer than this are dropped unanswered by the server (MAXPINGDATA). */
export const MAX_REQUEST_BYTES = 32;
/** Attributes a reply may carry: the server sends 5 or 7; more is not a server info reply. */
const MAX_ATTRIBUTES = 32;
/** Upstream serves 128 clients at most; forks get room, noise read as a count does not. */
const MAX_PLAUSIBLE_CLIENTS = 10_000;

const EXT_ACK = -1;
const EXT_NO_ERROR = 0;
const EXT_ERROR = 1;
const EXT_PLAYERSTATS = 1;
const EXT_PLAYERSTATS_RESP_IDS = -10;
const EXT_PLAYERSTATS_RESP_STATS = -11;
/** Bots get client numbers from MAXCLIENTS (128) up, humans below it. */
export const FIRST_BOT_CLIENT_NUMBER = 128;
/** Master mode sent while the server has a password (serverpass): MM_PASSWORD. */
export const MASTER_MODE_PASSWORD = 4;

/** Game mode names by mode number (game.h `gamemodes`, which starts at -3). */
const GAME_MODES = [
  'SP',
  'DMSP',
  'demo',
  'ffa',
  'coop edit',
  'teamplay',
  'instagib',
  'insta team',
  'efficiency',
  'effic team',
  'tactics',
  'tac team',
  'capture',
  'regen capture',
  'ctf',
  'insta ctf',
  'protect',
  'insta protect',
  'hold',
  'insta hold',
  'effic ctf',
  'effic protect',
  'effic hold',
  'collect',
  'insta collect',
  'effic collect',
];
const FIRST_GAME_MODE = -3;

/** The server info reply. Attributes the server did not send are undefined. */
export interface Cube2Info {
  /** Connected clients, spectators included, bots not. */
  players: number;
  /** Every attribute as sent, the named ones below included. */
  attributes: number[];
  protocol: number | undefined;
  mode: number | undefined;
  secondsLeft: number | undefined;
  maxPlayers: number | undefined;
  masterMode: number | undefined;
  /** Raw (charset decoded, colour codes kept); empty while no map is loaded. */
  map: string;
  description: string;
}

/** One client of an extinfo player list. */
export interface Cube2Player {
  clientNumber: number;
  ping: number;
  /** Raw (charset decoded, colour codes kept). */
  name: string;
  team: string;
}

/** One extinfo reply to the player-list request. */
export type Cube2ExtinfoReply =
  | { kind: 'clients'; clientNumbers: number[] }
  | { kind: 'player'; player: Cube2Player }
  /** The server answered with an error (EXT_ERROR). */
  | { kind: 'error' }
  /** The server took the request for a plain ping: it has no extinfo. */
  | { kind: 'unsupported' };

function malformed(what: string, message: string): ProviderError {
  return new ProviderError('protocol', `${what}: ${message}`);
}

/** Appends `n` in Cube's compressed integer form (tools.cpp putint). */
export function putInt(out: number[], n: number): void {
  if (n < 128 && n > -127) {
    out.push(n & 0xff);
  } else if (n < 0x8000 && n >= -0x8000) {
    out.push(0x80, n & 0xff, (n >> 8) & 0xff);
  } else {
    out.push(0x81, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
  }
}

/** Reads one compressed integer (tools.cpp getint). */
export function getInt(reader: ByteReader, field: string): number {
  const first = reader.u8(field);
  if (first === 0x80) return (reader.u16le(field) << 16) >> 16;
  if (first === 0x81) return reader.i32le(field);
  return (first << 24) >> 24;
}

/**
 * Reads one string: a compressed integer per character, of which the client keeps the low
 * byte (a `char`), ended by 0; each byte turned into its Unicode character.
 */
export function getCubeString(reader: ByteReader, field: string): string {
  let text = '';
  for (;;) {
    const byte = getInt(reader, field) & 0xff;
    if (byte === 0) return text;
    text += CUBE_CHARSET[byte];
  }
}

/**
 * The server info request. `tag` (1 to 2^31 - 1) takes the place of the millisecond clock
 * the game's own server browser sends: the server copies it back, so a late reply to an
 * earlier query is told apart. It must not be 0, which asks for extinfo instead.
 */
export function encodeInfoRequest(tag: number): Buffer {
  if (!Number.isInteger(tag) || tag < 1 || tag > 0x7fffffff) throw new RangeError('bad tag');
  const out: number[] = [];
  putInt(out, tag);
  return Buffer.from(out);
}

/**
 * The extinfo player-list request: 0, EXT_PLAYERSTATS, -1 (every client). The server reads
 * nothing further for this command, so `tag` follows as plain bytes behind a 0, to be
 * copied back with the rest: some mods (zeromod) read one more integer and answer with
 * longer player records when it is positive, and the 0 keeps them to the standard form.
 */
export function encodePlayerStatsRequest(tag: number): Buffer {
  if (!Number.isInteger(tag) || tag < 1 || tag > 0x7fffffff) throw new RangeError('bad tag');
  const out: number[] = [0];
  putInt(out, EXT_PLAYERSTATS);
  putInt(out, -1);
  out.push(0, tag & 0xff, (tag >> 8) & 0xff, (tag >> 16) & 0xff, (tag >>> 24) & 0xff);
  return Buffer.from(out);
}

/** Whether `datagram` answers `request`: it starts with the request's bytes. */
export function repliesTo(datagram: Buffer, request: Buffer): boolean {
  if (datagram.length < request.length) return false;
  for (let i = 0; i < request.length; i++) {
    if (datagram[i] !== request[i]) return false;
  }
  return true;
}

function count(reader: ByteReader, field: string): number {
  const n = getInt(reader, field);
  if (n < 0 || n > MAX_PLAUSIBLE_CLIENTS) throw reader.malformed(`${field} ${n} is not a count`);
  return n;
}

/**
 * Reads a server info reply whose first `echoLength` bytes are the copied request (see
 * {@link repliesTo}). Bytes after the description are ignored: nothing upstream sends
 * them, and a mod adding some should not make its server unreadable.
 */
export function decodeInfoReply(datagram: Buffer, echoLength: number): Cube2Info {
  const reader = new ByteReader(datagram, 'Cube 2 server info');
  reader.bytes(echoLength, 'echoed request');
  const players = count(reader, 'client count');
  const attributeCount = getInt(reader, 'attribute count');
  if (attributeCount < 0 || attributeCount > MAX_ATTRIBUTES) {
    throw reader.malformed(`${attributeCount} attributes`);
  }
  const attributes: number[] = [];
  for (let i = 0; i < attributeCount; i++) attributes.push(getInt(reader, 'attribute'));
  const maxPlayers = attributes[3];
  if (maxPlayers !== undefined && (maxPlayers < 0 || maxPlayers > MAX_PLAUSIBLE_CLIENTS)) {
    throw reader.malformed(`max clients ${maxPlayers} is not a count`);
  }
  const map = getCubeString(reader, 'map');
  const description = getCubeString(reader, 'description');
  return {
    players,
    attributes,
    protocol: attributes[0],
    mode: attributes[1],
    secondsLeft: attributes[2],
    maxPlayers,
    masterMode: attributes[4],
    map,
    description,
  };
}

/**
 * Reads one reply to {@link encodePlayerStatsRequest} whose first `echoLength` bytes are
 * the copied request. The EXT_VERSION is not checked: every version so far starts a
 * player record with number, ping, name and team, the only fields read; what follows
 * (scores, state, part of the address, mods' extras) is left alone.
 */
export function decodeExtinfoReply(datagram: Buffer, echoLength: number): Cube2ExtinfoReply {
  const what = 'Cube 2 extinfo';
  const reader = new ByteReader(datagram, what);
  reader.bytes(echoLength, 'echoed request');
  // A server without extinfo reads the request as a ping and sends its info, which starts
  // with a client count, never with EXT_ACK.
  if (reader.remaining === 0 || getInt(reader, 'ack') !== EXT_ACK) return { kind: 'unsupported' };
  getInt(reader, 'extinfo version');
  const status = getInt(reader, 'error flag');
  if (status === EXT_ERROR) return { kind: 'error' };
  if (status !== EXT_NO_ERROR) throw malformed(what, `error flag ${status}`);
  const type = getInt(reader, 'reply type');
  if (type === EXT_PLAYERSTATS_RESP_IDS) {
    const clientNumbers: number[] = [];
    while (reader.remaining > 0) {
      const clientNumber = getInt(reader, 'client number');
      if (clientNumber < 0) throw malformed(what, `client number ${clientNumber}`);
      clientNumbers.push(clientNumber);
    }
    return { kind: 'clients', clientNumbers };
  }
  if (type !== EXT_PLAYERSTATS_RESP_STATS) throw malformed(what, `reply type ${type}`);
  const clientNumber = getInt(reader, 'client number');
  if (clientNumber < 0) throw malformed(what, `client number ${clientNumber}`);
  const ping = getInt(reader, 'ping');
  const name = getCubeString(reader, 'name');
  const team = getCubeString(reader, 'team');
  return { kind: 'player', player: { clientNumber, ping, name, team } };
}

/** Whether a client number is a bot's (see {@link FIRST_BOT_CLIENT_NUMBER}). */
export function isBotNumber(clientNumber: number): boolean {
  return clientNumber >= FIRST_BOT_CLIENT_NUMBER;
}

/**
 * Removes Cube's colour escapes: `\f` and the character after it (a digit, `s` to save,
 * `r` to restore, or anything else), as the game's own filtertext does; a lone `\f` at
 * the end goes too.
 */
export function stripCubeColours(text: string): string {
  if (!text.includes('\f')) return text;
  return text.replace(/\f[^]?/gu, '');
}

/** Colour codes removed, then the shared clean-up; empty becomes null. */
export function cubeText(text: string): string | null {
  const clean = cleanText(stripCubeColours(text));
  return clean === '' ? null : clean;
}

/** Sauerbraten's name of a game mode (`ffa`, `insta ctf`, ...), or null for a number it lacks. */
export function gameModeName(mode: number): string | null {
  return GAME_MODES[mode - FIRST_GAME_MODE] ?? null;
}
