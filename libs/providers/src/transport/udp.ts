/*
 * One UDP socket per address family (udp4, udp6) for every UDP query of the process.
 *
 * Why shared: a socket per query costs a file descriptor and a bind per poll, and the
 * kernel's default receive buffer drops replies at fleet rates; one socket with a buffer
 * of several MB loses none (DESIGN.md). Replies are matched to queries by source address
 * and port in a map (O(1) per datagram). Two queries to the same ip:port are never in
 * flight together (their replies could cross): the second waits for the first.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { ProviderError, toProviderError } from '../provider.error.js';
import { UdpConversation, type UdpEndpoint, type UdpStats } from './udp-conversation.js';

export type { UdpEndpoint, UdpStats } from './udp-conversation.js';
export { UdpConversation } from './udp-conversation.js';

export interface UdpTransportOptions {
  /** SO_RCVBUF asked of the kernel (Linux grants at most net.core.rmem_max, doubled). */
  receiveBufferBytes: number;
  /** Bytes held per conversation before later datagrams are dropped. */
  maxQueuedBytes?: number;
}

const DEFAULT_MAX_QUEUED_BYTES = 512 * 1024;

// Made once: creating an Error (its stack) on every query costs more than the query.
const ENDED = new ProviderError('protocol', 'conversation ended');
const ABORTED = new ProviderError('timeout', 'aborted');
const WAIT_ABORTED = new ProviderError('timeout', 'aborted while waiting for the endpoint');

/** The same address always gives the same key, whatever its spelling (`::1`, `0::1`). */
function endpointKey(address: string, port: number): string {
  return `${canonicalAddress(address)}|${port}`;
}

/** The key of a datagram's source; never throws (a scoped IPv6 source matches nothing). */
function sourceKey(rinfo: dgram.RemoteInfo): string {
  if (rinfo.family === 'IPv4') return `${rinfo.address}|${rinfo.port}`;
  try {
    return endpointKey(rinfo.address, rinfo.port);
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
export class UdpTransport {
  readonly stats: UdpStats = { delivered: 0, unmatched: 0, overflowed: 0 };
  private readonly sockets = new Map<4 | 6, Promise<dgram.Socket>>();
  /** The same sockets once bound, to skip a promise per query. */
  private readonly bound = new Map<4 | 6, dgram.Socket>();
  private readonly active = new Map<string, UdpConversation>();
  /** Endpoints in use, each with the queries waiting for it, first come first served. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(private readonly options: UdpTransportOptions) {}

  /**
   * Runs `exchange` as the only conversation with `endpoint`: it starts once any earlier
   * one with the same ip:port has ended, and datagrams from that ip:port go to it alone.
   * Datagrams from any other source, including another port of the same host, never reach it.
   */
  async converse<T>(
    endpoint: UdpEndpoint,
    signal: AbortSignal,
    exchange: (conversation: UdpConversation) => Promise<T>,
  ): Promise<T> {
    if (this.closed) throw new ProviderError('unreachable', 'UDP transport closed');
    // Addresses come resolved; only IPv6 has several spellings of one address.
    const address = endpoint.address.includes(':')
      ? canonicalAddress(endpoint.address)
      : endpoint.address;
    const family = address.includes(':') ? 6 : 4;
    const key = `${address}|${endpoint.port}`;
    const waiting = this.waiting.get(key);
    if (waiting) await this.waitTurn(waiting, signal);
    else this.waiting.set(key, []);
    try {
      // The turn may come just after the query gave up: never start a conversation then,
      // it would wait for a reply nobody ends.
      if (signal.aborted) throw ABORTED;
      const conversation = new UdpConversation(
        { address, port: endpoint.port },
        this.bound.get(family) ?? (await this.socket(family)),
        this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
        this.stats,
      );
      this.active.set(key, conversation);
      const onAbort = () => conversation.fail(ABORTED);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort(); // aborted while the socket was being bound
      try {
        return await exchange(conversation);
      } finally {
        signal.removeEventListener('abort', onAbort);
        conversation.fail(ENDED);
        this.active.delete(key);
      }
    } finally {
      // Hand the endpoint to the next query waiting for it, or free it.
      const next = this.waiting.get(key)?.shift();
      if (next) next();
      else this.waiting.delete(key);
    }
  }

  /** Waits in `queue` for the endpoint; rejects with `timeout` (leaving the queue) on abort. */
  private waitTurn(queue: (() => void)[], signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(WAIT_ABORTED);
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
    this.closed = true;
    for (const conversation of this.active.values()) {
      conversation.fail(new ProviderError('unreachable', 'UDP transport closed'));
    }
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
      socket = this.open(family);
      this.sockets.set(family, socket);
      // A family this host cannot use (no IPv6) fails each query, not the process.
      socket.catch(() => this.sockets.delete(family));
    }
    return socket;
  }

  private async open(family: 4 | 6): Promise<dgram.Socket> {
    const socket = dgram.createSocket({
      type: family === 4 ? 'udp4' : 'udp6',
      ipv6Only: family === 6,
      recvBufferSize: this.options.receiveBufferBytes,
    });
    socket.on('message', (datagram, rinfo) => {
      const conversation = this.active.get(sourceKey(rinfo));
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
