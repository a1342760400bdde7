import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from '../support/app-process.js';
import { ensureBuilt } from '../support/built.js';
import { NOTIFY_DELIVERY_MODEL, OdooStandIn } from '../support/odoo-stand-in.js';
import { PrivateRedis } from '../support/private-redis.js';
import { dropPrefix, REDIS_URL, uniquePrefix } from '../support/test-env.js';
import { waitFor } from '../support/wait-for.js';
import {
  sampleDelivery,
  startWebhookConsumer,
  type WebhookReceiver,
} from '../support/webhook-receivers.js';

const SECRET = 'fault-suite-webhook-secret';

/** Per delivery: expected once; how many times the receiver got it; lost = never got it. */
interface Account {
  expected: number;
  sent: number;
  lost: number;
  sentTwice: number;
  sentMore: number;
}

function account(receiver: WebhookReceiver, ids: readonly number[]): Account {
  const times = new Map<number, number>();
  for (const request of receiver.received) {
    const id = Number(request.headers['x-gss-delivery']);
    times.set(id, (times.get(id) ?? 0) + 1);
  }
  const counts = ids.map((id) => times.get(id) ?? 0);
  return {
    expected: ids.length,
    sent: counts.filter((n) => n >= 1).length,
    lost: counts.filter((n) => n === 0).length,
    sentTwice: counts.filter((n) => n === 2).length,
    sentMore: counts.filter((n) => n > 2).length,
  };
}

/**
 * The notifier as its own process, broken under load: killed mid-send, and Redis restarted
 * without its data. Each test ends with an exact account per delivery: expected, sent, lost,
 * sent twice. The promise is that nothing is lost and that a kill costs at most the messages
 * in flight sent once more.
 */
describe('notifier faults', () => {
  let odoo: OdooStandIn;
  let receiver: WebhookReceiver;
  const processes: AppProcess[] = [];
  let redis: PrivateRedis | undefined;
  let prefix = '';

  beforeAll(async () => {
    await ensureBuilt();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
    await receiver?.close();
    await odoo?.stop();
    await redis?.stop();
    redis = undefined;
    await dropPrefix(prefix);
  });

  async function world(deliveries: number): Promise<number[]> {
    odoo = new OdooStandIn();
    await odoo.start();
    receiver = await startWebhookConsumer(SECRET);
    prefix = uniquePrefix('notify-fault');
    return odoo.seed(
      NOTIFY_DELIVERY_MODEL,
      Array.from({ length: deliveries }, (_, i) => {
        const sample = sampleDelivery('outage_opened', {
          kind: 'webhook',
          url: receiver.url,
          secret: SECRET,
        });
        return {
          state: 'pending',
          attempts: 0,
          channel: sample.channel,
          event: { ...sample.event, id: 1_000 + i },
        };
      }),
    );
  }

  function notifier(redisUrl: string, extra: Record<string, string> = {}): Promise<AppProcess> {
    return AppProcess.start('poller', {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      ...odoo.clientEnv,
      ODOO_TIMEOUT_MS: '2000',
      POLLER_ROLES: 'notifier',
      NOTIFY_POLL_MS: '100',
      NOTIFY_CHANNEL_PACE_MS: '0',
      NOTIFY_MAX_BACKOFF_MS: '1000',
      ...extra,
    }).then((p) => {
      processes.push(p);
      return p;
    });
  }

  const allSent = (ids: number[], timeoutMs = 60_000) =>
    waitFor(
      'every delivery sent in Odoo',
      () =>
        odoo
          .records(NOTIFY_DELIVERY_MODEL)
          .filter((d) => ids.includes(d.id))
          .every((d) => d['state'] === 'sent'),
      { timeoutMs },
    );

  it('a notifier killed mid-send loses nothing; only the messages in flight go out twice', async () => {
    const ids = await world(40);
    // The first 5 requests are taken and never answered: the notifier is mid-send with 5.
    receiver.setMode({ kind: 'hang' }, 5);
    const first = await notifier(REDIS_URL, {
      NOTIFY_CONCURRENCY: '5',
      NOTIFY_TIMEOUT_MS: '10000',
    });
    await waitFor('5 sends in flight', () => receiver.received.length >= 5);
    await first.stop('SIGKILL');
    const inFlight = receiver.received.length;
    // Another notifier takes the killed one's jobs once their locks expire (5 s here).
    await notifier(REDIS_URL, { NOTIFY_CONCURRENCY: '5', NOTIFY_TIMEOUT_MS: '2000' });
    await allSent(ids);

    const result = account(receiver, ids);
    console.log(`notifier SIGKILLed mid-send: ${JSON.stringify({ ...result, inFlight })}`);
    expect(result).toMatchObject({ expected: 40, sent: 40, lost: 0, sentMore: 0 });
    expect(inFlight).toBe(5);
    expect(result.sentTwice).toBeLessThanOrEqual(inFlight);
  });

  it('Redis restarted without its data loses nothing: pending deliveries are listed again', async () => {
    redis = await PrivateRedis.start({ appendOnly: false });
    const ids = await world(30);
    // The receiver is down: every delivery is queued and retried, none sent yet.
    receiver.setMode({ kind: 'server-error', status: 503 });
    await notifier(redis.url, { NOTIFY_TIMEOUT_MS: '1000' });
    await waitFor(
      'every delivery tried',
      () => new Set(receiver.received.map((r) => r.headers['x-gss-delivery'])).size >= 30,
    );
    await redis.halt('SIGKILL');
    await redis.restart();
    receiver.setMode({ kind: 'ok' });
    await allSent(ids, 90_000);

    const sent = receiver.received.filter((r) => r.status === 200);
    const result = account({ ...receiver, received: sent }, ids);
    console.log(`Redis restarted empty: ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ expected: 30, sent: 30, lost: 0, sentTwice: 0, sentMore: 0 });
  });
});
