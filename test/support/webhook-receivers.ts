/*
 * Loopback stand-ins for the services the notifier posts to: a Discord webhook, a Slack
 * incoming webhook and a consumer of the generic signed webhook. Each checks a body the way
 * the real service does (Discord's and Slack's documented limits, counted in code points as
 * they count characters; the signature for the generic one) and answers as it does, and can be
 * told to fail the way it fails: a deleted webhook, 429 with Retry-After, 5xx, or no answer.
 * Also sample deliveries, as Odoo's pending_deliveries returns them, for the specs.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ChannelKind,
  EventKind,
  EventServer,
  PendingDelivery,
} from '../../apps/poller/src/notify/notify-event.js';
import {
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySignature,
} from '../../apps/poller/src/notify/messages/webhook.js';

/** One request as it arrived, and what it was answered (null: never, the receiver hung). */
export interface ReceivedRequest {
  at: number;
  headers: http.IncomingHttpHeaders;
  raw: string;
  /** The parsed JSON, undefined when the body was not JSON. */
  body: unknown;
  status: number | null;
}

export type ReceiverMode =
  /** Checks the body and answers as the service does. */
  | { kind: 'ok' }
  /** 404: the webhook was deleted (Discord 10015, Slack no_service). */
  | { kind: 'gone' }
  | { kind: 'rate-limited'; retryAfterS: number }
  | { kind: 'server-error'; status?: number }
  /** Takes the request and never answers. */
  | { kind: 'hang' };

export interface WebhookReceiver {
  /** Where to post: `http://127.0.0.1:<port>/<path>`. */
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Answers the next `count` requests (all, by default) this way, then as 'ok' again. */
  setMode(mode: ReceiverMode, count?: number): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

type Respond = (request: ReceivedRequest, mode: ReceiverMode) => Answer | null;

async function startReceiver(path: string, respond: Respond): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let mode: ReceiverMode = { kind: 'ok' };
  let left = Infinity;
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const request: ReceivedRequest = { at, headers: req.headers, raw, body, status: null };
      received.push(request);
      const current = mode;
      if (--left <= 0) {
        mode = { kind: 'ok' };
        left = Infinity;
      }
      const answer =
        req.url !== path
          ? text(404, 'not found')
          : req.method !== 'POST'
            ? text(405, 'POST only')
            : size > MAX_BODY_BYTES
              ? text(413, 'request entity too large')
              : respond(request, current);
      if (!answer) return;
      request.status = answer.status;
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    setMode: (next, count = Infinity) => {
      mode = next;
      left = count;
    },
    close: async () => {
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

function text(status: number, body: string, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'text/plain', ...headers }, body };
}

/** How a service counts the characters of a text. */
export type CharCount = (text: string) => number;

/** Characters as Discord and Slack count them: code points. */
export const codePoints: CharCount = (text) => [...text].length;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------- Discord

/**
 * Discord's documented limits (Message > Embed Limits, Execute Webhook), written here and not
 * imported from the renderer: a wrong limit there must fail here.
 */
const DISCORD = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  total: 6000,
};

export interface FormError {
  path: (string | number)[];
  code: string;
  message: string;
}

/**
 * What Discord would refuse in an Execute Webhook body (empty: it would post it), with the
 * codes and messages of its 50035 errors. `count` counts characters (a spec may count UTF-16
 * units, stricter).
 */
