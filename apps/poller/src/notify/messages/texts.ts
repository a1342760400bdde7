/*
 * Every word a notification shows, per language, and the one channel-neutral shape (a Notice)
 * that the Discord, Slack and Teams renderers lay out, each within its own limits.
 *
 * A channel's Odoo language code picks the table: 'fr_FR', 'fr_BE', ... → French, anything
 * else → English. Another language is one more table in TABLES. Event summaries written by
 * Odoo are in the language of the Odoo user who caused them, not the channel's, so the chat
 * messages build their own sentences from the payload; only the generic webhook carries the
 * summary as it is.
 */
import type {
  EventCondition,
  EventIncident,
  EventOutage,
  EventServer,
  EventSla,
  NotifyEvent,
} from '../notify-event.js';

export interface Texts {
  serverDown: string;
  backOnline: string;
  hostDown: (count: number, host: string) => string;
  hostBack: (host: string) => string;
  playersHigh: (threshold: number) => string;
  serverFull: string;
  /** At most `threshold` players (0: empty) for `minutes`. */
  playersLow: (threshold: number, minutes: number) => string;
  versionChanged: string;
  latencyHigh: string;
  /** '420 ms, above 250 ms for 3 checks'. */
  latencyRun: (ms: number, threshold: number, polls: number) => string;
  slaAtRisk: string;
  slaBreached: string;
  /** '99.812 % for a 99.5 % target'. */
  slaUptime: (uptime: string, target: string) => string;
  /** '12 min left of 223'. */
  slaMargin: (left: number, allowed: number) => string;
  testTitle: string;
  testBody: (channel: string) => string;
  /** A title followed by what it is about: 'Server down: Alpha'. */
  titled: (title: string, subject: string) => string;
  allBack: (count: number) => string;
  more: (count: number) => string;
  /** The unit of days in a duration ('2 d 3 h'); hours, minutes and seconds are the same. */
  dayUnit: string;
  decimalSeparator: string;
  openInOdoo: string;
  footer: string;
  labels: {
    game: string;
    address: string;
    players: string;
    map: string;
    version: string;
    error: string;
    latency: string;
    since: string;
    downSince: string;
    backAt: string;
    duration: string;
    failures: string;
    host: string;
    reason: string;
    servers: string;
    stillDown: string;
    month: string;
    uptime: string;
    margin: string;
    outages: string;
  };
}

const en: Texts = {
  serverDown: 'Server down',
  backOnline: 'Back online',
  hostDown: (count, host) => `${count} servers on ${host} down`,
  hostBack: (host) => `${host} is back`,
  playersHigh: (threshold) => `${threshold} players or more`,
  serverFull: 'Server full',
  playersLow: (threshold, minutes) =>
    threshold === 0
      ? `Empty for ${minutes} min`
      : `At most ${threshold} players for ${minutes} min`,
  versionChanged: 'New version',
  latencyHigh: 'Slow answers',
  latencyRun: (ms, threshold, polls) => `${ms} ms, above ${threshold} ms for ${polls} checks`,
  slaAtRisk: 'SLA at risk',
  slaBreached: 'SLA breached',
  slaUptime: (uptime, target) => `${uptime} % for a ${target} % target`,
  slaMargin: (left, allowed) => `${left} min left of ${allowed}`,
  testTitle: 'Test message',
  testBody: (channel) =>
    `Channel ${channel} is set up: game server alerts from Game Server Status will arrive here.`,
  titled: (title, subject) => `${title}: ${subject}`,
  allBack: (count) => `All ${count} servers answer again.`,
  more: (count) => `and ${count} more`,
  dayUnit: 'd',
  decimalSeparator: '.',
  openInOdoo: 'Open in Odoo',
  footer: 'Game Server Status',
  labels: {
    game: 'Game',
    address: 'Address',
    players: 'Players',
    map: 'Map',
    version: 'Version',
    error: 'Error',
    latency: 'Latency',
    since: 'Since',
    downSince: 'Down since',
    backAt: 'Back at',
    duration: 'Duration',
    failures: 'Failed checks',
    host: 'Host',
    reason: 'Reason',
    servers: 'Servers',
    stillDown: 'Still down',
    month: 'Month',
    uptime: 'Uptime',
    margin: 'Downtime margin',
    outages: 'Outages',
  },
};

