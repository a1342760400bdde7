/*
 * The body of a Discord "Execute Webhook" call: one embed. Limits from Discord's developer
 * documentation (Resources > Message > Embed Limits; Webhook > Execute Webhook): what breaks
 * one is refused whole with 400 "Invalid Form Body" (code 50035), so every text is cut to fit
 * here and the list of servers takes whatever room the rest leaves.
 */
import { type Notice, type Tone, fitList, fitText } from './texts.js';

export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** Title, description, field names and values, footer and author name of all embeds. */
  total: 6000,
} as const;

/** Our own caps, under Discord's, so a long game name or host leaves room for the list. */
const FACT_MAX = 256;
const NAME_MAX = 100;

const COLORS: Readonly<Record<Tone, number>> = {
  down: 0xe74c3c,
  up: 0x2ecc71,
  warn: 0xf39c12,
  info: 0x3498db,
};

export interface DiscordField {
  name: string;
  value: string;
  inline: boolean;
}

export interface DiscordEmbed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  fields: DiscordField[];
  footer: { text: string };
  timestamp?: string;
}

export interface DiscordMessage {
  embeds: DiscordEmbed[];
  /** Nothing in a server's name or error may ping anyone (@everyone, roles, users). */
  allowed_mentions: { parse: never[] };
}

/**
 * Discord's markdown takes a backslash before any ASCII punctuation as "this character as it
 * is": escaping these keeps a name like `*mc_01*`, a masked link, a mention (`<@id>`) or a
 * heading in an error from rendering. The backslashes do not show.
 */
function escapeMarkdown(ch: string): string {
  return /[\\*_~`|<>[\]#]/u.test(ch) ? `\\${ch}` : ch;
}

/** The embed of a notice, every text within Discord's limits. */
export function discordMessage(notice: Notice): DiscordMessage {
  const title = nonBlank(fitText(notice.title, DISCORD_LIMITS.title));
  const footer = fitText(notice.footer, DISCORD_LIMITS.footer);
  const fields = notice.facts.slice(0, DISCORD_LIMITS.fields).map((fact) => ({
    name: nonBlank(fitText(fact.label, DISCORD_LIMITS.fieldName)),
    value: nonBlank(
      fitText(fact.value, fact.long ? DISCORD_LIMITS.fieldValue : FACT_MAX, escapeMarkdown),
    ),
    inline: !fact.long,
  }));
  const used =
    title.length +
    footer.length +
    fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  const description = describe(
    notice,
    Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - used),
  );
  return {
    embeds: [
      {
        title,
        ...(description ? { description } : {}),
        ...(notice.url ? { url: notice.url } : {}),
        color: COLORS[notice.tone],
        fields,
        footer: { text: footer },
        ...(notice.at ? { timestamp: notice.at } : {}),
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/** The sentences, then the list of servers as bullets cut with 'and N more', in `max` units. */
function describe(notice: Notice, max: number): string {
  const text = fitText(notice.lines.join('\n'), max, escapeMarkdown);
  const { list } = notice;
  if (!list) return text;
  const head = `${text ? `${text}\n\n` : ''}**${fitText(list.label, FACT_MAX, escapeMarkdown)}**\n`;
  if (head.length >= max) return text;
  const items = list.names.map((name) => `• ${fitText(name, NAME_MAX, escapeMarkdown)}`);
  return head + fitList(items, list.total, max - head.length, '\n', list.more);
}

/** Discord refuses an empty or blank title, field name or field value. */
function nonBlank(text: string): string {
  return text.trim() ? text : '-';
}
