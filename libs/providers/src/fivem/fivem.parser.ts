/*
 * FiveM / RedM (CitizenFX FXServer) status over HTTP, pure decoding of the three JSON
 * documents every server serves on its game port. Specification: the FXServer HTTP
 * endpoints (https://docs.fivem.net/docs/server-manual/server-commands/ and the
 * citizenfx/fivem source, components/citizen-server-impl, InfoHttpHandler):
 * - `/dynamic.json`: `{ clients, sv_maxclients, hostname, gametype, mapname, iv }`;
 * - `/info.json`: `{ server, version, vars: { sv_projectName, tags, ... }, resources }`;
 * - `/players.json`: `[{ name, id, ping, identifiers }]`, empty unless the server exposes it.
 */
import { ProviderError } from '../provider.error.js';
import { quakeText } from '../quake3/quake3.parser.js';

export interface FiveMDynamic {
  /** The server's own player count (players.json may be partial or empty). */
  clients: number;
  maxClients: number;
  hostname: string | null;
  gameType: string | null;
  mapName: string | null;
}

export interface FiveMInfo {
  /** Server build, e.g. `FXServer-master SERVER v1.0.0.7290 linux`. */
  server: string | null;
  projectName: string | null;
}

function malformed(document: string, message: string): ProviderError {
  return new ProviderError('protocol', `FiveM ${document}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(body: Buffer, document: string): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw malformed(document, 'not JSON');
  }
}

/** A count given as a number or a numeric string (sv_maxclients is a string). */
function count(value: unknown, document: string, field: string): number {
  const n = typeof value === 'string' && /^\s*\d{1,9}\s*$/u.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1_000_000) {
    throw malformed(document, `${field} is not a count`);
  }
  return n;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? quakeText(value) : null;
}

/** Reads `/dynamic.json`; the counts are required. */
export function parseDynamic(body: Buffer): FiveMDynamic {
  const doc = json(body, '/dynamic.json');
  if (!isRecord(doc)) throw malformed('/dynamic.json', 'not an object');
  return {
    clients: count(doc.clients, '/dynamic.json', 'clients'),
    maxClients: count(doc.sv_maxclients, '/dynamic.json', 'sv_maxclients'),
    hostname: text(doc.hostname),
    gameType: text(doc.gametype),
    mapName: text(doc.mapname),
  };
}

/** Reads `/info.json`; every field is optional. */
export function parseInfo(body: Buffer): FiveMInfo {
  const doc = json(body, '/info.json');
  if (!isRecord(doc)) throw malformed('/info.json', 'not an object');
  const vars = isRecord(doc.vars) ? doc.vars : {};
  return { server: text(doc.server), projectName: text(vars.sv_projectName) };
}

/** Reads `/players.json` into player names. */
export function parsePlayerNames(body: Buffer): string[] {
  const doc = json(body, '/players.json');
  if (!Array.isArray(doc)) throw malformed('/players.json', 'not an array');
  return doc
    .map((entry) => (isRecord(entry) ? text(entry.name) : null))
    .filter((name): name is string => name !== null);
}