// French puts a (non-breaking) space before a colon.
const fr: Texts = {
  serverDown: 'Serveur hors ligne',
  backOnline: 'De nouveau en ligne',
  hostDown: (count, host) => `${count} serveurs sur ${host} hors ligne`,
  hostBack: (host) => `${host} est de retour`,
  playersHigh: (threshold) => `${threshold} joueurs ou plus`,
  serverFull: 'Serveur plein',
  playersLow: (threshold, minutes) =>
    threshold === 0
      ? `Vide depuis ${minutes} min`
      : `Au plus ${threshold} joueurs depuis ${minutes} min`,
  versionChanged: 'Nouvelle version',
  latencyHigh: 'Réponses lentes',
  latencyRun: (ms, threshold, polls) =>
    `${ms} ms, au-dessus de ${threshold} ms pendant ${polls} vérifications`,
  slaAtRisk: 'SLA menacé',
  slaBreached: 'SLA non respecté',
  slaUptime: (uptime, target) => `${uptime}\u00a0% pour un objectif de ${target}\u00a0%`,
  slaMargin: (left, allowed) => `${left} min restantes sur ${allowed}`,
  testTitle: 'Message de test',
  testBody: (channel) =>
    `Le canal ${channel} est prêt\u00a0: les alertes de Game Server Status sur les serveurs de jeu arriveront ici.`,
  titled: (title, subject) => `${title}\u00a0: ${subject}`,
  allBack: (count) => `Les ${count} serveurs répondent de nouveau.`,
  more: (count) => `et ${count} de plus`,
  dayUnit: 'j',
  decimalSeparator: ',',
  openInOdoo: 'Ouvrir dans Odoo',
  footer: 'Game Server Status',
  labels: {
    game: 'Jeu',
    address: 'Adresse',
    players: 'Joueurs',
    map: 'Carte',
    version: 'Version',
    error: 'Erreur',
    latency: 'Latence',
    since: 'Depuis',
    downSince: 'Hors ligne depuis',
    backAt: 'De retour à',
    duration: 'Durée',
    failures: 'Vérifications échouées',
    host: 'Hôte',
    reason: 'Cause',
    servers: 'Serveurs',
    stillDown: 'Toujours hors ligne',
    month: 'Mois',
    uptime: 'Disponibilité',
    margin: "Marge d'indisponibilité",
    outages: 'Pannes',
  },
};

/** One table per language, by the two letters Odoo's codes start with. */
const TABLES: Readonly<Record<string, Texts>> = { en, fr };

/** The texts for an Odoo language code ('fr_FR' → French); English when there is no table. */
export function textsFor(lang: string): Texts {
  return TABLES[lang.slice(0, 2).toLowerCase()] ?? en;
}

/** '2 d 3 h', '1 h 05 min', '4 min 10 s', '12 s': Odoo's own way of telling a duration. */
export function formatDuration(seconds: number, texts: Texts): string {
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor(total / 3_600) % 24;
  const minutes = Math.floor(total / 60) % 60;
  const secs = total % 60;
  if (days) return `${days} ${texts.dayUnit} ${hours} h`;
  if (hours) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes) return `${minutes} min ${secs} s`;
  return `${secs} s`;
}

const ODOO_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?/u;

/** Odoo's 'YYYY-MM-DD HH:MM:SS' (UTC) as 'YYYY-MM-DD HH:MM UTC'; anything else as it is. */
export function formatTime(odooTime: string): string {
  const match = ODOO_TIME.exec(odooTime);
  return match ? `${match[1]} ${match[2]} UTC` : odooTime;
}

