/*
 * One UDP socket per address family (udp4, udp6) for every UDP query of the process.
 *
 * Why shared: a socket per query costs a file descriptor and a bind per poll, and the
 * kernel's default receive buffer drops replies at fleet rates; one socket with a buffer
 * of several MB loses none. Replies are matched to queries by source address
 * and port in a map (O(1) per datagram). Two queries to the same ip:port are never in
 * flight together (their replies could cross): the second waits for the first to close.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { ProviderError, toProviderError } from '../provider.error.js';
import {
  type ConversationOwner,
  type EndpointKey,
  type EndpointSlot,
  UdpConversation,
  type UdpEndpoint,
  type UdpStats,
} from './udp-conversation.js';

export type { EndpointKey, UdpEndpoint, UdpStats } from './udp-conversation.js';
export { UdpConversation } from './udp-conversation.js';

export interface UdpTransportOptions {
  /** SO_RCVBUF asked of the kernel (Linux grants at most net.core.rmem_max, doubled). */
  receiveBufferBytes: number;
  /** Bytes held per conversation before later datagrams are dropped. */
  maxQueuedBytes?: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 512 * 1024;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

// Made once: creating an Error (its stack) on every query costs more than the query.
const ABORTED = new ProviderError('timeout', 'aborted');
const WAIT_ABORTED = new ProviderError('timeout', 'aborted while waiting for the endpoint');

/**
 * The map key of an endpoint, from its canonical address: for IPv4 a number (address x 65536
 * + port), for IPv6 the text `address|port`. A number because the key of every datagram's
 * source is built and looked up: a string would be built, then hashed and interned by the
 * map, and that showed in the profile.
 */
function endpointKey(address: string, port: number): EndpointKey {
  const v4 = ipv4Value(address);
  return v4 === undefined ? `${address}|${port}` : v4 * 65_536 + port;
}

