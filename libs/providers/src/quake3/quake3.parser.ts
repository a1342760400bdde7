/*
 * Quake III Arena engine status (`getstatus`), pure encoding and decoding: ioquake3,
 * OpenArena, Urban Terror, Wolfenstein: ET, Call of Duty 1-4, Jedi Knight, ...
 * Specification: the out-of-band messages of id Tech 3 (ioquake3 code/server/sv_main.c,
 * SVC_Status; https://www.quakewiki.net/ and ioquake3's docs describe the same).
 *
 * Request: FF FF FF FF `getstatus <challenge>`. Reply: FF FF FF FF `statusResponse\n`,
 * then the server info string `\key\value\key\value...` and `\n`, then one line per client:
 * `<score> <ping> "<name>"` (some games add fields after the name). Text is Latin-1 with
 * `^N` colour codes. The server copies the challenge into the info string (ioquake3 and
 * its descendants), which matches a reply to its request.
 */
import { ProviderError } from '../provider.error.js';
import { cleanText, decimalAt, stripQuakeColours } from '../text.js';

/** Every out-of-band message starts with four 0xFF bytes (as Latin-1 text here). */
const OOB_HEADER = '\xff\xff\xff\xff';
const STATUS_RESPONSE = 'statusResponse';
/** Info strings with more keys than this are not status replies. */
const MAX_INFO_KEYS = 512;

export interface Quake3Player {
  score: number;
  ping: number;
  name: string;
}

export interface Quake3Status {
  /** The server's cvars from the info string, colour codes kept. */
  info: Map<string, string>;
  players: Quake3Player[];
}

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `Quake 3 status: ${message}`);
}

/** The `getstatus` request; `challenge` must be plain (letters and digits). */
export function encodeGetStatus(challenge: string): Buffer {
  if (!/^[A-Za-z0-9]{0,32}$/u.test(challenge)) throw new RangeError('bad challenge');
  return Buffer.from(`${OOB_HEADER}getstatus ${challenge}\n`, 'latin1');
}

function parseInfoString(line: string): Map<string, string> {
  const info = new Map<string, string>();
  const parts = line.split('\\');
  // A leading backslash leaves an empty first part.
  if (parts[0] === '') parts.shift();
  if (parts.length / 2 > MAX_INFO_KEYS) throw malformed(`more than ${MAX_INFO_KEYS} info keys`);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i] ?? '';
    if (key !== '' && !info.has(key)) info.set(key, parts[i + 1] ?? '');
  }
  return info;
}

const QUOTE = 0x22;

/**
 * `<score> <ping> "<name>"`, anything after the closing quote ignored; read by offsets
 * rather than a regular expression, as a full server sends dozens of these lines.
 */
function parsePlayerLine(line: string): Quake3Player {
  const scoreEnd = line.indexOf(' ');
  const pingEnd = scoreEnd < 0 ? -1 : line.indexOf(' ', scoreEnd + 1);
  const score = scoreEnd < 0 ? undefined : decimalAt(line, 0, scoreEnd, true);
  const ping = pingEnd < 0 ? undefined : decimalAt(line, scoreEnd + 1, pingEnd, true);
  const quoted = pingEnd >= 0 && line.charCodeAt(pingEnd + 1) === QUOTE;
  const nameEnd = quoted ? line.indexOf('"', pingEnd + 2) : -1;
  if (score === undefined || ping === undefined || nameEnd < 0) {
    throw malformed('a player line is not `score ping "name"`');
  }
  return { score, ping, name: line.slice(pingEnd + 2, nameEnd) };
}

/** Reads a `statusResponse` datagram; anything else throws ProviderError('protocol'). */
export function decodeStatusResponse(datagram: Buffer): Quake3Status {
  if (datagram.length < OOB_HEADER.length || datagram.readInt32LE(0) !== -1) {
    throw malformed('no out-of-band header');
  }
  const lines = datagram.toString('latin1', OOB_HEADER.length).split('\n');
  const command = (lines[0] ?? '').trim();
  if (command !== STATUS_RESPONSE) {
    throw malformed(`'${command.slice(0, 32)}' instead of statusResponse`);
  }
  const infoLine = lines[1];
  if (infoLine === undefined) throw malformed('no info string');
  const players: Quake3Player[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line !== '' && line.trim() !== '') players.push(parsePlayerLine(line));
  }
  return { info: parseInfoString(infoLine), players };
}

/** Colour codes removed, then the shared clean-up; empty becomes null. */
export function quakeText(text: string | undefined): string | null {
  if (text === undefined) return null;
  const clean = cleanText(stripQuakeColours(text));
  return clean === '' ? null : clean;
}

/**
 * Whether a client is a bot: id Tech 3 reports bots with a ping of 0 (humans never
 * measure 0 over a network; 999 means still connecting).
 */
export function isBot(player: Quake3Player): boolean {
  return player.ping === 0;
}
