/*
 * One query's exchange with one ip:port over the shared UDP socket (see udp.ts): sends,
 * and a bounded queue of the datagrams that came from that ip:port. Opened by
 * UdpTransport.open, closed by its user (try/finally), which hands the ip:port on.
 */
import type dgram from 'node:dgram';
import { ProviderError } from '../provider.error.js';

/** Where a UDP conversation goes: an IP literal (never a name) and a port. */
export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

/** How the transport keys an ip:port: a number for IPv4, text for IPv6 (see udp.ts). */
export type EndpointKey = number | string;

/** An ip:port in use: its conversation, and the queries waiting to talk to it. */
export interface EndpointSlot {
  /** Its key in the transport's map of endpoints in use. */
  readonly key: EndpointKey;
  conversation: UdpConversation | undefined;
  /** Queries waiting for the endpoint, first come first served (made on first contention). */
  queue: (() => void)[] | undefined;
}

/** What a conversation needs from the transport that opened it. */
export interface ConversationOwner {
  readonly stats: UdpStats;
  /** Bytes held per conversation before later datagrams are dropped. */
  readonly maxQueuedBytes: number;
  /** The callback of every send: fails the conversation a send error names. */
  readonly onSent: (err: Error | null) => void;
  /** Called once by {@link UdpConversation.close}: hands the endpoint to the next query. */
  closed(conversation: UdpConversation): void;
}

/** Counters for monitoring the shared socket. */
export interface UdpStats {
  /** Datagrams delivered to a conversation. */
  delivered: number;
  /** Datagrams from an address and port nobody is talking to (late or stray). */
  unmatched: number;
  /** Datagrams dropped because a conversation's queue was full. */
  overflowed: number;
}

// Made once: creating an Error (its stack) on every query costs more than the query.
const NO_REPLY = new ProviderError('timeout', 'no reply in time');
const ABORTED = new ProviderError('timeout', 'aborted');
const ENDED = new ProviderError('protocol', 'conversation ended');

/** Ends a pending receive that was given its own time limit. */
function receiveTimedOut(conversation: UdpConversation): void {
  conversation.expireReceive();
}

/**
 * One query's exchange with one ip:port on the shared socket. Kept lean (no closure per
 * datagram or per receive): a fleet runs tens of thousands of these a second.
 */
export class UdpConversation {
  /** Datagrams that came while no receive was pending; made on first need. */
  private queue: Buffer[] | undefined;
  private queuedBytes = 0;
  private resolveNext: ((d: Buffer) => void) | undefined;
  private rejectNext: ((e: ProviderError) => void) | undefined;
  private receiveTimer: NodeJS.Timeout | undefined;
  private failure: ProviderError | undefined;
  private isClosed = false;

  /** @internal created by UdpTransport.open only. */
  constructor(
    readonly endpoint: UdpEndpoint,
    /** @internal the endpoint this conversation holds. */
    readonly slot: EndpointSlot,
    /** @internal aborting it fails the conversation. */
    readonly signal: AbortSignal,
    private readonly socket: dgram.Socket,
    private readonly owner: ConversationOwner,
  ) {}

  /**
   * Identifies the ip:port (a number for IPv4): a cheap key for what a provider keeps per
   * server between queries, such as an A2S challenge.
   */
  get serverKey(): EndpointKey {
    return this.slot.key;
  }

  /** Sends one datagram; a send error (no route, ...) fails the next {@link receive}. */
  send(data: Uint8Array): void {
    if (this.failure) return;
    this.socket.send(data, this.endpoint.port, this.endpoint.address, this.owner.onSent);
  }

  /**
   * Ends the conversation and hands the endpoint to the next query waiting for it. Call it
   * exactly when done, in a `finally`: until then no other query can talk to this ip:port.
   * Later calls do nothing.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.fail(ENDED);
    this.owner.closed(this);
  }

  /**
   * The next datagram from the endpoint. Rejects with `timeout` when the conversation's
   * signal aborts or, if given, after `timeoutMs` (for an optional reply), leaving the
   * conversation usable in that second case.
   */
  receive(timeoutMs?: number): Promise<Buffer> {
    if (this.resolveNext) throw new Error('UdpConversation: a receive is already pending');
    const queued = this.queue?.shift();
    if (queued) {
      this.queuedBytes -= queued.length;
      return Promise.resolve(queued);
    }
    if (this.failure) return Promise.reject(this.failure);
    const next = new Promise<Buffer>((resolve, reject) => {
      this.resolveNext = resolve;
      this.rejectNext = reject;
    });
    if (timeoutMs !== undefined) this.receiveTimer = setTimeout(receiveTimedOut, timeoutMs, this);
    return next;
  }

  /** @internal called by the transport for each datagram from the endpoint. */
  deliver(datagram: Buffer): void {
    if (this.failure) return;
    const resolve = this.resolveNext;
    if (resolve) {
      this.settleReceive();
      this.owner.stats.delivered++;
      resolve(datagram);
      return;
    }
    if (this.queuedBytes + datagram.length > this.owner.maxQueuedBytes) {
      this.owner.stats.overflowed++;
      return;
    }
    this.owner.stats.delivered++;
    (this.queue ??= []).push(datagram);
    this.queuedBytes += datagram.length;
  }

  /** @internal ends the conversation; pending and later receives reject with `err`. */
  fail(err: ProviderError): void {
    this.failure ??= err;
    this.queue = undefined;
    this.queuedBytes = 0;
    const reject = this.rejectNext;
    this.settleReceive();
    reject?.(this.failure);
  }

  /** @internal the signal's abort listener (an object listener needs no closure). */
  handleEvent(): void {
    this.fail(ABORTED);
  }

  /** @internal the pending receive's own time limit ran out; the conversation goes on. */
  expireReceive(): void {
    const reject = this.rejectNext;
    this.receiveTimer = undefined;
    this.settleReceive();
    reject?.(NO_REPLY);
  }

  private settleReceive(): void {
    this.resolveNext = undefined;
    this.rejectNext = undefined;
    if (this.receiveTimer !== undefined) {
      clearTimeout(this.receiveTimer);
      this.receiveTimer = undefined;
    }
  }
}
