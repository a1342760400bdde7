import net from 'node:net';
import type { ResolvedTarget } from '../game-provider.js';
import { ProviderError, toProviderError } from '../provider.error.js';

/**
 * Finds one complete frame at the start of `buffered`. Returns the decoded value and how
 * many bytes it used, or `undefined` while more bytes are needed; throws a ProviderError
 * when the bytes can never become a valid frame. `buffered` is a view of the connection's
 * buffer, valid only during the call: copy whatever the value keeps.
 */
export type FrameDecoder<T> = (buffered: Buffer) => { value: T; size: number } | undefined;

/** Where to connect: an IP address (names are resolved before, through the DNS cache). */
export type TcpEndpoint = Pick<ResolvedTarget, 'address' | 'port'>;

export interface TcpConnectOptions {
  /** Aborting destroys the socket and rejects any pending read with `timeout`. */
  signal: AbortSignal;
  /** Hard cap on bytes held while waiting for a complete frame. */
  maxBufferedBytes: number;
}

interface PendingRead {
  decode: FrameDecoder<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: ProviderError) => void;
}

/**
 * One TCP connection to a game server: connect under an AbortSignal, write, and read
 * whole frames through a decoder with a hard cap on buffered bytes, so an endless or
 * oversized reply costs at most `maxBufferedBytes` of memory.
 */
export class TcpConnection {
  private buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  private failure: ProviderError | undefined;
  private ended = false;
  private connected = false;
  private connectTookMs = 0;
  private pending: PendingRead | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly maxBufferedBytes: number,
    private readonly signal: AbortSignal,
  ) {
    // Always listening for 'error': an unhandled socket error would crash the process.
    socket.on('error', (err) =>
      this.fail(toProviderError(err, this.connected ? 'exchange' : 'connect')),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onEnd());
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Milliseconds from the start of the TCP handshake to connected (addresses come resolved). */
  get connectMs(): number {
    return this.connectTookMs;
  }

  /** Connects to `target.address`; rejects with a ProviderError (`refused`, `timeout`, ...). */
  static async open(target: TcpEndpoint, opts: TcpConnectOptions): Promise<TcpConnection> {
    if (opts.signal.aborted) throw new ProviderError('timeout', 'aborted before connecting');
    const socket = net.connect({ host: target.address, port: target.port, noDelay: true });
    const conn = new TcpConnection(socket, opts.maxBufferedBytes, opts.signal);
    const startedAt = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        const onConnect = () => {
          conn.connectTookMs = performance.now() - startedAt;
          conn.connected = true;
          socket.off('error', onError);
          opts.signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onError = (err: Error) => {
          opts.signal.removeEventListener('abort', onAbort);
          reject(toProviderError(err, 'connect'));
        };
        const onAbort = () => {
          socket.off('connect', onConnect);
          socket.off('error', onError);
          reject(new ProviderError('timeout', 'aborted while connecting'));
        };
        socket.once('connect', onConnect);
        socket.once('error', onError);
        opts.signal.addEventListener('abort', onAbort, { once: true });
      });
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  /** Queues bytes for sending; a write failure surfaces through the next read. */
  write(data: Uint8Array): void {
    if (this.failure === undefined) this.socket.write(data);
  }

  /**
   * Resolves with the next complete frame. Bytes after it stay buffered for the next read.
   * @param signal aborts only this read (e.g. an optional second exchange) with `timeout`,
   *   leaving the connection open.
   */
  read<T>(decode: FrameDecoder<T>, signal?: AbortSignal): Promise<T> {
    if (this.pending) throw new Error('TcpConnection: a read is already pending');
    return new Promise<T>((resolve, reject) => {
      let onReadAbort: (() => void) | undefined;
      const settle = () => {
        this.pending = undefined;
        if (onReadAbort) signal?.removeEventListener('abort', onReadAbort);
      };
      this.pending = {
        decode,
        resolve: (value) => {
          settle();
          resolve(value as T);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      if (signal) {
        onReadAbort = () => this.pending?.reject(new ProviderError('timeout', 'no reply in time'));
        if (signal.aborted) return onReadAbort();
        signal.addEventListener('abort', onReadAbort, { once: true });
      }
      this.drive();
    });
  }

  /** Destroys the socket. Safe to call more than once. */
  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.fail(new ProviderError('protocol', 'connection closed'));
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    const held = this.end - this.start;
    if (held + chunk.length > this.maxBufferedBytes) {
      this.fail(new ProviderError('protocol', `reply exceeds ${this.maxBufferedBytes} bytes`));
      return;
    }
    if (this.end + chunk.length > this.buffer.length) {
      const needed = held + chunk.length;
      if (needed <= this.buffer.length) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const capacity = Math.min(
          Math.max(needed, this.buffer.length * 2, 4096),
          this.maxBufferedBytes,
        );
        const grown = Buffer.allocUnsafe(capacity);
        this.buffer.copy(grown, 0, this.start, this.end);
        this.buffer = grown;
      }
      this.start = 0;
      this.end = held;
    }
    chunk.copy(this.buffer, this.end);
    this.end += chunk.length;
    this.drive();
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.drive();
  }

  private readonly onAbort = (): void => {
    this.fail(new ProviderError('timeout', 'aborted'));
  };

  /** Runs the pending decoder over what is buffered, and settles the read if it can. */
  private drive(): void {
    const pending = this.pending;
    if (!pending) return;
    if (this.failure) return pending.reject(this.failure);
    let decoded: { value: unknown; size: number } | undefined;
    try {
      decoded = pending.decode(this.buffer.subarray(this.start, this.end));
    } catch (err) {
      return this.fail(toProviderError(err));
    }
    if (decoded) {
      this.start += Math.min(decoded.size, this.end - this.start);
      return pending.resolve(decoded.value);
    }
    if (this.ended) {
      this.fail(new ProviderError('protocol', 'connection closed before a complete reply'));
    }
  }

  private fail(err: ProviderError): void {
    if (this.failure === undefined) {
      this.failure = err;
      this.socket.destroy();
      // Release the buffer now: the connection object may outlive the query briefly.
      this.buffer = Buffer.alloc(0);
      this.start = this.end = 0;
    }
    this.pending?.reject(this.failure);
  }
}

/** Opens a connection, runs `session` on it, and always destroys the socket afterwards. */
export async function withTcpConnection<T>(
  target: TcpEndpoint,
  opts: TcpConnectOptions,
  session: (conn: TcpConnection) => Promise<T>,
): Promise<T> {
  const conn = await TcpConnection.open(target, opts);
  try {
    return await session(conn);
  } finally {
    conn.close();
  }
}