/** Odoo's 'YYYY-MM-DD HH:MM:SS' (UTC) as ISO 8601 with Z, or null when it is not a time. */
export function isoTime(odooTime: string | null): string | null {
  const match = odooTime === null ? null : ODOO_TIME.exec(odooTime);
  if (!match) return null;
  const iso = `${match[1]}T${match[2]}${match[3] ?? ':00'}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

/**
 * At most `max` UTF-16 units of `text`, each character passed through `escape`, ending in '…'
 * when cut. The cut falls between characters, never inside a surrogate pair or an escape.
 * Limits are counted in UTF-16 units, which is never less than the code points Discord and
 * Slack count, so a text within it is within theirs.
 */
export function fitText(text: string, max: number, escape: (ch: string) => string = same): string {
  let out = '';
  for (const ch of text) out += escape(ch);
  if (out.length <= max) return out;
  if (max <= 0) return '';
  out = '';
  for (const ch of text) {
    const piece = escape(ch);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

function same(ch: string): string {
  return ch;
}

/**
 * Items joined by `separator`, as many as fit in `max` units, then 'and N more' for the rest of
 * `total` (which may exceed the items given: Odoo sends at most 100 names).
 */
export function fitList(
  items: readonly string[],
  total: number,
  max: number,
  separator: string,
  more: (count: number) => string,
): string {
  const count = Math.max(total, items.length);
  let out = '';
  let shown = 0;
  for (const item of items) {
    const next = shown ? `${out}${separator}${item}` : item;
    const rest = count - shown - 1;
    const tail = rest > 0 ? `${separator}${more(rest)}` : '';
    if (next.length + tail.length > max) break;
    out = next;
    shown += 1;
  }
  if (shown < count) out = shown ? `${out}${separator}${more(count - shown)}` : more(count);
  return fitText(out, max);
}

// C0 and C1 controls, DEL and lone surrogates: nothing a chat message should carry. (With the
// u flag a surrogate class matches only a lone one: a pair is one code point.)
// eslint-disable-next-line no-control-regex -- matching controls is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/gu;
const LONE_SURROGATE = /[\ud800-\udfff]/gu;

/** A name or an error as one clean line: controls and line breaks become one space. */
export function oneLine(text: string | null | undefined): string {
  return (text ?? '').replace(LONE_SURROGATE, '\ufffd').replace(CONTROLS, ' ').trim();
}

/** The URL if it is an absolute http(s) address, which every receiver can link to. */
export function httpUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export type Tone = 'down' | 'up' | 'warn' | 'info';

export interface Fact {
  label: string;
  value: string;
  /** An error or a reason: may run long, shown on a line of its own. */
  long?: boolean;
}

export interface NameList {
  label: string;
  names: string[];
  /** How many there are; more than names.length when Odoo sent only the first ones. */
  total: number;
  more: (count: number) => string;
}

/** What one event tells, in the channel's language, before any channel's layout or limits. */
export interface Notice {
  tone: Tone;
  title: string;
  /** Sentences under the title. */
  lines: string[];
  facts: Fact[];
  list: NameList | null;
  /** The record in Odoo, when Odoo gave an absolute address. */
  url: string | null;
  linkText: string;
  /** 'Game Server Status · 2025-03-01 14:05 UTC'. */
  footer: string;
  /** When it happened, ISO 8601 UTC. */
  at: string | null;
  /** One line for a notification preview. */
  preview: string;
}

/** What an event tells, in the words of `texts`; every text from Odoo made one clean line. */
export function describeEvent(event: NotifyEvent, texts: Texts): Notice {
  const { server, outage, incident } = event.payload;
  const base = {
    lines: [] as string[],
    facts: [] as Fact[],
    list: null,
    url: null,
    linkText: texts.openInOdoo,
    footer: `${texts.footer} · ${formatTime(oneLine(event.at))}`,
    at: isoTime(event.at),
  };
  let notice: Omit<Notice, 'preview'>;
  switch (event.kind) {
    case 'outage_opened':
    case 'outage_closed': {
      const opened = event.kind === 'outage_opened';
      notice = {
        ...base,
        tone: opened ? 'down' : 'up',
        title: server
          ? texts.titled(opened ? texts.serverDown : texts.backOnline, oneLine(server.name))
          : opened
            ? texts.serverDown
            : texts.backOnline,
        facts: server ? outageFacts(server, outage, opened, texts) : [],
        lines: server ? [] : [oneLine(event.summary)],
        url: httpUrl(server?.url),
      };
      break;
    }
    case 'incident_opened':
    case 'incident_closed':
      notice = incident
        ? { ...base, ...incidentNotice(incident, event.kind === 'incident_opened', texts) }
        : {
            ...base,
            tone: event.kind === 'incident_opened' ? 'down' : 'up',
            title: oneLine(event.summary),
          };
      break;
    case 'players_high':
    case 'server_full':
    case 'players_low':
    case 'version_changed':
    case 'latency_high':
      notice =
        server && event.payload.condition
          ? {
              ...base,
              ...conditionNotice(event.kind, server, event.payload.condition, texts),
              url: httpUrl(server.url),
            }
          : { ...base, tone: 'info', title: oneLine(event.summary) };
      break;
    case 'sla_at_risk':
    case 'sla_breached':
      notice =
        server && event.payload.sla
          ? {
              ...base,
              ...slaNotice(event.kind === 'sla_breached', server, event.payload.sla, texts),
              url: httpUrl(server.url),
            }
          : { ...base, tone: 'warn', title: oneLine(event.summary) };
      break;
    case 'test':
      notice = {
        ...base,
        tone: 'info',
        title: texts.testTitle,
        lines: [texts.testBody(oneLine(event.payload.channel))],
      };
      break;
    default:
      // A kind a newer addon sends that this notifier does not know yet: told by its summary.
      notice = { ...base, tone: 'info', title: oneLine(event.summary) };
  }
  const detail = notice.facts.find((fact) => fact.long)?.value;
  return { ...notice, preview: detail ? `${notice.title} (${detail})` : notice.title };
}

function address(server: EventServer): string {
  const host = oneLine(server.host);
  return `${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}

function outageFacts(
  server: EventServer,
  outage: EventOutage | undefined,
  opened: boolean,
  texts: Texts,
): Fact[] {
  const { labels } = texts;
  const facts: Fact[] = [
    { label: labels.game, value: oneLine(server.game_name || server.game) },
    { label: labels.address, value: address(server) },
  ];
  if (opened) {
    const code = oneLine(server.error_code);
    const error = oneLine(server.error);
    const value = code && error ? `${code}: ${error}` : code || error || oneLine(outage?.reason);
    if (value) facts.push({ label: labels.error, value, long: true });
    if (outage) facts.push({ label: labels.downSince, value: formatTime(outage.start) });
    if (outage?.failures) facts.push({ label: labels.failures, value: String(outage.failures) });
    return facts.filter((fact) => fact.value);
  }
  if (outage?.duration_s !== null && outage?.duration_s !== undefined) {
    facts.push({ label: labels.duration, value: formatDuration(outage.duration_s, texts) });
  }
  if (outage) facts.push({ label: labels.downSince, value: formatTime(outage.start) });
  if (outage?.end) facts.push({ label: labels.backAt, value: formatTime(outage.end) });
  facts.push({ label: labels.players, value: `${server.players_online} / ${server.players_max}` });
  if (server.map) facts.push({ label: labels.map, value: oneLine(server.map) });
  if (server.version) facts.push({ label: labels.version, value: oneLine(server.version) });
  return facts.filter((fact) => fact.value);
}

type ConditionKind =
  'players_high' | 'server_full' | 'players_low' | 'version_changed' | 'latency_high';

function conditionNotice(
  kind: ConditionKind,
  server: EventServer,
  condition: EventCondition,
  texts: Texts,
): Pick<Notice, 'tone' | 'title' | 'facts'> {
  const { labels } = texts;
  const facts: Fact[] = [
    { label: labels.game, value: oneLine(server.game_name || server.game) },
    { label: labels.address, value: address(server) },
    { label: labels.players, value: `${condition.players_online} / ${condition.players_max}` },
  ];
  let title: string;
  let tone: Tone = 'info';
  switch (kind) {
    case 'players_high':
      title = texts.playersHigh(condition.threshold ?? condition.players_online);
      break;
    case 'server_full':
      title = texts.serverFull;
      break;
    case 'players_low':
      title = texts.playersLow(condition.threshold ?? 0, condition.minutes ?? 0);
      if (condition.since) facts.push({ label: labels.since, value: formatTime(condition.since) });
      break;
    case 'version_changed': {
      title = texts.versionChanged;
      const before = oneLine(condition.previous_version);
      const now = oneLine(condition.version);
      facts.push({ label: labels.version, value: before ? `${before} → ${now}` : now });
      break;
    }
    case 'latency_high':
      tone = 'warn';
      title = texts.latencyHigh;
      facts.push({
        label: labels.latency,
        value: texts.latencyRun(
          condition.latency_ms,
          condition.threshold_ms ?? 0,
          condition.polls ?? 1,
        ),
      });
      break;
  }
  const map = oneLine(server.map);
  if (map) facts.push({ label: labels.map, value: map });
  return {
    tone,
    title: texts.titled(title, oneLine(server.name)),
    facts: facts.filter((f) => f.value),
  };
}

/** A number the way the channel's language writes it: '99.812' or '99,812'. */
function decimal(value: number, digits: number, texts: Texts): string {
  return value
    .toFixed(digits)
    .replace(/\.?0+$/u, '')
    .replace('.', texts.decimalSeparator);
}

function slaNotice(
  breached: boolean,
  server: EventServer,
  sla: EventSla,
  texts: Texts,
): Pick<Notice, 'tone' | 'title' | 'facts'> {
  const { labels } = texts;
  const facts: Fact[] = [
    { label: labels.month, value: oneLine(sla.month) },
    {
      label: labels.uptime,
      value: texts.slaUptime(decimal(sla.uptime_pct, 3, texts), decimal(sla.target_pct, 3, texts)),
    },
    {
      label: labels.margin,
      value: texts.slaMargin(
        Math.max(0, Math.floor(sla.margin_minutes)),
        Math.round(sla.allowed_downtime_minutes),
      ),
    },
    { label: labels.outages, value: String(sla.outages) },
    { label: labels.game, value: oneLine(server.game_name || server.game) },
  ];
  return {
    tone: breached ? 'down' : 'warn',
    title: texts.titled(breached ? texts.slaBreached : texts.slaAtRisk, oneLine(server.name)),
    facts: facts.filter((fact) => fact.value),
  };
}

function incidentNotice(
  incident: EventIncident,
  opened: boolean,
  texts: Texts,
): Pick<Notice, 'tone' | 'title' | 'lines' | 'facts' | 'list' | 'url'> {
  const { labels } = texts;
  const host = oneLine(incident.host);
  const url = httpUrl(incident.url);
  const reason = oneLine(incident.reason);
  if (opened) {
    return {
      tone: 'down',
      title: texts.hostDown(incident.server_count, host),
      lines: [],
      facts: [
        { label: labels.downSince, value: formatTime(incident.start) },
        ...(reason ? [{ label: labels.reason, value: reason, long: true }] : []),
      ],
      list: {
        label: labels.servers,
        names: incident.servers.map((server) => oneLine(server.name)),
        total: incident.server_count,
        more: texts.more,
      },
      url,
    };
  }
  const facts: Fact[] = [];
  if (incident.duration_s !== null) {
    facts.push({ label: labels.duration, value: formatDuration(incident.duration_s, texts) });
  }
  facts.push({ label: labels.downSince, value: formatTime(incident.start) });
  if (incident.end) facts.push({ label: labels.backAt, value: formatTime(incident.end) });
  const stillDown = incident.still_down_count > 0;
  return {
    tone: 'up',
    title: texts.hostBack(host),
    lines: stillDown ? [] : [texts.allBack(incident.server_count)],
    facts,
    list: stillDown
      ? {
          label: labels.stillDown,
          names: incident.still_down.map(oneLine),
          total: incident.still_down_count,
          more: texts.more,
        }
      : null,
    url,
  };
}