/** The 32-bit value of a dotted-quad IPv4 address (as Node writes them), else undefined. */
function ipv4Value(address: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === DOT && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (code >= DIGIT_0 && code <= DIGIT_9 && digits < 3) {
      part = part * 10 + (code - DIGIT_0);
      digits++;
      if (part > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + part : undefined;
}

/** The key of a datagram's source; never throws (a scoped IPv6 source matches nothing). */
function sourceKey(rinfo: dgram.RemoteInfo): EndpointKey {
  if (rinfo.family === 'IPv4') return endpointKey(rinfo.address, rinfo.port);
  try {
    return endpointKey(canonicalAddress(rinfo.address), rinfo.port);
  } catch {
    return `${rinfo.address}|${rinfo.port}`;
  }
}

/** IPv6 in its compressed lowercase form, IPv4-mapped IPv6 as plain IPv4. */
export function canonicalAddress(address: string): string {
  if (net.isIPv4(address)) return address;
  if (!net.isIPv6(address)) throw new ProviderError('dns', `'${address}' is not an IP address`);
  const host = new URL(`udp://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/u.exec(host);
  if (!mapped) return host;
  const high = parseInt(mapped[1] ?? '0', 16);
  const low = parseInt(mapped[2] ?? '0', 16);
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The process's shared UDP sockets; see the file header. */
export class UdpTransport implements ConversationOwner {
  readonly stats: UdpStats = { delivered: 0, unmatched: 0, overflowed: 0 };
  readonly maxQueuedBytes: number;
  private readonly sockets = new Map<4 | 6, Promise<dgram.Socket>>();
  /** The same sockets once bound, to skip a promise per query. */
  private readonly bound = new Map<4 | 6, dgram.Socket>();
  /**
   * Endpoints in use, by {@link endpointKey}: one entry from the first query's start to the
   * last waiting query's end, so a query costs one lookup, one insert and one delete here.
   */
  private readonly endpoints = new Map<EndpointKey, EndpointSlot>();
  private isClosed = false;

  constructor(private readonly options: UdpTransportOptions) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  }

  /**
   * Opens the only conversation with `endpoint`: at once (no promise) when nobody talks to
   * that ip:port and the socket is bound, else once the earlier conversation has closed.
   * Datagrams from that ip:port then go to it alone; datagrams from any other source,
   * including another port of the same host, never reach it. Aborting `signal` fails it
   * (or the wait for it, with `timeout`).
   *
   * Close it in a `finally` ({@link UdpConversation.close}): a conversation is a lock on the
   * ip:port, and a method rather than a callback so that a query costs no promise here.
   * @throws ProviderError `unreachable` once the transport is closed.
   */
  open(endpoint: UdpEndpoint, signal: AbortSignal): UdpConversation | Promise<UdpConversation> {
    if (this.isClosed) throw new ProviderError('unreachable', 'UDP transport closed');
    // Addresses come resolved; only IPv6 has several spellings of one address.
    const address = endpoint.address.includes(':')
      ? canonicalAddress(endpoint.address)
      : endpoint.address;
    const key = endpointKey(address, endpoint.port);
    const busy = this.endpoints.get(key);
    if (busy) {
      const start = () => this.start(busy, address, endpoint.port, signal);
      return this.waitTurn(busy, signal).then(start);
    }
    const slot: EndpointSlot = { key, conversation: undefined, queue: undefined };
    this.endpoints.set(key, slot);
    return this.start(slot, address, endpoint.port, signal);
  }

  /** @internal called once by {@link UdpConversation.close}. */
  closed(conversation: UdpConversation): void {
    conversation.signal.removeEventListener('abort', conversation);
    conversation.slot.conversation = undefined;
    this.handOver(conversation.slot);
  }

  /**
   * Node reports a failed send (no route, ...) to its callback with the ip:port it was sent
   * to: the conversation with that endpoint fails at once instead of waiting out its timeout.
   * One function for every send, rather than a closure per datagram.
   */
  readonly onSent = (err: Error | null): void => {
    if (!err) return;
    const { address, port } = err as { address?: unknown; port?: unknown };
    if (typeof address !== 'string' || typeof port !== 'number') return;
    this.endpoints
      .get(endpointKey(address, port))
      ?.conversation?.fail(toProviderError(err, 'connect'));
  };

  /** Starts the conversation of a query whose turn it is, once the socket is bound. */
  private start(
    slot: EndpointSlot,
    address: string,
    port: number,
    signal: AbortSignal,
  ): UdpConversation | Promise<UdpConversation> {
    const family = address.includes(':') ? 6 : 4;
    const socket = this.bound.get(family);
    if (socket) return this.begin(slot, { address, port }, signal, socket);
    return this.socket(family).then(
      (bound) => this.begin(slot, { address, port }, signal, bound),
      (err: unknown) => {
        this.handOver(slot);
        throw err;
      },
    );
  }

  private begin(
    slot: EndpointSlot,
    endpoint: UdpEndpoint,
    signal: AbortSignal,
    socket: dgram.Socket,
  ): UdpConversation {
    // The turn may come just after the query gave up: never start a conversation then,
    // it would wait for a reply nobody ends.
    if (signal.aborted) {
      this.handOver(slot);
      throw ABORTED;
    }
    const conversation = new UdpConversation(endpoint, slot, signal, socket, this);
    slot.conversation = conversation;
    // The conversation is its own abort listener (handleEvent): no closure per query, and
    // no `once` option to check, as close() removes it.
    signal.addEventListener('abort', conversation);
    return conversation;
  }

  /** Gives the endpoint to the next query waiting for it, or frees it. */
  private handOver(slot: EndpointSlot): void {
    const next = slot.queue?.shift();
    if (next) next();
    else this.endpoints.delete(slot.key);
  }

  /** Waits in line for the endpoint; rejects with `timeout` (leaving the line) on abort. */
  private waitTurn(slot: EndpointSlot, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(WAIT_ABORTED);
    const queue = (slot.queue ??= []);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = queue.indexOf(turn);
        if (at >= 0) queue.splice(at, 1);
        reject(WAIT_ABORTED);
      };
      const turn = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(turn);
    });
  }

  /** The receive buffer the kernel granted to each open socket, in bytes. */
  async receiveBufferSizes(): Promise<{ udp4?: number; udp6?: number }> {
    const sizes: { udp4?: number; udp6?: number } = {};
    for (const [family, socket] of this.sockets) {
      const size = await socket.then(
        (s) => s.getRecvBufferSize(),
        () => undefined,
      );
      if (size !== undefined) sizes[family === 4 ? 'udp4' : 'udp6'] = size;
    }
    return sizes;
  }

  /** Closes the sockets; conversations still running fail. */
  async close(): Promise<void> {
    this.isClosed = true;
    const closing = new ProviderError('unreachable', 'UDP transport closed');
    for (const slot of this.endpoints.values()) slot.conversation?.fail(closing);
    const sockets = [...this.sockets.values()];
    this.sockets.clear();
    this.bound.clear();
    await Promise.all(
      sockets.map(async (pending) => {
        const socket = await pending.catch(() => undefined);
        if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
      }),
    );
  }

  private socket(family: 4 | 6): Promise<dgram.Socket> {
    let socket = this.sockets.get(family);
    if (!socket) {
      socket = this.bindSocket(family);
      this.sockets.set(family, socket);
      // A family this host cannot use (no IPv6) fails each query, not the process.
      socket.catch(() => this.sockets.delete(family));
    }
    return socket;
  }

  private async bindSocket(family: 4 | 6): Promise<dgram.Socket> {
    const socket = dgram.createSocket({
      type: family === 4 ? 'udp4' : 'udp6',
      ipv6Only: family === 6,
      recvBufferSize: this.options.receiveBufferBytes,
    });
    socket.on('message', (datagram, rinfo) => {
      const conversation = this.endpoints.get(sourceKey(rinfo))?.conversation;
      if (conversation) conversation.deliver(datagram);
      else this.stats.unmatched++;
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port: 0, address: family === 4 ? '0.0.0.0' : '::' }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      socket.close();
      throw toProviderError(err, 'connect');
    }
    // Errors after bind (ICMP reports on some systems) concern one send, already handled there.
    // The socket stays referenced: a query waiting for a reply must keep the process alive
    // (AbortSignal.timeout's timer does not); close() releases it.
    socket.on('error', () => undefined);
    this.bound.set(family, socket);
    return socket;
  }
}
