import { describe, expect, it } from 'vitest';
import { sampleDelivery } from '../../../../../test/support/webhook-receivers.js';
import type { EventKind } from '../notify-event.js';
import {
  describeEvent,
  fitList,
  fitText,
  formatDuration,
  formatTime,
  httpUrl,
  isoTime,
  oneLine,
  textsFor,
} from './texts.js';

const en = textsFor('en_US');
const fr = textsFor('fr_FR');
const LONE_SURROGATE = /[\ud800-\udfff]/u;

describe('textsFor', () => {
  it.each(['fr_FR', 'fr_BE', 'fr_CA', 'fr', 'FR_fr'])('speaks French for %s', (lang) => {
    expect(textsFor(lang)).toBe(fr);
  });

  it.each(['en_US', 'en_GB', 'de_DE', 'es_ES', ''])('speaks English for %j', (lang) => {
    expect(textsFor(lang)).toBe(en);
  });
});

describe('formatDuration', () => {
  it.each([
    [3_928, '1 h 05 min', '1 h 05 min'],
    [183_600, '2 d 3 h', '2 j 3 h'],
    [250, '4 min 10 s', '4 min 10 s'],
    [12, '12 s', '12 s'],
    [0, '0 s', '0 s'],
    [86_400, '1 d 0 h', '1 j 0 h'],
  ])('tells %i s as %j / %j', (seconds, english, french) => {
    expect(formatDuration(seconds, en)).toBe(english);
    expect(formatDuration(seconds, fr)).toBe(french);
  });
});

describe('times', () => {
  it("shows Odoo's UTC time to the minute", () => {
    expect(formatTime('2025-03-01 14:05:12')).toBe('2025-03-01 14:05 UTC');
  });

  it('writes it as ISO 8601 with Z', () => {
    expect(isoTime('2025-03-01 14:05:12')).toBe('2025-03-01T14:05:12Z');
    expect(isoTime('2025-03-01 14:05')).toBe('2025-03-01T14:05:00Z');
    expect(isoTime(null)).toBeNull();
    expect(isoTime('yesterday')).toBeNull();
    expect(isoTime('2025-13-45 99:99:99')).toBeNull();
  });
});

describe('fitText', () => {
  it('keeps a text that fits and cuts one that does not with an ellipsis', () => {
    expect(fitText('Alpha', 5)).toBe('Alpha');
    expect(fitText('Alphabet', 5)).toBe('Alph…');
    expect(fitText('Alphabet', 0)).toBe('');
  });

  it('never splits a surrogate pair', () => {
    for (let max = 1; max < 12; max += 1) {
      const sut = fitText('😀'.repeat(10), max);
      expect(sut.length).toBeLessThanOrEqual(max);
      expect(sut).not.toMatch(LONE_SURROGATE);
    }
  });

  it('never splits an escape', () => {
    const escape = (ch: string) => (ch === '<' ? '&lt;' : ch);
    expect(fitText('<<<<', 16, escape)).toBe('&lt;&lt;&lt;&lt;');
    expect(fitText('<<<<', 12, escape)).toBe('&lt;&lt;…');
    expect(fitText('<<<<', 8, escape)).toBe('&lt;…');
  });
});

describe('fitList', () => {
  const more = en.more;

  it('lists everything that fits', () => {
    expect(fitList(['a', 'b', 'c'], 3, 100, ', ', more)).toBe('a, b, c');
  });

  it("ends with 'and N more' for what does not fit, or what Odoo left out", () => {
    expect(fitList(['alpha', 'bravo', 'charlie'], 3, 20, '\n', more)).toBe('alpha\nand 2 more');
    expect(fitList(['a', 'b'], 250, 100, '\n', more)).toBe('a\nb\nand 248 more');
    expect(fitList(['alpha'], 3, 8, '\n', more)).toBe('and 3 m…');
  });

  it('counts in French', () => {
    expect(fitList(['a', 'b'], 5, 100, '\n', fr.more)).toBe('a\nb\net 3 de plus');
  });
});

