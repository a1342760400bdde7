import { describe, expect, it } from 'vitest';
import { discordProblems, sampleDelivery } from '../../../../../test/support/webhook-receivers.js';
import { type EventKind, type PendingDelivery, EVENT_KINDS } from '../notify-event.js';
import { DISCORD_LIMITS, type DiscordMessage, discordMessage } from './discord.js';
import { describeEvent, textsFor } from './texts.js';

const KINDS = EVENT_KINDS;
const COLORS: Record<EventKind, number> = {
  outage_opened: 0xe74c3c,
  incident_opened: 0xe74c3c,
  outage_closed: 0x2ecc71,
  incident_closed: 0x2ecc71,
  players_high: 0x3498db,
  server_full: 0x3498db,
  players_low: 0x3498db,
  version_changed: 0x3498db,
  latency_high: 0xf39c12,
  sla_at_risk: 0xf39c12,
  sla_breached: 0xe74c3c,
  test: 0x3498db,
};

function sut(delivery: PendingDelivery): DiscordMessage {
  return discordMessage(describeEvent(delivery.event, textsFor(delivery.channel.lang)));
}

/** Every documented limit, counted in UTF-16 units (never less than Discord's count). */
function expectWithinLimits(message: DiscordMessage): void {
  expect(message).not.toHaveProperty('content');
  expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
  let total = 0;
  for (const embed of message.embeds) {
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const field of embed.fields) {
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      expect(field.name.trim()).not.toBe('');
      expect(field.value.trim()).not.toBe('');
      total += field.name.length + field.value.length;
    }
    expect(embed.footer.text.length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
    total += embed.title.length + (embed.description?.length ?? 0) + embed.footer.text.length;
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  expect(discordProblems(message, (text) => text.length)).toEqual([]);
}

describe('discordMessage', () => {
  describe.each(['en_US', 'fr_FR'])('in %s', (lang) => {
    it.each(KINDS)('renders %s as one embed within the limits', (kind) => {
      const message = sut(sampleDelivery(kind, { lang }));
      const [embed] = message.embeds;
      expect(message.embeds).toHaveLength(1);
      expect(embed?.title).toBe(describeEvent(sampleDelivery(kind).event, textsFor(lang)).title);
      expect(embed?.color).toBe(COLORS[kind]);
      expect(embed?.footer.text).toMatch(/^Game Server Status · \d{4}-\d\d-\d\d \d\d:\d\d UTC$/u);
      expect(embed?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u);
      expect(message.allowed_mentions).toEqual({ parse: [] });
      expectWithinLimits(message);
    });
  });

  it('shows the facts of an outage as fields, the error on a line of its own', () => {
    const [embed] = sut(sampleDelivery('outage_opened', { lang: 'fr_FR' })).embeds;
    expect(embed?.url).toBe('https://odoo.example.com/web#id=7&model=game.server&view_type=form');
    expect(embed?.fields).toEqual([
      { name: 'Jeu', value: 'Minecraft: Java Edition', inline: true },
      { name: 'Adresse', value: 'mc.example.net:25572', inline: true },
      { name: 'Erreur', value: 'timeout: no answer within 3000 ms', inline: false },
      { name: 'Hors ligne depuis', value: '2025-03-01 14:05 UTC', inline: true },
      { name: 'Vérifications échouées', value: '3', inline: true },
    ]);
  });

  it('lists the servers of an incident in the description', () => {
    const [embed] = sut(sampleDelivery('incident_opened')).embeds;
    expect(embed?.description).toBe(
      `**Servers**\n${Array.from({ length: 12 }, (_, i) => `• node3-0${String(i + 1).padStart(2, '0')}`).join('\n')}`,
    );
  });

  describe.each([
    ['en_US', /\nand (\d+) more$/u],
    ['fr_FR', /\net (\d+) de plus$/u],
  ])('an incident of 250 servers with 200-character names, in %s', (lang, more) => {
    it.each(['incident_opened', 'incident_closed'] as const)(
      'keeps %s within every limit and counts the servers left out',
      (kind) => {
        const delivery = sampleDelivery(kind, { lang, servers: 250, nameLength: 200 });
        const message = sut(delivery);
        expectWithinLimits(message);
        const description = message.embeds[0]?.description ?? '';
        const shown = description.split('\n').filter((line) => line.startsWith('• ')).length;
        const total = kind === 'incident_opened' ? 250 : 240;
        expect(shown).toBeGreaterThan(5);
        expect(Number(more.exec(description)?.[1])).toBe(total - shown);
      },
    );
  });

  it('escapes markdown and pings nobody', () => {
    const delivery = sampleDelivery('incident_opened', { servers: 1 });
    const incident = delivery.event.payload.incident!;
    incident.servers[0]!.name = '**@everyone** <@123> [x](https://evil.example)';
    const message = sut(delivery);
    expect(message.embeds[0]?.description).toContain(
      '\\*\\*@everyone\\*\\* \\<@123\\> \\[x\\](https://evil.example)',
    );
    expect(message.allowed_mentions.parse).toEqual([]);
  });

  it('links nowhere when Odoo gave no absolute address, and never sends a blank field', () => {
    const delivery = sampleDelivery('outage_opened');
    const server = delivery.event.payload.server!;
    server.url = '/web#id=7&model=game.server';
    server.game_name = ' ';
    server.game = '';
    const [embed] = sut(delivery).embeds;
    expect(embed).not.toHaveProperty('url');
    expect(embed?.fields.map((field) => field.name)).not.toContain('Game');
    const bare = sampleDelivery('incident_opened');
    bare.event.payload = {};
    bare.event.summary = ' ';
    expect(sut(bare).embeds[0]?.title).toBe('-');
    expectWithinLimits(sut(bare));
  });
});
