/**
 * What the addon's game.server.notify.delivery.pending_deliveries returns: one delivery of one
 * event to one channel, with what sending it needs. Field names are Odoo's (snake_case).
 */

export type ChannelKind = 'discord' | 'slack' | 'teams' | 'webhook';

export const EVENT_KINDS = [
  'outage_opened',
  'outage_closed',
  'incident_opened',
  'incident_closed',
  'players_high',
  'server_full',
  'players_low',
  'version_changed',
  'latency_high',
  'sla_at_risk',
  'sla_breached',
  'test',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A server as the event shows it (game.server._event_payload). */
export interface EventServer {
  id: number;
  name: string;
  /** Game id for the poller, e.g. 'minecraft'. */
  game: string;
  game_name: string;
  host: string;
  port: number;
  players_online: number;
  players_max: number;
  map: string | null;
  version: string | null;
  error_code: string | null;
  error: string | null;
  /** The server's page in Odoo. */
  url: string;
}

export interface EventOutage {
  id: number;
  /** 'YYYY-MM-DD HH:MM:SS', UTC, like every time here. */
  start: string;
  end: string | null;
  duration_s: number | null;
  reason: string | null;
  /** Failed polls in a row when it opened; null on a closing event. */
  failures: number | null;
}

export interface EventIncident {
  id: number;
  host: string;
  start: string;
  end: string | null;
  duration_s: number | null;
  reason: string | null;
  server_count: number;
  /** At most 100, by name; server_count says how many there are. */
  servers: EventServer[];
  /** Names of the servers still down when it closed (at most 100). */
  still_down: string[];
  still_down_count: number;
  url: string;
}

/**
 * A watched condition that started to hold (game_server_watch.py), with the poll that told it.
 * The keys after `version` are there for the kinds that have them.
 */
export interface EventCondition {
  /** The condition, e.g. 'players_high:20', 'players_low:0:30', 'latency_high:250:3'. */
  key: string;
  players_online: number;
  players_max: number;
  latency_ms: number;
  version: string | null;
  /** players_high, players_low: the players level. */
  threshold?: number;
  /** players_low: how long it held before it was told. */
  minutes?: number;
  /** players_low, latency_high: the first poll of the run. */
  since?: string;
  /** version_changed: the version before. */
  previous_version?: string;
  /** latency_high: the level, and the polls in a row above it. */
  threshold_ms?: number;
  polls?: number;
}

/** A server's SLA month that became at risk or breached (game_server_sla.py). */
export interface EventSla {
  /** The month, 'YYYY-MM', in the company's timezone. */
  month: string;
  /** The policy's name. */
  policy: string;
  target_pct: number;
  uptime_pct: number;
  /** Downtime so far this month, and what the month may lose and still meet its target. */
  downtime_minutes: number;
  allowed_downtime_minutes: number;
  /** allowed - downtime: negative once breached. */
  margin_minutes: number;
  outages: number;
}

export interface EventPayload {
  server?: EventServer;
  outage?: EventOutage;
  incident?: EventIncident;
  condition?: EventCondition;
  sla?: EventSla;
  /** A test message: the channel's name. */
  channel?: string;
}

export interface NotifyEvent {
  id: number;
  kind: EventKind;
  at: string;
  /** One line in the Odoo user's language, e.g. 'Alpha is down (timeout: no answer)'. */
  summary: string;
  payload: EventPayload;
}

export interface NotifyChannel {
  id: number;
  name: string;
  kind: ChannelKind;
  url: string;
  /** Key of the generic webhook's signature; never logged, never in job data. */
  secret: string;
  /** Odoo language code, e.g. 'en_US', 'fr_FR'. */
  lang: string;
}

export interface PendingDelivery {
  id: number;
  attempts: number;
  channel: NotifyChannel;
  event: NotifyEvent;
}
