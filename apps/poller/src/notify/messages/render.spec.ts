import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  discordProblems,
  sampleDelivery,
  slackProblem,
} from '../../../../../test/support/webhook-receivers.js';
import { type ChannelKind, type PendingDelivery, EVENT_KINDS } from '../notify-event.js';
import { discordMessage } from './discord.js';
import { renderDelivery } from './render.js';
import { slackMessage } from './slack.js';
import { TEAMS_MAX_BYTES, teamsMessage } from './teams.js';
import { describeEvent, textsFor } from './texts.js';
import { verifySignature, webhookBody } from './webhook.js';

const KINDS = EVENT_KINDS;
const NOW_MS = 1_740_837_912_000;
const utf16 = (text: string) => text.length;

describe('renderDelivery', () => {
  it.each(KINDS)('lays %s out by the channel kind, in the channel language', (kind) => {
    for (const lang of ['en_US', 'fr_FR']) {
      const notice = (delivery: PendingDelivery) =>
        describeEvent(delivery.event, textsFor(delivery.channel.lang));
      const expected: Record<ChannelKind, (delivery: PendingDelivery) => unknown> = {
        discord: (delivery) => discordMessage(notice(delivery)),
        slack: (delivery) => slackMessage(notice(delivery)),
        teams: (delivery) => teamsMessage(notice(delivery)),
        webhook: (delivery) => webhookBody(delivery, NOW_MS),
      };
      for (const [channel, render] of Object.entries(expected)) {
        const delivery = sampleDelivery(kind, { kind: channel as ChannelKind, lang });
        const sut = renderDelivery(delivery, NOW_MS);
        expect(sut.headers['content-type']).toBe('application/json');
        expect(sut.body).toBe(JSON.stringify(render(delivery)));
      }
    }
  });

  it('signs a generic webhook at the time given', () => {
    const delivery = sampleDelivery('outage_opened', { kind: 'webhook', secret: 's3cret' });
    const sut = renderDelivery(delivery, NOW_MS);
    const nowS = NOW_MS / 1000;
    expect(sut.headers['X-GSS-Timestamp']).toBe(String(nowS));
    expect(sut.headers['X-GSS-Delivery']).toBe('42');
    expect(
      verifySignature(
        's3cret',
        sut.headers['X-GSS-Timestamp'],
        sut.body,
        sut.headers['X-GSS-Signature'],
        nowS,
      ),
    ).toBeNull();
  });
});

describe('renderDelivery under arbitrary names and errors', () => {
  // Any code point, and often what breaks things: lone and paired surrogates, markup of each
  // service, quotes, controls; short texts and texts long enough to break every limit.
  const unit = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constantFrom('\ud83d', '\ude00', '😀', '漢', 'é', '"', '\\', '\n', '\u0000', ' '),
    fc.constantFrom('*', '_', '~', '`', '|', '<', '>', '&', '[', ']', '#', '@', ':', '-'),
  );
  const sized = (max: number) =>
    fc.oneof(
      fc.string({ unit, maxLength: 20 }),
      fc.string({ unit, minLength: max / 2, maxLength: max, size: 'max' }),
    );
  const text = sized(3000);
  const short = sized(300);
  // A few names of any kind, or up to 120 long ones (variants of one, which is as hard on the
  // limits and far cheaper to generate).
  const names = fc.oneof(
    fc.array(short, { maxLength: 10 }),
    fc
      .tuple(sized(300), fc.integer({ min: 20, max: 120 }))
      .map(([name, count]) => Array.from({ length: count }, (_, i) => `${name}${i}`)),
  );
  const input = fc.record({
    kind: fc.constantFrom(...KINDS),
    lang: fc.constantFrom('en_US', 'fr_FR', 'de_DE'),
    name: short,
    game: short,
    host: short,
    error: text,
    reason: text,
    channel: text,
    names,
    count: fc.nat(100_000),
  });
  type Input = typeof input extends fc.Arbitrary<infer T> ? T : never;
  // A failure stops at once: shrinking texts this long takes minutes and reads no better.
  const options = { numRuns: 200, endOnFailure: true };

  function delivery(channel: ChannelKind, value: Input): PendingDelivery {
    const sample = sampleDelivery(value.kind, { kind: channel, lang: value.lang, servers: 3 });
    const { server, outage, incident } = sample.event.payload;
    if (server) {
      Object.assign(server, { name: value.name, game_name: value.game, host: value.host });
      Object.assign(server, { error: value.error, map: value.name });
    }
    if (outage) outage.reason = value.reason;
    if (incident) {
      Object.assign(incident, { host: value.host, reason: value.reason });
      incident.servers = value.names.map((name, i) => ({ ...incident.servers[0]!, id: i, name }));
      incident.server_count = value.names.length + value.count;
      incident.still_down = value.names;
      incident.still_down_count = value.count;
    }
    sample.event.payload.channel = value.channel;
    return sample;
  }

  function strings(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (typeof value !== 'object' || value === null) return [];
    return Object.values(value).flatMap(strings);
  }

  function parsed(channel: ChannelKind, value: Input): unknown {
    const body = JSON.parse(renderDelivery(delivery(channel, value), NOW_MS).body) as unknown;
    // Well-formed UTF-16 all through: no lone surrogate a receiver's parser could refuse.
    for (const text of strings(body)) expect(text).not.toMatch(/[\ud800-\udfff]/u);
    return body;
  }

  it('keeps every Discord body valid JSON within the limits', () => {
    fc.assert(
      fc.property(input, (value) => {
        expect(discordProblems(parsed('discord', value), utf16)).toEqual([]);
      }),
      options,
    );
  }, 30_000);

  it('keeps every Slack body valid JSON within the limits', () => {
    fc.assert(
      fc.property(input, (value) => {
        expect(slackProblem(parsed('slack', value), utf16)).toBeNull();
      }),
      options,
    );
  }, 30_000);

  it('keeps every Teams body valid JSON under 28 KB', () => {
    fc.assert(
      fc.property(input, (value) => {
        const body = JSON.stringify(parsed('teams', value));
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
      }),
      { ...options, numRuns: 100 },
    );
  }, 30_000);

  it('keeps every generic webhook body valid JSON that verifies', () => {
    fc.assert(
      fc.property(input, (value) => {
        const sut = renderDelivery(delivery('webhook', value), NOW_MS);
        expect(() => JSON.parse(sut.body) as unknown).not.toThrow();
        const { 'X-GSS-Timestamp': timestamp, 'X-GSS-Signature': signature } = sut.headers;
        expect(
          verifySignature('a'.repeat(64), timestamp, sut.body, signature, NOW_MS / 1000),
        ).toBeNull();
      }),
      { ...options, numRuns: 100 },
    );
  }, 30_000);
});
