import axios, { type AxiosInstance } from 'axios';
import type { PendingDelivery } from './notify-event.js';
import { renderDelivery } from './messages/render.js';

/** Longest answer body read from a receiver: enough for any error it gives. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Longest error kept from an answer. */
const MAX_ERROR_CHARS = 500;

/** What a send came to; the notifier decides from it whether to retry. */
export type SendOutcome =
  | { kind: 'sent'; status: number }
  /** The receiver asks to wait (429): not a failed try. */
  | { kind: 'wait'; waitMs: number; error: string }
  /** Worth another try later: 5xx, 408, 425, a timeout, a network error. */
  | { kind: 'retry'; error: string }
  /** Will never succeed as it is: a bad URL, a deleted webhook, a body the receiver refuses. */
  | { kind: 'fail'; error: string };

/**
 * Sends one delivery: renders it for its channel and posts it. Never throws for what the
 * receiver answers; the outcome says what it was.
 */
export class NotifySender {
  private readonly http: AxiosInstance;

  constructor(timeoutMs: number) {
    this.http = axios.create({
      timeout: timeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_ANSWER_BYTES,
      responseType: 'text',
      transformResponse: (data: unknown) => data,
      validateStatus: () => true,
    });
  }

  async send(delivery: PendingDelivery, nowMs = Date.now()): Promise<SendOutcome> {
    // Odoo sends false for an empty field: a channel a person emptied cannot be sent to.
    const { url, secret, kind } = delivery.channel as {
      url: unknown;
      secret: unknown;
      kind: string;
    };
    if (typeof url !== 'string' || url === '') {
      return { kind: 'fail', error: 'the channel has no webhook URL' };
    }
    if (kind === 'webhook' && (typeof secret !== 'string' || secret === '')) {
      return { kind: 'fail', error: 'the channel has no secret to sign with' };
    }
    const { body, headers } = renderDelivery(delivery, nowMs);
    let status: number;
    let answer: string;
    let retryAfter: unknown;
    try {
      const response = await this.http.post<string>(delivery.channel.url, body, { headers });
      status = response.status;
      answer = typeof response.data === 'string' ? response.data : '';
      retryAfter = response.headers['retry-after'];
    } catch (err) {
      return { kind: 'retry', error: networkError(err) };
    }
    if (status >= 200 && status < 300) return { kind: 'sent', status };
    const error = `HTTP ${status}${answer ? `: ${answer.slice(0, MAX_ERROR_CHARS)}` : ''}`;
    if (status === 429) return { kind: 'wait', waitMs: retryAfterMs(retryAfter, answer), error };
    if (status >= 500 || status === 408 || status === 425) return { kind: 'retry', error };
    return { kind: 'fail', error };
  }
}

/** Without a usable Retry-After, wait this long after a 429. */
const DEFAULT_WAIT_MS = 5_000;
/** Never wait longer than this on a receiver's word. */
const MAX_WAIT_MS = 15 * 60_000;

/**
 * How long a 429 asks to wait: the Retry-After header (seconds, or an HTTP date), else
 * Discord's `retry_after` (seconds, fractional) in the JSON body.
 */
export function retryAfterMs(header: unknown, body: string, nowMs = Date.now()): number {
  let ms: number | undefined;
  if (typeof header === 'string' && header.trim() !== '') {
    const seconds = Number(header);
    ms = Number.isFinite(seconds) ? seconds * 1_000 : Date.parse(header) - nowMs;
  }
  if (ms === undefined || !Number.isFinite(ms)) {
    try {
      const parsed = JSON.parse(body) as { retry_after?: unknown };
      if (typeof parsed.retry_after === 'number') ms = parsed.retry_after * 1_000;
    } catch {
      // Not JSON: the default below.
    }
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return DEFAULT_WAIT_MS;
  return Math.min(Math.ceil(ms), MAX_WAIT_MS);
}

function networkError(err: unknown): string {
  if (axios.isAxiosError(err)) {
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return 'no answer in time';
    return err.code ? `${err.code}: ${err.message}` : err.message;
  }
  return String(err);
}
