/*
 * One delivery as the exact bytes to POST to its channel, with their headers: the layout is
 * chosen by the channel's kind, the words by its language.
 */
import type { PendingDelivery } from '../notify-event.js';
import { discordMessage } from './discord.js';
import { slackMessage } from './slack.js';
import { teamsMessage } from './teams.js';
import { describeEvent, textsFor } from './texts.js';
import { webhookRequest } from './webhook.js';

export interface RenderedDelivery {
  /** JSON, sent as it is (the generic webhook's signature covers these exact bytes). */
  body: string;
  headers: Record<string, string>;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The request for one delivery; `nowMs` is the signing time of a generic webhook. */
export function renderDelivery(delivery: PendingDelivery, nowMs: number): RenderedDelivery {
  const { channel, event } = delivery;
  const notice = () => describeEvent(event, textsFor(channel.lang));
  switch (channel.kind) {
    case 'discord':
      return { body: JSON.stringify(discordMessage(notice())), headers: { ...JSON_HEADERS } };
    case 'slack':
      return { body: JSON.stringify(slackMessage(notice())), headers: { ...JSON_HEADERS } };
    case 'teams':
      return { body: JSON.stringify(teamsMessage(notice())), headers: { ...JSON_HEADERS } };
    case 'webhook':
      return webhookRequest(delivery, nowMs);
  }
}
