import { afterEach, describe, expect, it } from 'vitest';
import { renderDelivery } from '../../apps/poller/src/notify/messages/render.js';
import type { ChannelKind } from '../../apps/poller/src/notify/notify-event.js';
import {
  type WebhookReceiver,
  sampleDelivery,
  startDiscordReceiver,
  startSlackReceiver,
  startWebhookConsumer,
} from './webhook-receivers.js';

const SECRET = 'd'.repeat(64);

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<Reply> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Renders a delivery for the receiver and posts it as the notifier would. */
function send(
  sut: WebhookReceiver,
  kind: ChannelKind,
  options: { nowMs?: number; servers?: number; timeoutMs?: number } = {},
): Promise<Reply> {
  const delivery = sampleDelivery('incident_opened', {
    kind,
    url: sut.url,
    secret: SECRET,
    servers: options.servers,
    nameLength: 200,
  });
  const { body, headers } = renderDelivery(delivery, options.nowMs ?? Date.now());
  return post(sut.url, body, headers, options.timeoutMs);
}

let sut: WebhookReceiver | undefined;
afterEach(async () => {
  await sut?.close();
  sut = undefined;
});

describe('Discord-like receiver', () => {
  it('posts what the renderer makes, 250 long-named servers included (204)', async () => {
    sut = await startDiscordReceiver();
    expect(sut.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/webhooks\//u);
    const reply = await send(sut, 'discord', { servers: 250 });
    expect(reply.status).toBe(204);
    expect(sut.received).toHaveLength(1);
    expect(sut.received[0]).toMatchObject({ status: 204, body: { embeds: [{}] } });
    expect(sut.received[0]?.headers['content-type']).toBe('application/json');
    expect(sut.received[0]?.at).toBeGreaterThan(0);
  });

  it('refuses a body over the limits as Discord does (400, 50035)', async () => {
    sut = await startDiscordReceiver();
    const body = {
      embeds: [
        {
          title: 't'.repeat(257),
          description: '😀'.repeat(4096),
          fields: [
            { name: 'n', value: ' ' },
            { name: 'v', value: 'v'.repeat(1024) },
            { name: 'w', value: 'w'.repeat(1024) },
          ],
          footer: { text: 'f' },
        },
      ],
    };
    const reply = await post(sut.url, JSON.stringify(body));
    expect(reply.status).toBe(400);
    // Discord counts characters: 4096 emoji are 4096, not 8192; the texts add up to 6406.
    expect(JSON.parse(reply.text)).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: {
        embeds: {
          '0': {
            title: {
              _errors: [
                { code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' },
              ],
            },
            fields: {
              '0': {
                value: {
                  _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }],
                },
              },
            },
          },
          _errors: [
            { code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' },
          ],
        },
      },
    });
  });

  it('refuses what is not JSON and an empty message', async () => {
    sut = await startDiscordReceiver();
    expect(JSON.parse((await post(sut.url, '{"embeds": [')).text)).toEqual({
      message: 'The request body contains invalid JSON.',
      code: 50109,
    });
    const empty = await post(sut.url, JSON.stringify({ embeds: [] }));
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text)).toEqual({
      message: 'Cannot send an empty message',
      code: 50006,
    });
  });

  it('answers a deleted webhook, a rate limit and a server error like Discord', async () => {
    sut = await startDiscordReceiver();
    sut.setMode({ kind: 'gone' }, 1);
    const gone = await send(sut, 'discord');
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.text)).toEqual({ message: 'Unknown Webhook', code: 10015 });
    sut.setMode({ kind: 'rate-limited', retryAfterS: 1.5 }, 1);
    const limited = await send(sut, 'discord');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(JSON.parse(limited.text)).toEqual({
      message: 'You are being rate limited.',
      retry_after: 1.5,
      global: false,
    });
    sut.setMode({ kind: 'server-error', status: 502 }, 1);
    expect((await send(sut, 'discord')).status).toBe(502);
    // Each mode was for one request: back to posting.
    expect((await send(sut, 'discord')).status).toBe(204);
    expect(sut.received.map((request) => request.status)).toEqual([404, 429, 502, 204]);
  });

  it('can take a request and never answer', async () => {
    sut = await startDiscordReceiver();
    sut.setMode({ kind: 'hang' });
    const delivery = sampleDelivery('test', { kind: 'discord' });
    const { body, headers } = renderDelivery(delivery, Date.now());
    await expect(
      fetch(sut.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow(/aborted|timeout/iu);
    expect(sut.received).toHaveLength(1);
    expect(sut.received[0]?.status).toBeNull();
  });
});

