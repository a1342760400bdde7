import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sampleDelivery } from '../../../../../test/support/webhook-receivers.js';
import { EVENT_KINDS } from '../notify-event.js';
import { signWebhook, verifySignature, webhookBody, webhookRequest } from './webhook.js';

const KINDS = EVENT_KINDS;
const NOW_MS = 1_740_837_912_345;
const NOW_S = 1_740_837_912;
const SECRET = 'b'.repeat(64);

describe('webhookBody', () => {
  it.each(KINDS)('carries %s under the versioned schema, the same in every language', (kind) => {
    const sut = webhookBody(sampleDelivery(kind, { kind: 'webhook' }), NOW_MS);
    expect(sut).toMatchObject({
      schema: 'game-server-status/event',
      version: 1,
      delivery_id: 42,
      event: { id: 900, kind, summary: sampleDelivery(kind).event.summary },
    });
    expect(sut.event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u);
    expect(webhookBody(sampleDelivery(kind, { kind: 'webhook', lang: 'fr_FR' }), NOW_MS)).toEqual(
      sut,
    );
  });

  it('gives a server and its outage with ISO times', () => {
    const sut = webhookBody(sampleDelivery('outage_closed'), NOW_MS);
    expect(sut.event.at).toBe('2025-03-01T15:10:40Z');
    expect(sut.event.outage).toEqual({
      id: 11,
      start: '2025-03-01T14:05:12Z',
      end: '2025-03-01T15:10:40Z',
      duration_s: 3928,
      reason: 'timeout: no answer within 3000 ms',
      failures: null,
    });
    expect(sut.event.server).toMatchObject({ id: 7, name: 'Alpha', host: 'mc.example.net' });
    expect(sut.event).not.toHaveProperty('incident');
  });

  it('gives a watched condition with every key, null where its kind has none', () => {
    const sut = webhookBody(sampleDelivery('latency_high'), NOW_MS);
    expect(sut.event.condition).toEqual({
      key: 'latency_high:250:3',
      players_online: 25,
      players_max: 32,
      latency_ms: 420,
      version: '1.21.4',
      threshold: null,
      minutes: null,
      since: '2025-03-02T11:01:00Z',
      previous_version: null,
      threshold_ms: 250,
      polls: 3,
    });
    expect(sut.event.server).toMatchObject({ id: 7, name: 'Alpha' });
    expect(webhookBody(sampleDelivery('version_changed'), NOW_MS).event.condition).toMatchObject({
      previous_version: '1.21.3',
      version: '1.21.4',
      since: null,
    });
  });

  it("gives an SLA month with its figures and the server, and no other kind's objects", () => {
    const sut = webhookBody(sampleDelivery('sla_breached'), NOW_MS);
    expect(sut.event.sla).toEqual({
      month: '2025-03',
      policy: 'Premium',
      target_pct: 99.9,
      uptime_pct: 99.5,
      downtime_minutes: 50.1,
      allowed_downtime_minutes: 44.6,
      margin_minutes: -5.5,
      outages: 3,
    });
    expect(sut.event.server).toMatchObject({ id: 7, name: 'Alpha' });
    expect(sut.event).not.toHaveProperty('condition');
    expect(sut.event).not.toHaveProperty('outage');
  });

  it('gives an incident with its servers and those still down', () => {
    const sut = webhookBody(sampleDelivery('incident_closed'), NOW_MS);
    expect(sut.event.incident).toMatchObject({
      id: 5,
      host: 'node3.example.net',
      start: '2025-03-01T14:05:00Z',
      end: '2025-03-03T17:05:00Z',
      duration_s: 183_600,
      server_count: 12,
      still_down: ['node3-001', 'node3-002'],
      still_down_count: 2,
    });
    expect(sut.event.incident?.servers).toHaveLength(12);
    expect(sut.event).not.toHaveProperty('server');
  });

  it('keeps to its schema when Odoo adds a key, and tells the send time for an unreadable one', () => {
    const delivery = sampleDelivery('test');
    Object.assign(delivery.event.payload, { channel: 'Ops alerts', extra: 1 });
    delivery.event.at = 'not a time';
    const sut = webhookBody(delivery, NOW_MS);
    expect(Object.keys(sut.event)).toEqual(['id', 'kind', 'at', 'summary']);
    expect(sut.event.at).toBe('2025-03-01T14:05:12Z');
  });
});

