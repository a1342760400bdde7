import type { INestApplicationContext } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createPoller } from '../apps/poller/src/poller.app.js';
import type { EventKind, PendingDelivery } from '../apps/poller/src/notify/notify-event.js';
import { NOTIFY_DELIVERY_MODEL, OdooStandIn } from './support/odoo-stand-in.js';
import { dropPrefix, QUIET, REDIS_URL, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';
import {
  sampleDelivery,
  startDiscordReceiver,
  startSlackReceiver,
  startWebhookConsumer,
  type WebhookReceiver,
} from './support/webhook-receivers.js';

const SECRET = 'a-webhook-secret-of-the-channel';

/** A stand-in with deliveries, receivers on loopback, notifiers on demand. */
class NotifyWorld {
  readonly odoo = new OdooStandIn();
  readonly prefix = uniquePrefix('notify');
  readonly receivers: WebhookReceiver[] = [];
  private readonly apps: INestApplicationContext[] = [];
  private nextChannel = 1;

  async start(): Promise<this> {
    await this.odoo.start();
    return this;
  }

  async receiver(kind: 'discord' | 'slack' | 'webhook'): Promise<WebhookReceiver> {
    const receiver = await (kind === 'discord'
      ? startDiscordReceiver()
      : kind === 'slack'
        ? startSlackReceiver()
        : startWebhookConsumer(SECRET));
    this.receivers.push(receiver);
    return receiver;
  }

  /** Pending deliveries of `events` to the channel posting to `receiver`, as Odoo writes them. */
  deliver(
    receiver: WebhookReceiver,
    kind: 'discord' | 'slack' | 'webhook',
    events: EventKind[],
  ): number[] {
    const channelId = this.nextChannel++;
    return this.odoo.seed(
      NOTIFY_DELIVERY_MODEL,
      events.map((event) => {
        const sample: PendingDelivery = sampleDelivery(event, {
          kind,
          url: receiver.url,
          secret: SECRET,
        });
        return {
          state: 'pending',
          attempts: 0,
          channel: { ...sample.channel, id: channelId },
          event: sample.event,
        };
      }),
    );
  }

  async notifier(extra: Record<string, string> = {}): Promise<INestApplicationContext> {
    const { app } = await createPoller(
      {
        REDIS_URL,
        QUEUE_PREFIX: this.prefix,
        ...this.odoo.clientEnv,
        ODOO_TIMEOUT_MS: '2000',
        POLLER_ROLES: 'notifier',
        NOTIFY_POLL_MS: '100',
        NOTIFY_TIMEOUT_MS: '1000',
        NOTIFY_MAX_BACKOFF_MS: '1000',
        NOTIFY_CHANNEL_PACE_MS: '0',
        ...extra,
      },
      QUIET,
    );
    this.apps.push(app);
    return app;
  }

  delivery(id: number): Record<string, unknown> {
    const found = this.odoo.records(NOTIFY_DELIVERY_MODEL).find((d) => d.id === id);
    if (!found) throw new Error(`no delivery ${id}`);
    return found;
  }

  /** Waits until Odoo holds every one of `ids` in `state`, and returns them. */
  async settled(ids: number[], state: 'sent' | 'failed', timeoutMs = 20_000) {
    return waitFor(
      `deliveries ${ids.join(', ')} ${state} in Odoo`,
      () => {
        const rows = ids.map((id) => this.delivery(id));
        return rows.every((d) => d['state'] === state) ? rows : undefined;
      },
      { timeoutMs },
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.close()));
    await Promise.all(this.receivers.map((r) => r.close()));
    await this.odoo.stop();
    await dropPrefix(this.prefix);
  }
}