describe('Slack-like receiver', () => {
  it('posts what the renderer makes, 250 long-named servers included (200 ok)', async () => {
    sut = await startSlackReceiver();
    const reply = await send(sut, 'slack', { servers: 250 });
    expect(reply).toMatchObject({ status: 200, text: 'ok' });
    expect(sut.received[0]?.body).toHaveProperty('blocks.0.type', 'header');
  });

  it.each([
    [
      'a header over 150 characters',
      { blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      'invalid_blocks',
    ],
    [
      '11 fields in a section',
      {
        blocks: [
          {
            type: 'section',
            fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'x' })),
          },
        ],
      },
      'invalid_blocks',
    ],
    [
      '51 blocks',
      { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
      'invalid_blocks',
    ],
    [
      'a section text over 3000 characters',
      { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }] },
      'invalid_blocks',
    ],
    ['no text at all', {}, 'no_text'],
    ['an array', [], 'invalid_payload'],
  ])('refuses %s (400)', async (_, body, error) => {
    sut = await startSlackReceiver();
    expect(await post(sut.url, JSON.stringify(body))).toMatchObject({ status: 400, text: error });
  });

  it('refuses what is not JSON', async () => {
    sut = await startSlackReceiver();
    expect(await post(sut.url, 'text=hello')).toMatchObject({
      status: 400,
      text: 'invalid_payload',
    });
  });

  it('answers a removed webhook, a rate limit and a server error like Slack', async () => {
    sut = await startSlackReceiver();
    sut.setMode({ kind: 'gone' }, 1);
    expect(await send(sut, 'slack')).toMatchObject({ status: 404, text: 'no_service' });
    sut.setMode({ kind: 'rate-limited', retryAfterS: 30 }, 1);
    const limited = await send(sut, 'slack');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    sut.setMode({ kind: 'server-error' }, 1);
    expect((await send(sut, 'slack')).status).toBe(500);
    expect((await send(sut, 'slack')).status).toBe(200);
  });
});

describe('generic webhook consumer', () => {
  it('accepts a signed, fresh body from the renderer (200)', async () => {
    sut = await startWebhookConsumer(SECRET);
    const reply = await send(sut, 'webhook', { servers: 250 });
    expect(reply.status).toBe(200);
    expect(sut.received[0]?.headers['x-gss-delivery']).toBe('42');
    expect(sut.received[0]?.body).toMatchObject({ schema: 'game-server-status/event', version: 1 });
  });

  it('refuses a changed body, a wrong secret and a replay (401)', async () => {
    sut = await startWebhookConsumer(SECRET);
    const delivery = sampleDelivery('outage_opened', { kind: 'webhook', secret: SECRET });
    const { body, headers } = renderDelivery(delivery, Date.now());
    const changed = await post(sut.url, body.replace('Alpha', 'Alphb'), headers);
    expect(changed).toMatchObject({ status: 401, text: 'signature mismatch' });
    const other = renderDelivery(
      { ...delivery, channel: { ...delivery.channel, secret: 'x' } },
      Date.now(),
    );
    expect(await post(sut.url, other.body, other.headers)).toMatchObject({
      status: 401,
      text: 'signature mismatch',
    });
    const old = await send(sut, 'webhook', { nowMs: Date.now() - 10 * 60_000 });
    expect(old.status).toBe(401);
    expect(old.text).toMatch(/a replay/u);
    expect((await post(sut.url, body)).status).toBe(401);
  });

  it('fails and hangs when told to', async () => {
    sut = await startWebhookConsumer(SECRET);
    sut.setMode({ kind: 'server-error', status: 503 }, 1);
    expect((await send(sut, 'webhook')).status).toBe(503);
    expect((await send(sut, 'webhook')).status).toBe(200);
    sut.setMode({ kind: 'hang' });
    await expect(send(sut, 'webhook', { timeoutMs: 300 })).rejects.toThrow(/aborted|timeout/iu);
    expect(sut.received.at(-1)?.status).toBeNull();
  });
});
