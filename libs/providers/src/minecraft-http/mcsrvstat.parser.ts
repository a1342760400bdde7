/*
 * The mcsrvstat.us status API, version 3, pure decoding. Specification:
 * https://api.mcsrvstat.us (the v3 response fields). The API pings the server itself
 * (Java SLP plus GameSpy query, or the Bedrock ping), follows SRV records, and caches each
 * answer for about a minute; it reports no latency.
 *
 * `{ online, ip, port, hostname?, version?, protocol?, software?, motd?: { raw, clean, html },
 *    players?: { online, max, list?: [{ name, uuid }] }, map?: { clean }, gamemode?,
 *    serverid?, debug: { cachehit, error?, ... } }`
 */
import { ProviderError } from '../provider.error.js';
import { cleanText, stripMinecraftCodes } from '../text.js';

/** What the API says about a server that is online. */
export interface McsrvstatOnline {
  online: true;
  playersOnline: number;
  playersMax: number;
  playerNames: string[];
  motd: string | null;
  version: string | null;
  map: string | null;
  gameMode: string | null;
}

/** The API could not reach the server; `reason` is its own explanation, if any. */
export interface McsrvstatOffline {
  online: false;
  reason: string | null;
}

function malformed(message: string): ProviderError {
  return new ProviderError('protocol', `status API: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plain(value: unknown): string | null {
  const joined = Array.isArray(value)
    ? value.filter((v) => typeof v === 'string').join('\n')
    : value;
  if (typeof joined !== 'string') return null;
  const text = cleanText(stripMinecraftCodes(joined));
  return text === '' ? null : text;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
    throw malformed(`${field} is not a count`);
  }
  return value;
}

function offlineReason(debug: unknown): string | null {
  if (!isRecord(debug) || !isRecord(debug.error)) return null;
  const reasons = Object.values(debug.error).filter((v): v is string => typeof v === 'string');
  return reasons.length > 0 ? cleanText(reasons.join('; ')) : null;
}

/** Reads a v3 answer. */
export function parseMcsrvstat(body: Buffer): McsrvstatOnline | McsrvstatOffline {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed('answer is not JSON');
  }
  if (!isRecord(doc) || typeof doc.online !== 'boolean') throw malformed('no online field');
  if (!doc.online) return { online: false, reason: offlineReason(doc.debug) };
  const players = isRecord(doc.players) ? doc.players : {};
  const list = Array.isArray(players.list) ? players.list : [];
  return {
    online: true,
    playersOnline: count(players.online ?? 0, 'players.online'),
    playersMax: count(players.max ?? 0, 'players.max'),
    playerNames: list
      .map((entry) => (isRecord(entry) ? plain(entry.name) : null))
      .filter((name): name is string => name !== null),
    motd: isRecord(doc.motd) ? plain(doc.motd.clean) : null,
    version: plain(doc.version),
    map: isRecord(doc.map) ? plain(doc.map.clean) : null,
    gameMode: plain(doc.gamemode),
  };
}