describe('oneLine and httpUrl', () => {
  it('makes one clean line of a name or an error', () => {
    expect(oneLine(' Alpha\r\nBravo\u0000\u0007 ')).toBe('Alpha Bravo');
    expect(oneLine('a\ud800b')).toBe('a\ufffdb');
    expect(oneLine('😀')).toBe('😀');
    expect(oneLine(null)).toBe('');
  });

  it('links only to absolute http(s) addresses', () => {
    expect(httpUrl('https://odoo.example.com/web#id=7')).toBe('https://odoo.example.com/web#id=7');
    expect(httpUrl('/web#id=7&model=game.server')).toBeNull();
    expect(httpUrl('javascript:alert(1)')).toBeNull();
    expect(httpUrl('')).toBeNull();
  });
});

describe('describeEvent', () => {
  const titles: Record<EventKind, [string, string]> = {
    outage_opened: ['Server down: Alpha', 'Serveur hors ligne\u00a0: Alpha'],
    outage_closed: ['Back online: Alpha', 'De nouveau en ligne\u00a0: Alpha'],
    incident_opened: [
      '12 servers on node3.example.net down',
      '12 serveurs sur node3.example.net hors ligne',
    ],
    incident_closed: ['node3.example.net is back', 'node3.example.net est de retour'],
    players_high: ['20 players or more: Alpha', '20 joueurs ou plus\u00a0: Alpha'],
    server_full: ['Server full: Alpha', 'Serveur plein\u00a0: Alpha'],
    players_low: ['Empty for 30 min: Alpha', 'Vide depuis 30 min\u00a0: Alpha'],
    version_changed: ['New version: Alpha', 'Nouvelle version\u00a0: Alpha'],
    latency_high: ['Slow answers: Alpha', 'Réponses lentes\u00a0: Alpha'],
    sla_at_risk: ['SLA at risk: Alpha', 'SLA menacé\u00a0: Alpha'],
    sla_breached: ['SLA breached: Alpha', 'SLA non respecté\u00a0: Alpha'],
    test: ['Test message', 'Message de test'],
  };

  it.each(Object.entries(titles))('titles %s in both languages', (kind, [english, french]) => {
    const { event } = sampleDelivery(kind as EventKind);
    expect(describeEvent(event, en).title).toBe(english);
    expect(describeEvent(event, fr).title).toBe(french);
  });

  it('tells an outage that opened with its error and since when', () => {
    const sut = describeEvent(sampleDelivery('outage_opened').event, fr);
    expect(sut.tone).toBe('down');
    expect(sut.facts).toEqual([
      { label: 'Jeu', value: 'Minecraft: Java Edition' },
      { label: 'Adresse', value: 'mc.example.net:25572' },
      { label: 'Erreur', value: 'timeout: no answer within 3000 ms', long: true },
      { label: 'Hors ligne depuis', value: '2025-03-01 14:05 UTC' },
      { label: 'Vérifications échouées', value: '3' },
    ]);
    expect(sut.url).toBe('https://odoo.example.com/web#id=7&model=game.server&view_type=form');
    expect(sut.at).toBe('2025-03-01T14:05:12Z');
    expect(sut.preview).toBe('Serveur hors ligne\u00a0: Alpha (timeout: no answer within 3000 ms)');
  });

  it('tells an outage that closed with its duration and the players', () => {
    const sut = describeEvent(sampleDelivery('outage_closed').event, en);
    expect(sut.tone).toBe('up');
    expect(sut.facts).toContainEqual({ label: 'Duration', value: '1 h 05 min' });
    expect(sut.facts).toContainEqual({ label: 'Back at', value: '2025-03-01 15:10 UTC' });
    expect(sut.facts).toContainEqual({ label: 'Players', value: '3 / 20' });
  });

  it('lists the servers of an incident, counting those Odoo left out', () => {
    const sut = describeEvent(sampleDelivery('incident_opened', { servers: 250 }).event, en);
    expect(sut.list?.label).toBe('Servers');
    expect(sut.list?.total).toBe(250);
    expect(sut.list?.names[0]).toBe('node3-001');
  });

  it('names the servers still down when a host is back, or says all answer', () => {
    const partly = describeEvent(sampleDelivery('incident_closed').event, fr);
    expect(partly.list).toMatchObject({ label: 'Toujours hors ligne', total: 2 });
    expect(partly.facts).toContainEqual({ label: 'Durée', value: '2 j 3 h' });
    const fully = describeEvent(sampleDelivery('incident_closed', { servers: 8 }).event, en);
    expect(fully.list).toBeNull();
    expect(fully.lines).toEqual(['All 8 servers answer again.']);
  });

  it("names the channel in a test message and brackets an IPv6 host's address", () => {
    expect(describeEvent(sampleDelivery('test').event, en).lines[0]).toContain('Ops alerts');
    const { event } = sampleDelivery('outage_opened');
    const server = { ...event.payload.server!, host: '2001:db8::7' };
    const sut = describeEvent({ ...event, payload: { ...event.payload, server } }, en);
    expect(sut.facts).toContainEqual({ label: 'Address', value: '[2001:db8::7]:25572' });
  });

  it('tells a watched condition with the poll that started it', () => {
    const latency = describeEvent(sampleDelivery('latency_high').event, en);
    expect(latency.tone).toBe('warn');
    expect(latency.facts).toEqual([
      { label: 'Game', value: 'Minecraft: Java Edition' },
      { label: 'Address', value: 'mc.example.net:25572' },
      { label: 'Players', value: '25 / 32' },
      { label: 'Latency', value: '420 ms, above 250 ms for 3 checks' },
      { label: 'Map', value: 'world' },
    ]);
    const version = describeEvent(sampleDelivery('version_changed').event, fr);
    expect(version.facts).toContainEqual({ label: 'Version', value: '1.21.3 → 1.21.4' });
    const empty = describeEvent(sampleDelivery('players_low').event, fr);
    expect(empty.facts).toContainEqual({ label: 'Depuis', value: '2025-03-02 04:00 UTC' });
    const { event } = sampleDelivery('players_low');
    const few = { ...event.payload.condition!, threshold: 2 };
    expect(
      describeEvent({ ...event, payload: { ...event.payload, condition: few } }, en).title,
    ).toBe('At most 2 players for 30 min: Alpha');
  });

  it("tells an SLA month at risk with its uptime and the margin left, in the channel's numbers", () => {
    const risk = describeEvent(sampleDelivery('sla_at_risk').event, en);
    expect(risk.tone).toBe('warn');
    expect(risk.facts).toEqual([
      { label: 'Month', value: '2025-03' },
      { label: 'Uptime', value: '99.812 % for a 99.9 % target' },
      { label: 'Downtime margin', value: '12 min left of 45' },
      { label: 'Outages', value: '2' },
      { label: 'Game', value: 'Minecraft: Java Edition' },
    ]);
    const breached = describeEvent(sampleDelivery('sla_breached').event, fr);
    expect(breached.tone).toBe('down');
    expect(breached.facts).toContainEqual({
      label: 'Disponibilité',
      value: '99,5\u00a0% pour un objectif de 99,9\u00a0%',
    });
    expect(breached.facts).toContainEqual({
      label: "Marge d'indisponibilité",
      value: '0 min restantes sur 45',
    });
  });

  it("tells a kind it does not know by Odoo's summary", () => {
    const { event } = sampleDelivery('test');
    const sut = describeEvent({ ...event, kind: 'capacity_low' as EventKind }, en);
    expect(sut.title).toBe('Test message from Game Server Status');
    expect(sut.tone).toBe('info');
  });

  it("falls back to Odoo's summary when the payload lacks the server", () => {
    const { event } = sampleDelivery('outage_opened');
    const sut = describeEvent({ ...event, payload: {} }, en);
    expect(sut.title).toBe('Server down');
    expect(sut.lines).toEqual(['Alpha is down (timeout: no answer within 3000 ms)']);
  });
});