describe('notifier', () => {
  let world: NotifyWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('sends each pending delivery once, in each channel’s format, and writes it back as sent', async () => {
    world = await new NotifyWorld().start();
    const discord = await world.receiver('discord');
    const slack = await world.receiver('slack');
    const hook = await world.receiver('webhook');
    const ids = [
      ...world.deliver(discord, 'discord', ['outage_opened', 'incident_opened', 'test']),
      ...world.deliver(slack, 'slack', ['outage_closed', 'incident_closed']),
      ...world.deliver(hook, 'webhook', ['outage_opened']),
    ];
    await world.notifier();

    const rows = await world.settled(ids, 'sent');
    expect(rows.map((d) => [d['attempts'], d['last_error']])).toEqual(ids.map(() => [1, false]));
    expect(discord.received.map((r) => r.status)).toEqual([204, 204, 204]);
    expect(slack.received.map((r) => r.status)).toEqual([200, 200]);
    // The consumer checked the HMAC signature and the timestamp.
    expect(hook.received.map((r) => r.status)).toEqual([200]);
  });

  it('two notifiers listing the same deliveries send each one once', async () => {
    world = await new NotifyWorld().start();
    const discord = await world.receiver('discord');
    const ids = world.deliver(discord, 'discord', Array(20).fill('outage_opened') as EventKind[]);
    await Promise.all([world.notifier(), world.notifier()]);
    await world.settled(ids, 'sent');
    expect(discord.received).toHaveLength(20);
  });

  it('waits as long as a 429 asks, without counting it as a try, then sends', async () => {
    world = await new NotifyWorld().start();
    const slack = await world.receiver('slack');
    slack.setMode({ kind: 'rate-limited', retryAfterS: 2 }, 1);
    const [id = 0] = world.deliver(slack, 'slack', ['outage_opened']);
    await world.notifier();
    const [row] = await world.settled([id], 'sent');
    expect(slack.received.map((r) => r.status)).toEqual([429, 200]);
    const [limited, sent] = slack.received;
    expect((sent?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1_900);
    expect(row?.['attempts']).toBe(1);
  });

  it('retries a failing receiver with backoff and counts the tries', async () => {
    world = await new NotifyWorld().start();
    const discord = await world.receiver('discord');
    discord.setMode({ kind: 'server-error', status: 503 }, 2);
    const [id = 0] = world.deliver(discord, 'discord', ['outage_opened']);
    await world.notifier();
    const [row] = await world.settled([id], 'sent');
    expect(discord.received.map((r) => r.status)).toEqual([503, 503, 204]);
    expect(row?.['attempts']).toBe(3);
  });

  it('retries a receiver that does not answer, after the send’s time limit', async () => {
    world = await new NotifyWorld().start();
    const discord = await world.receiver('discord');
    discord.setMode({ kind: 'hang' }, 1);
    const [id = 0] = world.deliver(discord, 'discord', ['incident_opened']);
    await world.notifier();
    const [row] = await world.settled([id], 'sent');
    expect(discord.received.map((r) => r.status)).toEqual([null, 204]);
    expect(row?.['attempts']).toBe(2);
  });

  it('fails at once, with the receiver’s answer, what can never succeed', async () => {
    world = await new NotifyWorld().start();
    const discord = await world.receiver('discord');
    discord.setMode({ kind: 'gone' });
    const [id = 0] = world.deliver(discord, 'discord', ['outage_opened']);
    await world.notifier();
    const [row] = await world.settled([id], 'failed');
    expect(discord.received).toHaveLength(1);
    expect(row?.['attempts']).toBe(1);
    expect(String(row?.['last_error'])).toMatch(/^HTTP 404: .*Unknown Webhook/);
  });

  it('fails after the last try, with the last error', async () => {
    world = await new NotifyWorld().start();
    const hook = await world.receiver('webhook');
    hook.setMode({ kind: 'server-error', status: 500 });
    const [id = 0] = world.deliver(hook, 'webhook', ['outage_closed']);
    await world.notifier({ NOTIFY_ATTEMPTS: '3' });
    const [row] = await world.settled([id], 'failed');
    expect(hook.received).toHaveLength(3);
    expect(row?.['last_error']).toBe('HTTP 500: internal error');
  });

  it('keeps the results while Odoo is down and writes them once it is back', async () => {
    world = await new NotifyWorld().start();
    const discord = await world.receiver('discord');
    const [first = 0] = world.deliver(discord, 'discord', ['outage_opened']);
    await world.notifier();
    await world.settled([first], 'sent');
    // The next listing finds the delivery, then every call fails for a while: the send reads
    // the delivery again first, so it waits for Odoo too, then goes out once.
    const [second = 0] = world.deliver(discord, 'discord', ['outage_closed']);
    world.odoo.failNext(15, 'http500');
    await world.settled([second], 'sent');
    expect(discord.received).toHaveLength(2);
  });
});
