import { describe, expect, it } from 'vitest';
import { sampleDelivery, slackProblem } from '../../../../../test/support/webhook-receivers.js';
import { type PendingDelivery, EVENT_KINDS } from '../notify-event.js';
import { SLACK_LIMITS, type SlackMessage, slackMessage } from './slack.js';
import { describeEvent, textsFor } from './texts.js';

const KINDS = EVENT_KINDS;

function sut(delivery: PendingDelivery): SlackMessage {
  return slackMessage(describeEvent(delivery.event, textsFor(delivery.channel.lang)));
}

/** Every documented limit, counted in UTF-16 units (never less than Slack's count). */
function expectWithinLimits(message: SlackMessage): void {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        expect(block.text.type).toBe('plain_text');
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
        break;
      case 'section':
        if ('text' in block) {
          expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        } else {
          expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
          for (const field of block.fields) {
            expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
          }
        }
        break;
      case 'context':
        expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
        for (const element of block.elements) {
          expect(element.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
        }
        break;
    }
  }
  expect(slackProblem(message, (text) => text.length)).toBeNull();
}

function mrkdwnTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => {
    if (block.type === 'header') return [];
    if (block.type === 'context') return block.elements.map((element) => element.text);
    return 'text' in block ? [block.text.text] : block.fields.map((field) => field.text);
  });
}

describe('slackMessage', () => {
  describe.each(['en_US', 'fr_FR'])('in %s', (lang) => {
    it.each(KINDS)('renders %s as a header and sections within the limits', (kind) => {
      const message = sut(sampleDelivery(kind, { lang }));
      const title = describeEvent(sampleDelivery(kind).event, textsFor(lang)).title;
      expect(message.blocks[0]).toEqual({
        type: 'header',
        text: { type: 'plain_text', text: title },
      });
      expect(message.text.startsWith(title)).toBe(true);
      expect(message.blocks.at(-1)?.type).toBe('context');
      expectWithinLimits(message);
    });
  });

  it('shows the facts as fields and links to the record in Odoo', () => {
    const message = sut(sampleDelivery('outage_opened', { lang: 'fr_FR' }));
    expect(message.text).toBe(
      'Serveur hors ligne\u00a0: Alpha (timeout: no answer within 3000 ms)',
    );
    expect(message.blocks[1]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Jeu*\nMinecraft: Java Edition' },
        { type: 'mrkdwn', text: '*Adresse*\nmc.example.net:25572' },
        { type: 'mrkdwn', text: '*Erreur*\ntimeout: no answer within 3000 ms' },
        { type: 'mrkdwn', text: '*Hors ligne depuis*\n2025-03-01 14:05 UTC' },
        { type: 'mrkdwn', text: '*Vérifications échouées*\n3' },
      ],
    });
    expect(message.blocks[2]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '<https://odoo.example.com/web#id=7&model=game.server&view_type=form|Ouvrir dans Odoo>',
      },
    });
  });

  it('says all servers answer when a host is back whole', () => {
    const message = sut(sampleDelivery('incident_closed', { servers: 6 }));
    expect(mrkdwnTexts(message)).toContain('All 6 servers answer again.');
  });

  it('escapes &, < and > everywhere in mrkdwn', () => {
    const delivery = sampleDelivery('incident_opened', { servers: 1 });
    const incident = delivery.event.payload.incident!;
    incident.servers[0]!.name = 'A&B <!channel> <https://evil.example|x>';
    incident.reason = '<b>&amp;</b>';
    const message = sut(delivery);
    const texts = [message.text, ...mrkdwnTexts(message)];
    expect(texts.join('\n')).toContain('A&amp;B &lt;!channel&gt; &lt;https://evil.example|x&gt;');
    expect(texts.join('\n')).toContain('&lt;b&gt;&amp;amp;&lt;/b&gt;');
    for (const text of texts) {
      expect(text.replace(/<https:\/\/odoo\.example\.com\/[^|>]+\|[^>]+>/gu, '')).not.toMatch(
        /[<>]/u,
      );
    }
  });

  describe.each([
    ['en_US', /\nand (\d+) more$/u],
    ['fr_FR', /\net (\d+) de plus$/u],
  ])('an incident of 250 servers with 200-character names, in %s', (lang, more) => {
    it.each(['incident_opened', 'incident_closed'] as const)(
      'keeps %s within every limit and counts the servers left out',
      (kind) => {
        const message = sut(sampleDelivery(kind, { lang, servers: 250, nameLength: 200 }));
        expectWithinLimits(message);
        const list = mrkdwnTexts(message).find((text) => more.test(text)) ?? '';
        const shown = list.split('\n').filter((line) => line.startsWith('• ')).length;
        expect(shown).toBeGreaterThan(5);
        expect(Number(more.exec(list)?.[1])).toBe((kind === 'incident_opened' ? 250 : 240) - shown);
      },
    );
  });
});
