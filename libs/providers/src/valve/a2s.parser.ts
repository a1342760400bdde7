/*
 * Valve server queries (A2S), the messages: A2S_INFO, A2S_PLAYER and the challenge.
 * Specification: https://developer.valvesoftware.com/wiki/Server_queries
 *
 * All integers are little-endian, strings are UTF-8 and zero-terminated. A server may
 * answer a request with S2C_CHALLENGE (0x41 and 4 bytes): the request is then sent again
 * with those 4 bytes. A2S_PLAYER always works that way; since a Valve update in late 2020
 * many servers do it for A2S_INFO too, the challenge appended after the payload.
 */
import { ByteReader } from '../byte-reader.js';

export const S2C_CHALLENGE = 0x41;
export const S2A_INFO_SOURCE = 0x49;
export const S2A_INFO_GOLDSRC = 0x6d;
export const S2A_PLAYER = 0x44;

const A2S_INFO = 0x54;
const A2S_PLAYER = 0x55;
const HEADER = Buffer.from([0xff, 0xff, 0xff, 0xff]);
/** The challenge that asks the server for a real one. */
export const NO_CHALLENGE = Buffer.from([0xff, 0xff, 0xff, 0xff]);
// The fixed start of each request, laid out once: a query sends up to four requests.
const INFO_REQUEST = Buffer.concat([
  HEADER,
  Buffer.from([A2S_INFO]),
  Buffer.from('Source Engine Query\0', 'latin1'),
]);
const PLAYER_REQUEST = Buffer.concat([HEADER, Buffer.from([A2S_PLAYER])]);

/** Steam app ids with quirks. */
export const APP_ID = { theShip: 2400, csgo: 730, rust: 252490 } as const;
const EDF = { gamePort: 0x80, steamId: 0x10, sourceTv: 0x40, keywords: 0x20, gameId: 0x01 };

/** Every field of an A2S_INFO reply, in either format. */
export interface A2sInfo {
  format: 'source' | 'goldsrc';
  protocol: number;
  name: string;
  map: string;
  folder: string;
  game: string;
  /** Steam app id: the reply's u16, or the low 24 bits of the EDF game id when present. */
  appId: number;
  /** Players on the server, bots included. */
  players: number;
  maxPlayers: number;
  bots: number;
  /** `d` dedicated, `l` listen, `p` SourceTV. */
  serverType: string;
  /** `l` Linux, `w` Windows, `m`/`o` macOS. */
  environment: string;
  passwordProtected: boolean;
  vacSecured: boolean;
  version: string | null;
  /** From the extra data (EDF), when the server sends it. */
  gamePort: number | null;
  steamId: bigint | null;
  sourceTvPort: number | null;
  sourceTvName: string | null;
  keywords: string[];
  gameId: bigint | null;
}

export interface A2sPlayer {
  index: number;
  name: string;
  score: number;
  durationS: number;
}

/**
 * A2S_INFO, with the challenge appended when the server asked for one. The same buffer may
 * be returned each time: never write into it.
 */
export function encodeInfoRequest(challenge?: Buffer): Buffer {
  return challenge ? Buffer.concat([INFO_REQUEST, challenge]) : INFO_REQUEST;
}

/** A2S_PLAYER with a challenge ({@link NO_CHALLENGE} to be sent one). */
export function encodePlayerRequest(challenge: Buffer): Buffer {
  return Buffer.concat([PLAYER_REQUEST, challenge]);
}

/** The type byte of a message (the reply after its FF FF FF FF), or undefined if empty. */
export function messageType(message: Buffer): number | undefined {
  return message[0];
}

/** The 4 challenge bytes of an S2C_CHALLENGE message, as they must be sent back. */
export function parseChallenge(message: Buffer): Buffer {
  const reader = new ByteReader(message, 'S2C_CHALLENGE');
  reader.u8('type');
  return Buffer.from(reader.bytes(4, 'challenge'));
}

/** Reads an A2S_INFO reply message (type 0x49 Source, or 0x6D the obsolete GoldSrc form). */
/**
 * One server's two info replies as one: GoldSrc servers (Counter-Strike 1.6) may answer the
 * obsolete form first and the current one after it, and each carries what the other lacks
 * (the version, the extra data). The first reply's counts and format stand.
 */
export function mergeInfo(first: A2sInfo, second: A2sInfo): A2sInfo {
  return {
    ...first,
    appId: first.appId || second.appId,
    version: first.version ?? second.version,
    gamePort: first.gamePort ?? second.gamePort,
    steamId: first.steamId ?? second.steamId,
    sourceTvPort: first.sourceTvPort ?? second.sourceTvPort,
    sourceTvName: first.sourceTvName ?? second.sourceTvName,
    keywords: first.keywords.length > 0 ? first.keywords : second.keywords,
    gameId: first.gameId ?? second.gameId,
  };
}

