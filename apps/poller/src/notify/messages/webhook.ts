/*
 * The generic webhook: a stable JSON body (schema 'game-server-status/event', version 1, every
 * key documented in docs/webhook.md), signed like Stripe's and Slack's requests are: an
 * HMAC-SHA256, keyed with the channel's secret, over `<unix seconds>.<raw body>`. Signing the
 * time with the body lets a receiver refuse a captured request replayed later.
 *
 * Keys are picked one by one, never spread from Odoo's payload, so a field Odoo adds later
 * does not change the schema; times become ISO 8601 UTC with a Z.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  EventCondition,
  EventIncident,
  EventKind,
  EventOutage,
  EventServer,
  EventSla,
  PendingDelivery,
} from '../notify-event.js';
import { isoTime } from './texts.js';

export const WEBHOOK_SCHEMA = 'game-server-status/event';
export const WEBHOOK_VERSION = 1;
export const TIMESTAMP_HEADER = 'X-GSS-Timestamp';
export const SIGNATURE_HEADER = 'X-GSS-Signature';
export const DELIVERY_HEADER = 'X-GSS-Delivery';
/** How far a signed time may be from the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_S = 300;

export type WebhookServer = EventServer;

export interface WebhookOutage extends Omit<EventOutage, 'start' | 'end'> {
  start: string | null;
  end: string | null;
}

export interface WebhookIncident extends Omit<EventIncident, 'start' | 'end' | 'servers'> {
  start: string | null;
  end: string | null;
  servers: WebhookServer[];
}

/** Every key present on every kind, null where the kind has none: one shape for receivers. */
export interface WebhookCondition {
  key: string;
  players_online: number;
  players_max: number;
  latency_ms: number;
  version: string | null;
  threshold: number | null;
  minutes: number | null;
  since: string | null;
  previous_version: string | null;
  threshold_ms: number | null;
  polls: number | null;
}

export type WebhookSla = EventSla;

export interface WebhookBody {
  schema: typeof WEBHOOK_SCHEMA;
  version: typeof WEBHOOK_VERSION;
  delivery_id: number;
  event: {
    id: number;
    kind: EventKind;
    at: string;
    summary: string;
    server?: WebhookServer;
    outage?: WebhookOutage;
    incident?: WebhookIncident;
    condition?: WebhookCondition;
    sla?: WebhookSla;
  };
}

/** The body of one delivery; `nowMs` stands in for an event time Odoo gave unreadable. */
export function webhookBody(delivery: PendingDelivery, nowMs: number): WebhookBody {
  const { event } = delivery;
  const { server, outage, incident, condition, sla } = event.payload;
  return {
    schema: WEBHOOK_SCHEMA,
    version: WEBHOOK_VERSION,
    delivery_id: delivery.id,
    event: {
      id: event.id,
      kind: event.kind,
      at: isoTime(event.at) ?? new Date(nowMs).toISOString().replace(/\.\d{3}Z$/u, 'Z'),
      summary: event.summary,
      ...(server ? { server: webhookServer(server) } : {}),
      ...(outage ? { outage: webhookOutage(outage) } : {}),
      ...(incident ? { incident: webhookIncident(incident) } : {}),
      ...(condition ? { condition: webhookCondition(condition) } : {}),
      ...(sla ? { sla: webhookSla(sla) } : {}),
    },
  };
}

function webhookServer(server: EventServer): WebhookServer {
  return {
    id: server.id,
    name: server.name,
    game: server.game,
    game_name: server.game_name,
    host: server.host,
    port: server.port,
    players_online: server.players_online,
    players_max: server.players_max,
    map: server.map,
    version: server.version,
    error_code: server.error_code,
    error: server.error,
    url: server.url,
  };
}

function webhookOutage(outage: EventOutage): WebhookOutage {
  return {
    id: outage.id,
    start: isoTime(outage.start),
    end: isoTime(outage.end),
    duration_s: outage.duration_s,
    reason: outage.reason,
    failures: outage.failures,
  };
}

function webhookCondition(condition: EventCondition): WebhookCondition {
  return {
    key: condition.key,
    players_online: condition.players_online,
    players_max: condition.players_max,
    latency_ms: condition.latency_ms,
    version: condition.version,
    threshold: condition.threshold ?? null,
    minutes: condition.minutes ?? null,
    since: isoTime(condition.since ?? null),
    previous_version: condition.previous_version ?? null,
    threshold_ms: condition.threshold_ms ?? null,
    polls: condition.polls ?? null,
  };
}

function webhookSla(sla: EventSla): WebhookSla {
  return {
    month: sla.month,
    policy: sla.policy,
    target_pct: sla.target_pct,
    uptime_pct: sla.uptime_pct,
    downtime_minutes: sla.downtime_minutes,
    allowed_downtime_minutes: sla.allowed_downtime_minutes,
    margin_minutes: sla.margin_minutes,
    outages: sla.outages,
  };
}

function webhookIncident(incident: EventIncident): WebhookIncident {
  return {
    id: incident.id,
    host: incident.host,
    start: isoTime(incident.start),
    end: isoTime(incident.end),
    duration_s: incident.duration_s,
    reason: incident.reason,
    server_count: incident.server_count,
    servers: incident.servers.map(webhookServer),
    still_down: [...incident.still_down],
    still_down_count: incident.still_down_count,
    url: incident.url,
  };
}

/** `sha256=<hex>`: the HMAC-SHA256 of `<timestampS>.<rawBody>` keyed with the secret. */
export function signWebhook(
  secret: string,
  timestampS: number | string,
  rawBody: string | Buffer,
): string {
  return `sha256=${hmac(secret, String(timestampS), rawBody).toString('hex')}`;
}

function hmac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The body to POST and its headers, signed at `nowMs`. */
export function webhookRequest(
  delivery: PendingDelivery,
  nowMs: number,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(webhookBody(delivery, nowMs));
  const timestampS = Math.floor(nowMs / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: String(timestampS),
      [SIGNATURE_HEADER]: signWebhook(delivery.channel.secret, timestampS, body),
      [DELIVERY_HEADER]: String(delivery.id),
    },
  };
}

/**
 * Checks a received request: why it must be refused, or null when it is genuine and fresh.
 * The signature is compared in constant time; a timestamp further than `toleranceS` from
 * `nowS`, before or after, is refused, so a request captured and sent again later fails.
 */
export function verifySignature(
  secret: string,
  timestampHeader: string | undefined,
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  nowS: number,
  toleranceS = DEFAULT_TOLERANCE_S,
): string | null {
  if (!timestampHeader || !/^\d{1,15}$/u.test(timestampHeader)) {
    return `missing or malformed ${TIMESTAMP_HEADER}`;
  }
  const match = /^sha256=([0-9a-f]{64})$/iu.exec(signatureHeader ?? '');
  if (!match?.[1]) return `missing or malformed ${SIGNATURE_HEADER}`;
  // Signed over the header's text as it came, which is what the sender signed.
  const expected = hmac(secret, timestampHeader, rawBody);
  if (!timingSafeEqual(expected, Buffer.from(match[1], 'hex'))) return 'signature mismatch';
  const timestampS = Number(timestampHeader);
  if (Math.abs(nowS - timestampS) > toleranceS) {
    return `timestamp ${timestampS} is more than ${toleranceS} s from now (${nowS}): a replay?`;
  }
  return null;
}
