/** Why a query failed; the same codes for every protocol. */
export const ERROR_CODES = [
  'timeout',
  'refused',
  'unreachable',
  'dns',
  'protocol',
  'denied',
  'unsupported',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** What one successful query learned about a game server. Same shape for every game. */
export interface ServerStatus {
  /** Round-trip time of the query in milliseconds. */
  latencyMs: number;
  /** The server's own player count (not the length of a possibly partial list). */
  playersOnline: number;
  playersMax: number;
  bots: number;
  /** Names the server chose to share; may be partial. */
  playerNames: string[];
  /** Server name or MOTD as plain text. */
  name: string | null;
  map: string | null;
  version: string | null;
  gameMode: string | null;
  passwordProtected: boolean | null;
}

/** One poll's outcome, as the writer receives it. */
export interface StatusReport {
  serverId: number;
  /** When the query finished, ISO-8601 UTC. */
  checkedAt: string;
  online: boolean;
  latencyMs: number | null;
  playersOnline: number | null;
  playersMax: number | null;
  bots: number | null;
  playerNames: string[];
  name: string | null;
  map: string | null;
  version: string | null;
  gameMode: string | null;
  passwordProtected: boolean | null;
  error: { code: ErrorCode; message: string } | null;
}

/** At most this many player names travel in a report: enough for a glance, never a flood. */
export const MAX_PLAYER_NAMES = 50;

export function onlineReport(
  serverId: number,
  checkedAt: Date,
  status: ServerStatus,
): StatusReport {
  return {
    serverId,
    checkedAt: checkedAt.toISOString(),
    online: true,
    latencyMs: status.latencyMs,
    playersOnline: status.playersOnline,
    playersMax: status.playersMax,
    bots: status.bots,
    playerNames: status.playerNames.slice(0, MAX_PLAYER_NAMES),
    name: status.name,
    map: status.map,
    version: status.version,
    gameMode: status.gameMode,
    passwordProtected: status.passwordProtected,
    error: null,
  };
}

export function offlineReport(
  serverId: number,
  checkedAt: Date,
  error: { code: ErrorCode; message: string },
): StatusReport {
  return {
    serverId,
    checkedAt: checkedAt.toISOString(),
    online: false,
    latencyMs: null,
    playersOnline: null,
    playersMax: null,
    bots: null,
    playerNames: [],
    name: null,
    map: null,
    version: null,
    gameMode: null,
    passwordProtected: null,
    error,
  };
}
