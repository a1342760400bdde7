/*
 * The body a Microsoft Teams workflow takes (Power Automate's "When a Teams webhook request is
 * received" then "Post card in a chat or channel"): a message with one Adaptive Card 1.4
 * attachment. Teams refuses a message over about 28 KB ("Request Entity Too Large"), counted
 * on the whole JSON body, so the list of servers is cut until the body fits TEAMS_MAX_BYTES.
 */
import { type Notice, type Tone, fitList, fitText } from './texts.js';

/** 28 KB counted the smaller way (28 000 bytes, not 28 × 1024), for the whole UTF-8 body. */
export const TEAMS_MAX_BYTES = 28_000;

/** Our own caps: a fact is a short value, an error a paragraph, a title one line. */
const TITLE_MAX = 256;
const FACT_MAX = 256;
const LONG_FACT_MAX = 1024;
const NAME_MAX = 200;
const LIST_MAX = 20_000;

const COLORS: Readonly<Record<Tone, string>> = {
  down: 'Attention',
  up: 'Good',
  warn: 'Warning',
  info: 'Accent',
};

export type TeamsElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap: true;
      size?: 'Small' | 'Large';
      weight?: 'Bolder';
      color?: string;
      isSubtle?: boolean;
    }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };

export interface TeamsAction {
  type: 'Action.OpenUrl';
  title: string;
  url: string;
}

export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    content: {
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
      type: 'AdaptiveCard';
      version: '1.4';
      body: TeamsElement[];
      actions: TeamsAction[];
      /** Full width, so facts and names are not squeezed into a narrow bubble. */
      msteams: { width: 'Full' };
    };
  }[];
}

/** The card of a notice, its JSON within TEAMS_MAX_BYTES. */
export function teamsMessage(notice: Notice): TeamsMessage {
  const items = (notice.list?.names ?? []).map((name) => `- ${fitText(name, NAME_MAX)}`);
  // As many names as fit, by a binary search on the count: the size grows with it (but for
  // the 'and N more' line that goes when all are shown, which can only leave one name out).
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (bytes(card(notice, items.slice(0, mid))) <= TEAMS_MAX_BYTES) low = mid;
    else high = mid - 1;
  }
  return card(notice, items.slice(0, low));
}

function bytes(message: TeamsMessage): number {
  return Buffer.byteLength(JSON.stringify(message));
}

function card(notice: Notice, items: string[]): TeamsMessage {
  const body: TeamsElement[] = [
    {
      type: 'TextBlock',
      text: fitText(notice.title, TITLE_MAX),
      wrap: true,
      size: 'Large',
      weight: 'Bolder',
      color: COLORS[notice.tone],
    },
  ];
  for (const line of notice.lines)
    body.push({ type: 'TextBlock', text: fitText(line, LONG_FACT_MAX), wrap: true });
  if (notice.facts.length) {
    body.push({
      type: 'FactSet',
      facts: notice.facts.map((fact) => ({
        title: fitText(fact.label, FACT_MAX),
        value: fitText(fact.value, fact.long ? LONG_FACT_MAX : FACT_MAX),
      })),
    });
  }
  if (notice.list) {
    const { label, names, total, more } = notice.list;
    // `items` are the first names, as many as the caller found room for; 'and N more' counts
    // the others, those Odoo left out included.
    const text = fitList(
      items,
      Math.max(total, names.length),
      LIST_MAX,
      '\n',
      (n) => `- ${more(n)}`,
    );
    body.push(
      { type: 'TextBlock', text: fitText(label, FACT_MAX), wrap: true, weight: 'Bolder' },
      { type: 'TextBlock', text, wrap: true },
    );
  }
  body.push({
    type: 'TextBlock',
    text: fitText(notice.footer, FACT_MAX),
    wrap: true,
    size: 'Small',
    isSubtle: true,
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: notice.url
            ? [
                {
                  type: 'Action.OpenUrl',
                  title: fitText(notice.linkText, FACT_MAX),
                  url: notice.url,
                },
              ]
            : [],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}