export function discordProblems(body: unknown, count: CharCount = codePoints): FormError[] {
  const problems: FormError[] = [];
  const fail = (path: (string | number)[], code: string, message: string): void => {
    problems.push({ path, code, message });
  };
  /** Checks one text and returns its length towards the 6000 of all embeds. */
  const text = (path: (string | number)[], value: unknown, max: number, required = false) => {
    if (value === undefined || value === null) {
      if (required) fail(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return 0;
    }
    if (typeof value !== 'string') {
      fail(path, 'BASE_TYPE_STRING', 'Must be a string.');
      return 0;
    }
    if (required && !value.trim()) fail(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    if (count(value) > max)
      fail(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    return count(value);
  };
  if (!isRecord(body)) {
    fail([], 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
    return problems;
  }
  text(['content'], body.content, DISCORD.content);
  const embeds = body.embeds ?? [];
  if (!Array.isArray(embeds)) {
    fail(['embeds'], 'BASE_TYPE_ARRAY', 'Must be an array.');
    return problems;
  }
  if (embeds.length > DISCORD.embeds) {
    fail(['embeds'], 'BASE_TYPE_MAX_LENGTH', `Must be ${DISCORD.embeds} or fewer in length.`);
  }
  let total = 0;
  embeds.forEach((embed: unknown, i) => {
    const at = (...path: (string | number)[]) => ['embeds', i, ...path];
    if (!isRecord(embed)) return fail(at(), 'DICT_TYPE_CONVERT', 'Must be an object.');
    total += text(at('title'), embed.title, DISCORD.title);
    total += text(at('description'), embed.description, DISCORD.description);
    const { url, color, timestamp, footer, author } = embed;
    if (url !== undefined && !(typeof url === 'string' && /^https?:\/\/\S+$/u.test(url))) {
      fail(at('url'), 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    }
    if (
      color !== undefined &&
      !(Number.isInteger(color) && Number(color) >= 0 && Number(color) <= 0xffffff)
    ) {
      fail(at('color'), 'NUMBER_TYPE_MAX', 'int value should be <= 16777215 and >= 0.');
    }
    if (
      timestamp !== undefined &&
      !(typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp)))
    ) {
      fail(
        at('timestamp'),
        'DATE_TIME_TYPE_PARSE',
        'Could not parse timestamp. Should be ISO8601.',
      );
    }
    if (isRecord(footer)) total += text(at('footer', 'text'), footer.text, DISCORD.footer, true);
    if (isRecord(author))
      total += text(at('author', 'name'), author.name, DISCORD.authorName, true);
    const fields = embed.fields ?? [];
    if (!Array.isArray(fields)) return fail(at('fields'), 'BASE_TYPE_ARRAY', 'Must be an array.');
    if (fields.length > DISCORD.fields) {
      fail(at('fields'), 'BASE_TYPE_MAX_LENGTH', `Must be ${DISCORD.fields} or fewer in length.`);
    }
    fields.forEach((field: unknown, j) => {
      if (!isRecord(field)) return fail(at('fields', j), 'DICT_TYPE_CONVERT', 'Must be an object.');
      total += text(at('fields', j, 'name'), field.name, DISCORD.fieldName, true);
      total += text(at('fields', j, 'value'), field.value, DISCORD.fieldValue, true);
    });
  });
  if (total > DISCORD.total) {
    fail(
      ['embeds'],
      'MAX_EMBED_SIZE_EXCEEDED',
      `Embed size exceeds maximum size of ${DISCORD.total}`,
    );
  }
  const parse = isRecord(body.allowed_mentions) ? (body.allowed_mentions.parse ?? []) : [];
  if (
    !Array.isArray(parse) ||
    parse.some((p) => !['roles', 'users', 'everyone'].includes(String(p)))
  ) {
    fail(
      ['allowed_mentions', 'parse'],
      'ENUM_TYPE_COERCE',
      'Value must be one of {"roles", "users", "everyone"}.',
    );
  }
  const hasContent = typeof body.content === 'string' && body.content.trim() !== '';
  if (!problems.length && !hasContent && embeds.length === 0) {
    fail([], 'EMPTY_MESSAGE', 'Cannot send an empty message');
  }
  return problems;
}

/** Discord's 400 for a body it refuses: 50006 for an empty message, else 50035 with the errors. */
function discordRefusal(problems: FormError[]): Answer {
  if (problems.some((problem) => problem.code === 'EMPTY_MESSAGE')) {
    return json(400, { message: 'Cannot send an empty message', code: 50006 });
  }
  const errors: Record<string, unknown> = {};
  for (const { path, code, message } of problems) {
    let node = errors;
    for (const key of path) node = (node[String(key)] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as unknown[]).push({ code, message });
  }
  return json(400, { message: 'Invalid Form Body', code: 50035, errors });
}

/** A Discord webhook: 204 for a body Discord would post, its error bodies otherwise. */
export function startDiscordReceiver(): Promise<WebhookReceiver> {
  return startReceiver('/api/webhooks/1234567890/token', (request, mode) => {
    switch (mode.kind) {
      case 'gone':
        return json(404, { message: 'Unknown Webhook', code: 10015 });
      case 'rate-limited':
        return json(
          429,
          { message: 'You are being rate limited.', retry_after: mode.retryAfterS, global: false },
          { 'retry-after': String(Math.ceil(mode.retryAfterS)) },
        );
      case 'server-error':
        return json(mode.status ?? 500, { message: '500: Internal Server Error', code: 0 });
      case 'hang':
        return null;
      case 'ok':
        break;
    }
    if (request.body === undefined) {
      return json(400, { message: 'The request body contains invalid JSON.', code: 50109 });
    }
    const problems = discordProblems(request.body);
    return problems.length ? discordRefusal(problems) : { status: 204, body: '' };
  });
}

// ---------------------------------------------------------------- Slack

/**
 * Slack's Block Kit limits (blocks reference, composition objects), written here from Slack's
 * documentation and not imported from the renderer: a wrong limit there must fail here.
 */
const SLACK = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  text: 3000,
};

/** Slack's error code for a body it refuses, with what is wrong. */
export interface SlackProblem {
  code: 'invalid_payload' | 'no_text' | 'invalid_blocks';
  problem: string;
}

/**
 * What Slack would refuse in an incoming-webhook body (null: it would post it). `count`
 * counts characters (a spec may count UTF-16 units, stricter).
 */
export function slackProblem(body: unknown, count: CharCount = codePoints): SlackProblem | null {
  if (!isRecord(body)) return { code: 'invalid_payload', problem: 'not a JSON object' };
  if (body.text !== undefined && typeof body.text !== 'string') {
    return { code: 'invalid_payload', problem: 'text is not a string' };
  }
  const { blocks } = body;
  if (blocks === undefined) {
    return typeof body.text === 'string' && body.text.trim()
      ? null
      : { code: 'no_text', problem: 'no text' };
  }
  const invalid = (problem: string): SlackProblem => ({ code: 'invalid_blocks', problem });
  const textObject = (value: unknown, max: number, where: string, plainOnly = false) => {
    if (!isRecord(value) || typeof value.text !== 'string') return `${where}: not a text object`;
    const types = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (!types.includes(String(value.type))) return `${where}: type must be ${types.join(' or ')}`;
    if (!value.text) return `${where}: must be more than 0 characters`;
    return count(value.text) > max ? `${where}: must be at most ${max} characters` : null;
  };
  if (!Array.isArray(blocks)) return invalid('blocks is not an array');
  if (blocks.length > SLACK.blocks) return invalid(`more than ${SLACK.blocks} blocks`);
  for (const [i, block] of blocks.entries()) {
    const where = `blocks[${i}]`;
    if (!isRecord(block)) return invalid(`${where}: not an object`);
    let problem: string | null;
    switch (block.type) {
      case 'header':
        problem = textObject(block.text, SLACK.headerText, `${where}.text`, true);
        break;
      case 'section': {
        const { text, fields } = block;
        if (text === undefined && fields === undefined)
          problem = `${where}: text or fields required`;
        else if (
          fields !== undefined &&
          (!Array.isArray(fields) || !fields.length || fields.length > SLACK.sectionFields)
        ) {
          problem = `${where}.fields: 1 to ${SLACK.sectionFields} items`;
        } else {
          problem =
            (text === undefined ? null : textObject(text, SLACK.sectionText, `${where}.text`)) ??
            ((fields as unknown[] | undefined) ?? [])
              .map((field, j) => textObject(field, SLACK.fieldText, `${where}.fields[${j}]`))
              .find((found) => found !== null) ??
            null;
        }
        break;
      }
      case 'context': {
        const { elements } = block;
        problem =
          !Array.isArray(elements) || !elements.length || elements.length > SLACK.contextElements
            ? `${where}.elements: 1 to ${SLACK.contextElements} items`
            : (elements
                .map((element, j) => textObject(element, SLACK.text, `${where}.elements[${j}]`))
                .find((found) => found !== null) ?? null);
        break;
      }
      case 'divider':
        problem = null;
        break;
      default:
        problem = `${where}: unknown block type ${JSON.stringify(block.type)}`;
    }
    if (problem) return invalid(problem);
  }
  return null;
}

/** A Slack incoming webhook: 200 `ok`, or Slack's plain-text error codes. */
export function startSlackReceiver(): Promise<WebhookReceiver> {
  return startReceiver('/services/T000/B000/XXXX', (request, mode) => {
    switch (mode.kind) {
      case 'gone':
        return text(404, 'no_service');
      case 'rate-limited':
        return text(429, 'rate_limited', { 'retry-after': String(Math.ceil(mode.retryAfterS)) });
      case 'server-error':
        return text(mode.status ?? 500, 'internal_error');
      case 'hang':
        return null;
      case 'ok':
        break;
    }
    const refused = slackProblem(request.body);
    return refused ? text(400, refused.code) : text(200, 'ok');
  });
}

// ---------------------------------------------------------------- generic webhook

/**
 * A consumer of the generic webhook: 401 with the reason for a bad signature or a replay,
 * 200 otherwise. `nowS` is its clock, so a spec can play an old request.
 */
export function startWebhookConsumer(
  secret: string,
  nowS: () => number = () => Math.floor(Date.now() / 1000),
): Promise<WebhookReceiver> {
  return startReceiver('/hooks/game-server-status', (request, mode) => {
    switch (mode.kind) {
      case 'gone':
        return text(404, 'not found');
      case 'rate-limited':
        return text(429, 'slow down', { 'retry-after': String(Math.ceil(mode.retryAfterS)) });
      case 'server-error':
        return text(mode.status ?? 500, 'internal error');
      case 'hang':
        return null;
      case 'ok':
        break;
    }
    const header = (name: string) => {
      const value = request.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    };
    const reason = verifySignature(
      secret,
      header(TIMESTAMP_HEADER),
      request.raw,
      header(SIGNATURE_HEADER),
      nowS(),
    );
    if (reason) return text(401, reason);
    if (!header(DELIVERY_HEADER)) return text(400, `missing ${DELIVERY_HEADER}`);
    return json(200, { ok: true });
  });
}

// ---------------------------------------------------------------- sample deliveries

const ODOO = 'https://odoo.example.com';

export function sampleServer(id: number, name: string, host = 'mc.example.net'): EventServer {
  return {
    id,
    name,
    game: 'minecraft',
    game_name: 'Minecraft: Java Edition',
    host,
    port: 25565 + (id % 100),
    players_online: 3,
    players_max: 20,
    map: 'world',
    version: '1.21.4',
    error_code: 'timeout',
    error: 'no answer within 3000 ms',
    url: `${ODOO}/web#id=${id}&model=game.server&view_type=form`,
  };
}

export interface SampleOptions {
  kind?: ChannelKind;
  lang?: string;
  secret?: string;
  /** The receiver's URL. */
  url?: string;
  /** Servers of an incident (12 by default) and the length of their names. */
  servers?: number;
  nameLength?: number;
}

/** One delivery of one event as Odoo's pending_deliveries returns it. */
export function sampleDelivery(eventKind: EventKind, options: SampleOptions = {}): PendingDelivery {
  const alpha = sampleServer(7, 'Alpha');
  const count = options.servers ?? 12;
  const names = Array.from({ length: count }, (_, i) => {
    const name = `node3-${String(i + 1).padStart(3, '0')}`;
    return options.nameLength ? name.padEnd(options.nameLength, 'x') : name;
  });
  const incident = {
    id: 5,
    host: 'node3.example.net',
    start: '2025-03-01 14:05:00',
    end: null,
    duration_s: null,
    reason: 'refused: connection refused',
    server_count: count,
    servers: names.map((name, i) => sampleServer(100 + i, name, 'node3.example.net')),
    still_down: [],
    still_down_count: 0,
    url: `${ODOO}/web#id=5&model=game.server.incident&view_type=form`,
  };
  const condition = {
    key: '',
    players_online: 25,
    players_max: 32,
    latency_ms: 40,
    version: '1.21.4',
  };
  const events = {
    outage_opened: {
      at: '2025-03-01 14:05:12',
      summary: 'Alpha is down (timeout: no answer within 3000 ms)',
      payload: {
        server: alpha,
        outage: {
          id: 11,
          start: '2025-03-01 14:05:12',
          end: null,
          duration_s: null,
          reason: 'timeout: no answer within 3000 ms',
          failures: 3,
        },
      },
    },
    outage_closed: {
      at: '2025-03-01 15:10:40',
      summary: 'Alpha is back after 1 h 05 min',
      payload: {
        server: { ...alpha, error_code: null, error: null },
        outage: {
          id: 11,
          start: '2025-03-01 14:05:12',
          end: '2025-03-01 15:10:40',
          duration_s: 3928,
          reason: 'timeout: no answer within 3000 ms',
          failures: null,
        },
      },
    },
    incident_opened: {
      at: incident.start,
      summary: `${count} servers on node3.example.net down`,
      payload: { incident },
    },
    incident_closed: {
      at: '2025-03-03 17:05:00',
      summary: 'node3.example.net is back after 2 d 3 h',
      payload: {
        incident: {
          ...incident,
          end: '2025-03-03 17:05:00',
          duration_s: 183_600,
          still_down: names.slice(0, Math.min(100, Math.max(0, count - 10))),
          still_down_count: Math.max(0, count - 10),
        },
      },
    },
    players_high: {
      at: '2025-03-01 20:00:00',
      summary: 'Alpha has 25 players (at or above 20)',
      payload: {
        server: alpha,
        condition: { ...condition, key: 'players_high:20', threshold: 20 },
      },
    },
    server_full: {
      at: '2025-03-01 20:30:00',
      summary: 'Alpha is full (32/32)',
      payload: {
        server: alpha,
        condition: { ...condition, key: 'server_full', players_online: 32 },
      },
    },
    players_low: {
      at: '2025-03-02 04:30:00',
      summary: 'Alpha has had at most 0 players for 30 minutes',
      payload: {
        server: alpha,
        condition: {
          ...condition,
          key: 'players_low:0:30',
          players_online: 0,
          threshold: 0,
          minutes: 30,
          since: '2025-03-02 04:00:00',
        },
      },
    },
    version_changed: {
      at: '2025-03-02 10:00:00',
      summary: 'Alpha changed version: 1.21.3 → 1.21.4',
      payload: {
        server: alpha,
        condition: { ...condition, key: 'version_changed', previous_version: '1.21.3' },
      },
    },
    latency_high: {
      at: '2025-03-02 11:03:00',
      summary: 'Alpha answers slowly: 420 ms, above 250 ms for 3 polls',
      payload: {
        server: alpha,
        condition: {
          ...condition,
          key: 'latency_high:250:3',
          latency_ms: 420,
          threshold_ms: 250,
          polls: 3,
          since: '2025-03-02 11:01:00',
        },
      },
    },
    sla_at_risk: {
      at: '2025-03-20 08:15:00',
      summary:
        'SLA at risk: Alpha, 2025-03: 99.812 % uptime for a 99.9 % target, 12 min of downtime left',
      payload: {
        server: alpha,
        sla: {
          month: '2025-03',
          policy: 'Premium',
          target_pct: 99.9,
          uptime_pct: 99.8123,
          downtime_minutes: 32.3,
          allowed_downtime_minutes: 44.6,
          margin_minutes: 12.3,
          outages: 2,
        },
      },
    },
    sla_breached: {
      at: '2025-03-24 10:00:00',
      summary: 'SLA breached: Alpha, 2025-03: 99.5 % uptime for a 99.9 % target',
      payload: {
        server: alpha,
        sla: {
          month: '2025-03',
          policy: 'Premium',
          target_pct: 99.9,
          uptime_pct: 99.5,
          downtime_minutes: 50.1,
          allowed_downtime_minutes: 44.6,
          margin_minutes: -5.5,
          outages: 3,
        },
      },
    },
    test: {
      at: '2025-03-01 09:00:00',
      summary: 'Test message from Game Server Status',
      payload: { channel: 'Ops alerts' },
    },
  } satisfies Record<EventKind, unknown>;
  return {
    id: 42,
    attempts: 0,
    channel: {
      id: 3,
      name: 'Ops alerts',
      kind: options.kind ?? 'discord',
      url: options.url ?? 'http://127.0.0.1:9/unused',
      secret: options.secret ?? 'a'.repeat(64),
      lang: options.lang ?? 'en_US',
    },
    event: { id: 900, kind: eventKind, ...events[eventKind] },
  };
}
