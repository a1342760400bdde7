/*
 * One query's exchange with one ip:port over the shared UDP socket (see udp.ts): sends,
 * and a bounded queue of the datagrams that came from that ip:port.
 */
import type dgram from 'node:dgram';
import { ProviderError, toProviderError } from '../provider.error.js';

/** Where a UDP conversation goes: an IP literal (never a name) and a port. */
export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
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

/** One query's exchange with one ip:port on the shared socket. */
export class UdpConversation {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private waiter: { resolve: (d: Buffer) => void; reject: (e: ProviderError) => void } | undefined;
  private failure: ProviderError | undefined;

  /** @internal created by {@link UdpTransport.converse} only. */
  constructor(
    readonly endpoint: UdpEndpoint,
    private readonly socket: dgram.Socket,
    private readonly maxQueuedBytes: number,
    private readonly stats: UdpStats,
  ) {}

  /** Sends one datagram; a send error (no route, ...) fails the next {@link receive}. */
  send(data: Uint8Array): void {
    if (this.failure) return;
    this.socket.send(data, this.endpoint.port, this.endpoint.address, (err) => {
      if (err) this.fail(toProviderError(err, 'connect'));
    });
  }

  /**
   * The next datagram from the endpoint. Rejects with `timeout` when the conversation's
   * signal aborts or, if given, after `timeoutMs` (for an optional reply), leaving the
   * conversation usable in that second case.
   */
  receive(timeoutMs?: number): Promise<Buffer> {
    if (this.waiter) throw new Error('UdpConversation: a receive is already pending');
    const queued = this.queue.shift();
    if (queued) {
      this.queuedBytes -= queued.length;
      return Promise.resolve(queued);
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Buffer>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiter = undefined;
              reject(NO_REPLY);
            }, timeoutMs);
      this.waiter = {
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** @internal called by the transport for each datagram from the endpoint. */
  deliver(datagram: Buffer): void {
    if (this.failure) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.stats.delivered++;
      waiter.resolve(datagram);
      return;
    }
    if (this.queuedBytes + datagram.length > this.maxQueuedBytes) {
      this.stats.overflowed++;
      return;
    }
    this.stats.delivered++;
    this.queue.push(datagram);
    this.queuedBytes += datagram.length;
  }

  /** @internal ends the conversation; pending and later receives reject with `err`. */
  fail(err: ProviderError): void {
    this.failure ??= err;
    this.queue.length = 0;
    this.queuedBytes = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }
}
