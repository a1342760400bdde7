/*
 * The body of a Slack incoming-webhook call: `text` (what a notification or an old client
 * shows) and Block Kit `blocks`. Limits from Slack's Block Kit reference: 50 blocks; a header's
 * plain_text 150 characters; a section's text 3000, its fields at most 10 of 2000 each; a
 * context at most 10 elements; any text object 3000. Slack refuses a body that breaks one with
 * 400 `invalid_blocks`. In mrkdwn, &, < and > must be written &amp; &lt; &gt; (Slack's
 * "Formatting text for app surfaces"); the cut never falls inside one of those.
 */
import { type Notice, fitList, fitText } from './texts.js';

export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  /** Any text object. */
  text: 3000,
} as const;

/** Our own caps: a fact is a short value, an error a paragraph; the list gets a section. */
const FACT_MAX = 256;
const LONG_FACT_MAX = 1000;
const NAME_MAX = 100;

export interface SlackText {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text: SlackText }
  | { type: 'section'; fields: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeMrkdwn(ch: string): string {
  return ENTITIES[ch] ?? ch;
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text };
}

/** The blocks of a notice, every text within Slack's limits. */
export function slackMessage(notice: Notice): SlackMessage {
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: nonBlank(fitText(notice.title, SLACK_LIMITS.headerText)) },
    },
  ];
  const lines = fitText(notice.lines.join('\n'), SLACK_LIMITS.sectionText, escapeMrkdwn);
  if (lines.trim()) blocks.push({ type: 'section', text: mrkdwn(lines) });
  for (let i = 0; i < notice.facts.length; i += SLACK_LIMITS.sectionFields) {
    const fields = notice.facts.slice(i, i + SLACK_LIMITS.sectionFields).map((fact) => {
      const label = `*${fitText(fact.label, FACT_MAX, escapeMrkdwn)}*\n`;
      const max = Math.min(fact.long ? LONG_FACT_MAX : FACT_MAX, SLACK_LIMITS.fieldText);
      return mrkdwn(label + nonBlank(fitText(fact.value, max, escapeMrkdwn)));
    });
    blocks.push({ type: 'section', fields });
  }
  if (notice.list) {
    const { label, names, total, more } = notice.list;
    const head = `*${fitText(label, FACT_MAX, escapeMrkdwn)}*\n`;
    const items = names.map((name) => `• ${fitText(name, NAME_MAX, escapeMrkdwn)}`);
    const list = fitList(items, total, SLACK_LIMITS.sectionText - head.length, '\n', more);
    blocks.push({ type: 'section', text: mrkdwn(head + list) });
  }
  if (notice.url) {
    // A link is <url|text>: a | or > in the address would end it early.
    const url = notice.url.replace(/\|/gu, '%7C').replace(/>/gu, '%3E');
    const link = `<${url}|${fitText(notice.linkText, FACT_MAX, escapeMrkdwn)}>`;
    if (link.length <= SLACK_LIMITS.sectionText)
      blocks.push({ type: 'section', text: mrkdwn(link) });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(nonBlank(fitText(notice.footer, SLACK_LIMITS.text, escapeMrkdwn)))],
  });
  return {
    text: nonBlank(fitText(notice.preview, SLACK_LIMITS.text, escapeMrkdwn)),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

/** Slack refuses an empty text object. */
function nonBlank(text: string): string {
  return text.trim() ? text : '-';
}
