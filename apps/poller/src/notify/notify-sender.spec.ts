import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingDelivery } from './notify-event.js';
import { NotifySender, retryAfterMs } from './notify-sender.js';

type Answer = (req: IncomingMessage, res: ServerResponse) => void;

/** A receiver on a loopback port the OS gives, answering each request with `answer`. */
async function receiver(
  answer: Answer,
): Promise<{ url: string; server: Server; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      bodies.push(body);
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, server, bodies };
}

function delivery(url: string): PendingDelivery {
  return {
    id: 7,
    attempts: 0,
    channel: { id: 3, name: 'Ops', kind: 'discord', url, secret: 's3cret', lang: 'en_US' },
    event: {
      id: 11,
      kind: 'test',
      at: '2026-12-06 12:00:00',
      summary: 'Test message from Game Server Status',
      payload: { channel: 'Ops' },
    },
  };
}

describe('NotifySender', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    servers.length = 0;
  });

  async function sendTo(answer: Answer, timeoutMs = 2_000) {
    const r = await receiver(answer);
    servers.push(r.server);
    const sut = new NotifySender(timeoutMs);
    return { outcome: await sut.send(delivery(r.url)), bodies: r.bodies };
  }

  it('posts the rendered body once and calls a 2xx sent', async () => {
    const { outcome, bodies } = await sendTo((_req, res) => res.writeHead(204).end());
    expect(outcome).toEqual({ kind: 'sent', status: 204 });
    expect(bodies).toHaveLength(1);
    expect(() => JSON.parse(bodies[0] ?? '') as unknown).not.toThrow();
  });

  it('waits as long as a 429 asks, from the header or from Discord’s body', async () => {
    const header = await sendTo((_req, res) => res.writeHead(429, { 'retry-after': '3' }).end());
    expect(header.outcome).toMatchObject({ kind: 'wait', waitMs: 3_000 });
    const body = await sendTo((_req, res) =>
      res
        .writeHead(429, { 'content-type': 'application/json' })
        .end('{"message":"You are being rate limited.","retry_after":1.25,"global":false}'),
    );
    expect(body.outcome).toMatchObject({ kind: 'wait', waitMs: 1_250 });
  });

  it('retries a 5xx and fails a 404 at once, with the receiver’s words', async () => {
    const busy = await sendTo((_req, res) => res.writeHead(503).end('busy'));
    expect(busy.outcome).toEqual({ kind: 'retry', error: 'HTTP 503: busy' });
    const gone = await sendTo((_req, res) =>
      res.writeHead(404).end('{"message": "Unknown Webhook", "code": 10015}'),
    );
    expect(gone.outcome).toEqual({
      kind: 'fail',
      error: 'HTTP 404: {"message": "Unknown Webhook", "code": 10015}',
    });
  });

  it('retries a receiver that does not answer in time', async () => {
    const { outcome } = await sendTo(() => undefined, 300);
    expect(outcome).toEqual({ kind: 'retry', error: 'no answer in time' });
  });

  it('retries a refused connection, without the webhook URL in the error', async () => {
    const r = await receiver(() => undefined);
    const { url } = r;
    await new Promise((resolve) => r.server.close(resolve));
    const outcome = await new NotifySender(1_000).send(delivery(url));
    expect(outcome.kind).toBe('retry');
    expect(JSON.stringify(outcome)).not.toContain('/hook');
  });
});

it('fails a channel a person emptied, without calling anyone', async () => {
  const sut = new NotifySender(1_000);
  const noUrl = delivery('');
  expect(
    await sut.send({ ...noUrl, channel: { ...noUrl.channel, url: false as unknown as string } }),
  ).toEqual({
    kind: 'fail',
    error: 'the channel has no webhook URL',
  });
  const hook = delivery('http://127.0.0.1:9/hook');
  expect(
    await sut.send({
      ...hook,
      channel: { ...hook.channel, kind: 'webhook', secret: false as unknown as string },
    }),
  ).toEqual({ kind: 'fail', error: 'the channel has no secret to sign with' });
});

describe('retryAfterMs', () => {
  it('reads seconds, an HTTP date, or Discord’s retry_after; else a default; never past 15 min', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(retryAfterMs('2', '', now)).toBe(2_000);
    expect(retryAfterMs('Sun, 06 Dec 2026 12:00:30 GMT', '', now)).toBe(30_000);
    expect(retryAfterMs(undefined, '{"retry_after": 0.5}', now)).toBe(500);
    expect(retryAfterMs(undefined, 'not json', now)).toBe(5_000);
    expect(retryAfterMs('86400', '', now)).toBe(15 * 60_000);
  });
});
