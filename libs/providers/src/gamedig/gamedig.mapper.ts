/*
 * GameDig's result and errors in our terms, pure. Result schema:
 * https://github.com/gamedig/node-gamedig#query-response (name, map, password, numplayers,
 * maxplayers, players[], bots[], ping, version, raw). A failed GameDig query throws
 * "Failed all N attempts" with each attempt's error appended to the stack text; the kind
 * of failure can only be read from that text.
 */
import type { ServerStatus } from '#common';
import { chatToPlainText } from '../minecraft/minecraft.parser.js';
import { ProviderError } from '../provider.error.js';
import { textOrNull } from '../text.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,9}$/u.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((player) =>
      isRecord(player) && typeof player.name === 'string' ? textOrNull(player.name) : null,
    )
    .filter((name): name is string => name !== null);
}

/** GameDig passes some games' flags through as the server sent them (`'0'`, `'1'`, 1). */
function flag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(word)) return true;
  return ['0', 'false', 'no', ''].includes(word) ? false : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' ? textOrNull(String(value)) : null;
}

/**
 * No game server holds more players than this: GameDig reads whatever bytes come back, and a
 * larger count is noise read as a number (random bytes sent to a `mumble` query came back as
 * 464,527,846 players).
 */
export const MAX_PLAUSIBLE_PLAYERS = 1_000_000;

/**
 * Counts no server sends: above {@link MAX_PLAUSIBLE_PLAYERS}, or more players than twice the
 * slots and 64 more (servers do let a few in over their limit, staff and reserved slots).
 */
function implausibleCounts(online: number, max: number): string | null {
  if (online > MAX_PLAUSIBLE_PLAYERS || max > MAX_PLAUSIBLE_PLAYERS) {
    return `GameDig: implausible player counts ${online}/${max}, the reply is not this game's`;
  }
  if (max > 0 && online > 2 * max + 64) {
    return `GameDig: ${online} players on ${max} slots is not a reply of this game`;
  }
  return null;
}

/**
 * Maps a GameDig result. The count is `numplayers` (GameDig's own count, bots included
 * where the game counts them), never the length of `players`, which may be partial. A result
 * no server sends is a `protocol` error, not a status: implausible counts, one that says
 * nothing at all (no name, map, version, slots or player), which is what random bytes sent to
 * an `armagetronadvanced` query read as, where every real server names itself, or one whose
 * name is noise and nothing else reads as a real server's (see {@link readsAsNoise}).
 * @param elapsedMs our measure of the query, used when GameDig reports no ping.
 * @param minecraftVanilla the result comes from GameDig's vanilla Minecraft protocol, which
 *   leaves the MOTD and version in `raw`.
 */
export function gameDigToStatus(
  result: unknown,
  elapsedMs: number,
  { minecraftVanilla = false }: { minecraftVanilla?: boolean } = {},
): ServerStatus {
  if (!isRecord(result)) throw new ProviderError('protocol', 'GameDig returned no result');
  const players = Array.isArray(result.players) ? result.players : [];
  const bots = Array.isArray(result.bots) ? result.bots : [];
  const ping = count(result.ping);
  const raw = isRecord(result.raw) ? result.raw : {};
  const playersOnline = count(result.numplayers) ?? players.length + bots.length;
  const playersMax = count(result.maxplayers) ?? 0;
  const implausible = implausibleCounts(playersOnline, playersMax);
  if (implausible) throw new ProviderError('protocol', implausible);
  const mapped: ServerStatus = {
    latencyMs: ping !== undefined && ping > 0 ? ping : Math.round(elapsedMs),
    playersOnline,
    playersMax,
    bots: bots.length,
    playerNames: names(players),
    name: text(result.name),
    map: text(result.map),
    version: text(result.version),
    gameMode: text(raw.gametype ?? raw.gamemode ?? raw.gameMode),
    passwordProtected: flag(result.password),
  };
  const status = minecraftVanilla ? withMinecraftVanillaRaw(mapped, result) : mapped;
  if (saysNothing(status)) {
    throw new ProviderError(
      'protocol',
      'GameDig: the reply names no server, map, version, slot or player: not a reply of this game',
    );
  }
  if (readsAsNoise(status)) {
    throw new ProviderError(
      'protocol',
      'GameDig: the server name is not text, nor anything else in the reply: not a reply of this game',
    );
  }
  return status;
}

/**
 * Random bytes sent back to the `rfactor`, `s2ats` and `asr08` queries read as counts within
 * bounds, with a name of undecodable bytes (see {@link isNoise}) and a map of the same, or none.
 * The name alone is not enough: a real server's name in a legacy code page (Cyrillic in
 * CP1251, say) decodes the same way. So the reply is noise when the map is noise too, or, with
 * no map, when the counts are not a server's either (no slots, or more players than slots).
 */
function readsAsNoise(status: ServerStatus): boolean {
  if (!isNoise(status.name)) return false;
  if (status.map !== null) return isNoise(status.map);
  return status.playersMax === 0 || status.playersOnline > status.playersMax;
}

/**
 * Whether a text GameDig decoded is a quarter or more (at least three) U+FFFD, the character
 * it puts for bytes its encoding did not have.
 */
function isNoise(text: string | null): boolean {
  if (text === null) return false;
  const undecodable = text.length - text.replaceAll('\uFFFD', '').length;
  return undecodable >= 3 && undecodable * 4 >= text.length;
}

function saysNothing(status: ServerStatus): boolean {
  return (
    status.playersOnline === 0 &&
    status.playersMax === 0 &&
    status.playerNames.length === 0 &&
    status.name === null &&
    status.map === null &&
    status.version === null &&
    status.gameMode === null
  );
}

/**
 * GameDig's `protocol-minecraftvanilla` leaves the MOTD and version in `raw` (its `minecraft`
 * meta type, which we never run, copies them out); this copies them out the same way.
 */
function withMinecraftVanillaRaw(status: ServerStatus, result: unknown): ServerStatus {
  const raw = isRecord(result) && isRecord(result.raw) ? result.raw : {};
  const description = raw.description === undefined ? '' : chatToPlainText(raw.description);
  const version = isRecord(raw.version) ? text(raw.version.name) : null;
  return {
    ...status,
    name: status.name ?? (description === '' ? null : description),
    version: status.version ?? version,
  };
}

const ERROR_PATTERNS: readonly [RegExp, ProviderError['code']][] = [
  [/Timed out after|ETIMEDOUT/u, 'timeout'],
  [/ECONNREFUSED|Connection Refused/iu, 'refused'],
  [/ENOTFOUND|EAI_AGAIN|EAI_NONAME/u, 'dns'],
  [/EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|EINVAL/u, 'unreachable'],
  [/Invalid game|Protocol definition file missing/u, 'unsupported'],
];

/** The first attempt's own error line, e.g. `UDP - Timed out after 2000ms`. */
function firstAttemptLine(stack: string): string | undefined {
  const lines = stack.split('\n');
  const at = lines.findIndex((line) => line.startsWith('Attempt #'));
  const line = at >= 0 ? lines[at + 1] : undefined;
  return line?.replace(/^\w*Error: /u, '').trim();
}

/** Maps a GameDig failure to a ProviderError with the most precise code its text allows. */
export function gameDigError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const detail = firstAttemptLine(stack) ?? (err instanceof Error ? err.message : String(err));
  const code = ERROR_PATTERNS.find(([pattern]) => pattern.test(stack))?.[1] ?? 'protocol';
  return new ProviderError(code, `GameDig: ${detail}`, { cause: err });
}