describe('webhookRequest', () => {
  const delivery = sampleDelivery('outage_opened', { kind: 'webhook', secret: SECRET });
  const sut = webhookRequest(delivery, NOW_MS);

  it('signs the exact body with the time, and names the delivery', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}.${sut.body}`).digest('hex');
    expect(sut.headers).toEqual({
      'content-type': 'application/json',
      'X-GSS-Timestamp': String(NOW_S),
      'X-GSS-Signature': `sha256=${expected}`,
      'X-GSS-Delivery': '42',
    });
    expect(JSON.parse(sut.body)).toEqual(webhookBody(delivery, NOW_MS));
  });

  it('verifies', () => {
    const signature = sut.headers['X-GSS-Signature'];
    expect(verifySignature(SECRET, String(NOW_S), sut.body, signature, NOW_S)).toBeNull();
    expect(
      verifySignature(SECRET, String(NOW_S), Buffer.from(sut.body), signature, NOW_S + 300),
    ).toBeNull();
  });

  it('fails on any changed byte', () => {
    const signature = sut.headers['X-GSS-Signature'];
    const body = Buffer.from(sut.body);
    for (const at of [0, body.length >> 1, body.length - 1]) {
      const changed = Buffer.from(body);
      changed[at] = changed[at]! ^ 0x01;
      expect(verifySignature(SECRET, String(NOW_S), changed, signature, NOW_S)).toBe(
        'signature mismatch',
      );
    }
    expect(verifySignature(SECRET, String(NOW_S + 1), sut.body, signature, NOW_S)).toBe(
      'signature mismatch',
    );
  });

  it('fails with a wrong secret', () => {
    const signature = sut.headers['X-GSS-Signature'];
    expect(verifySignature('c'.repeat(64), String(NOW_S), sut.body, signature, NOW_S)).toBe(
      'signature mismatch',
    );
  });

  it('fails on a timestamp older or newer than the tolerance: a replay', () => {
    const signature = sut.headers['X-GSS-Signature'];
    expect(verifySignature(SECRET, String(NOW_S), sut.body, signature, NOW_S + 301)).toMatch(
      /a replay/u,
    );
    expect(verifySignature(SECRET, String(NOW_S), sut.body, signature, NOW_S - 301)).toMatch(
      /a replay/u,
    );
    expect(verifySignature(SECRET, String(NOW_S), sut.body, signature, NOW_S + 61, 60)).toMatch(
      /a replay/u,
    );
  });

  it('fails on missing or malformed headers', () => {
    const signature = sut.headers['X-GSS-Signature'];
    expect(verifySignature(SECRET, undefined, sut.body, signature, NOW_S)).toMatch(/Timestamp/u);
    expect(verifySignature(SECRET, '17e8', sut.body, signature, NOW_S)).toMatch(/Timestamp/u);
    expect(verifySignature(SECRET, String(NOW_S), sut.body, undefined, NOW_S)).toMatch(
      /Signature/u,
    );
    expect(verifySignature(SECRET, String(NOW_S), sut.body, 'sha256=abc', NOW_S)).toMatch(
      /Signature/u,
    );
    expect(
      verifySignature(SECRET, String(NOW_S), sut.body, signature?.replace('sha256', 'sha1'), NOW_S),
    ).toMatch(/Signature/u);
  });

  it('signs what signWebhook signs', () => {
    expect(signWebhook(SECRET, NOW_S, sut.body)).toBe(sut.headers['X-GSS-Signature']);
  });
});
