import { describe, expect, it } from 'vitest';
import { sampleDelivery } from '../../../../../test/support/webhook-receivers.js';
import { type EventKind, type PendingDelivery, EVENT_KINDS } from '../notify-event.js';
import { TEAMS_MAX_BYTES, type TeamsMessage, teamsMessage } from './teams.js';
import { describeEvent, textsFor } from './texts.js';

const KINDS = EVENT_KINDS;
const COLORS: Record<EventKind, string> = {
  outage_opened: 'Attention',
  incident_opened: 'Attention',
  outage_closed: 'Good',
  incident_closed: 'Good',
  players_high: 'Accent',
  server_full: 'Accent',
  players_low: 'Accent',
  version_changed: 'Accent',
  latency_high: 'Warning',
  sla_at_risk: 'Warning',
  sla_breached: 'Attention',
  test: 'Accent',
};

function sut(delivery: PendingDelivery): TeamsMessage {
  return teamsMessage(describeEvent(delivery.event, textsFor(delivery.channel.lang)));
}

function card(message: TeamsMessage) {
  expect(message.attachments).toHaveLength(1);
  return message.attachments[0]!.content;
}

function bytes(message: TeamsMessage): number {
  return Buffer.byteLength(JSON.stringify(message));
}

describe('teamsMessage', () => {
  describe.each(['en_US', 'fr_FR'])('in %s', (lang) => {
    it.each(KINDS)('renders %s as an Adaptive Card 1.4 message', (kind) => {
      const message = sut(sampleDelivery(kind, { lang }));
      const content = card(message);
      expect(message.type).toBe('message');
      expect(message.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(content).toMatchObject({
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        type: 'AdaptiveCard',
        version: '1.4',
      });
      expect(content.body[0]).toMatchObject({
        type: 'TextBlock',
        text: describeEvent(sampleDelivery(kind).event, textsFor(lang)).title,
        color: COLORS[kind],
      });
      expect(bytes(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    });
  });

  it('shows the facts as a FactSet and opens the record in Odoo', () => {
    const content = card(sut(sampleDelivery('outage_closed', { lang: 'fr_FR' })));
    expect(content.body).toContainEqual({
      type: 'FactSet',
      facts: [
        { title: 'Jeu', value: 'Minecraft: Java Edition' },
        { title: 'Adresse', value: 'mc.example.net:25572' },
        { title: 'Durée', value: '1 h 05 min' },
        { title: 'Hors ligne depuis', value: '2025-03-01 14:05 UTC' },
        { title: 'De retour à', value: '2025-03-01 15:10 UTC' },
        { title: 'Joueurs', value: '3 / 20' },
        { title: 'Carte', value: 'world' },
        { title: 'Version', value: '1.21.4' },
      ],
    });
    expect(content.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Ouvrir dans Odoo',
        url: 'https://odoo.example.com/web#id=7&model=game.server&view_type=form',
      },
    ]);
  });

  it('has no action for a test message, which links to no record', () => {
    expect(card(sut(sampleDelivery('test'))).actions).toEqual([]);
  });

  it.each([
    ['en_US', /\n- and (\d+) more$/u],
    ['fr_FR', /\n- et (\d+) de plus$/u],
  ])('keeps an incident of 250 servers with long names under 28 KB, in %s', (lang, more) => {
    const delivery = sampleDelivery('incident_opened', { lang, servers: 250, nameLength: 200 });
    for (const server of delivery.event.payload.incident!.servers) {
      // Three UTF-8 bytes each, and quotes JSON doubles: the heaviest names there are.
      server.name = `${'é"漢'.repeat(66)}${server.name.slice(0, 2)}`;
    }
    const message = sut(delivery);
    expect(bytes(message)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const list = card(message).body.find(
      (element) => element.type === 'TextBlock' && more.test(element.text),
    );
    const text = list?.type === 'TextBlock' ? list.text : '';
    const shown = text.split('\n').length - 1;
    expect(shown).toBeGreaterThan(5);
    expect(Number(more.exec(text)?.[1])).toBe(250 - shown);
  });
});