export function parseInfo(message: Buffer): A2sInfo {
  const reader = new ByteReader(message, 'A2S_INFO');
  const type = reader.u8('type');
  if (type === S2A_INFO_GOLDSRC) return parseGoldSrcInfo(reader);
  if (type !== S2A_INFO_SOURCE) throw reader.malformed(`type 0x${type.toString(16)}`);
  const protocol = reader.u8('protocol');
  const name = reader.cstring('name');
  const map = reader.cstring('map');
  const folder = reader.cstring('folder');
  const game = reader.cstring('game');
  let appId = reader.u16le('app id');
  const players = reader.u8('players');
  const maxPlayers = reader.u8('max players');
  const bots = reader.u8('bots');
  const serverType = String.fromCharCode(reader.u8('server type'));
  const environment = String.fromCharCode(reader.u8('environment'));
  const passwordProtected = reader.u8('visibility') === 1;
  const vacSecured = reader.u8('vac') === 1;
  if (appId === APP_ID.theShip) reader.bytes(3, 'The Ship mode, witnesses, duration');
  const version = reader.cstring('version');
  const info: A2sInfo = {
    format: 'source',
    protocol,
    name,
    map,
    folder,
    game,
    appId,
    players,
    maxPlayers,
    bots,
    serverType,
    environment,
    passwordProtected,
    vacSecured,
    version,
    gamePort: null,
    steamId: null,
    sourceTvPort: null,
    sourceTvName: null,
    keywords: [],
    gameId: null,
  };
  // Servers before the extra data field end here.
  if (reader.remaining === 0) return info;
  const edf = reader.u8('extra data flags');
  if (edf & EDF.gamePort) info.gamePort = reader.u16le('game port');
  if (edf & EDF.steamId) info.steamId = reader.u64le('steam id');
  if (edf & EDF.sourceTv) {
    info.sourceTvPort = reader.u16le('SourceTV port');
    info.sourceTvName = reader.cstring('SourceTV name');
  }
  if (edf & EDF.keywords) info.keywords = reader.cstring('keywords').split(',').filter(Boolean);
  if (edf & EDF.gameId) {
    info.gameId = reader.u64le('game id');
    const fromGameId = Number(info.gameId & 0xffffffn);
    if (fromGameId !== 0) appId = fromGameId;
  }
  info.appId = appId;
  return info;
}

function parseGoldSrcInfo(reader: ByteReader): A2sInfo {
  reader.cstring('address');
  const name = reader.cstring('name');
  const map = reader.cstring('map');
  const folder = reader.cstring('folder');
  const game = reader.cstring('game');
  const players = reader.u8('players');
  const maxPlayers = reader.u8('max players');
  const protocol = reader.u8('protocol');
  const serverType = String.fromCharCode(reader.u8('server type'));
  const environment = String.fromCharCode(reader.u8('environment'));
  const passwordProtected = reader.u8('visibility') === 1;
  if (reader.u8('mod') === 1) {
    reader.cstring('mod link');
    reader.cstring('mod download link');
    reader.bytes(1 + 4 + 4 + 1 + 1, 'mod details');
  }
  const vacSecured = reader.u8('vac') === 1;
  const bots = reader.u8('bots');
  return {
    format: 'goldsrc',
    protocol,
    name,
    map,
    folder,
    game,
    appId: 0,
    players,
    maxPlayers,
    bots,
    serverType,
    environment,
    passwordProtected,
    vacSecured,
    version: null,
    gamePort: null,
    steamId: null,
    sourceTvPort: null,
    sourceTvName: null,
    keywords: [],
    gameId: null,
  };
}

/**
 * Reads an A2S_PLAYER reply message. Entries are read to the end of the message: the
 * count byte wraps past 255 players. The Ship appends more data, so its count is used.
 */
export function parsePlayers(message: Buffer, appId: number): A2sPlayer[] {
  const reader = new ByteReader(message, 'A2S_PLAYER');
  const type = reader.u8('type');
  if (type !== S2A_PLAYER) throw reader.malformed(`type 0x${type.toString(16)}`);
  const count = reader.u8('player count');
  const players: A2sPlayer[] = [];
  while (reader.remaining > 0 && (appId !== APP_ID.theShip || players.length < count)) {
    players.push({
      index: reader.u8('index'),
      name: reader.cstring('player name'),
      score: reader.i32le('score'),
      durationS: reader.f32le('duration'),
    });
  }
  return players;
}

/** Rust puts its real counts in the keywords: `cp<players>` and `mp<max players>`. */
export function rustCounts(keywords: readonly string[]): { players?: number; maxPlayers?: number } {
  const counts: { players?: number; maxPlayers?: number } = {};
  for (const keyword of keywords) {
    const match = /^(cp|mp)(\d{1,9})$/u.exec(keyword);
    if (match?.[1] === 'cp') counts.players = Number(match[2]);
    if (match?.[1] === 'mp') counts.maxPlayers = Number(match[2]);
  }
  return counts;
}
