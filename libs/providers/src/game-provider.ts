import type { ServerStatus } from '#common';
import { ProviderError, toProviderError } from './provider.error.js';

/** How a provider talks to its game servers. */
export type Transport = 'tcp' | 'udp' | 'http';

/** One game a provider covers. The id is GameDig's id wherever GameDig has one. */
export interface GameDefinition {
  readonly id: string;
  readonly name: string;
  readonly defaultPort: number;
}

/** Where to query. A port of 0 or undefined means the provider's default port. */
export interface QueryTarget {
  host: string;
  port?: number | undefined;
}

/** A target after validation: the port is always a real one. */
export interface ResolvedTarget {
  readonly host: string;
  readonly port: number;
}

export interface QueryOptions {
  /** The whole attempt (name resolution, connect, exchange) must finish within this. */
  timeoutMs: number;
  /** Lets the caller cancel early, e.g. on shutdown. */
  signal?: AbortSignal | undefined;
}

/** Extra facts about the attempt's budget, for protocols with an optional second exchange. */
export interface AttemptContext {
  /** `performance.now()` value at which the attempt's timeout fires. */
  readonly deadline: number;
}

/**
 * Base of every protocol provider: one attempt under a timeout, every failure a
 * {@link ProviderError}. Retries belong to the queue (BullMQ), never here.
 */
export abstract class GameProvider {
  /** Protocol id, e.g. `minecraft`. */
  abstract readonly id: string;
  /** Games answered by this protocol. */
  abstract readonly games: readonly GameDefinition[];
  abstract readonly defaultPort: number;
  abstract readonly transport: Transport;

  /**
   * Queries one game server once.
   *
   * Settles by `timeoutMs` even if the protocol code ignores the signal.
   * @throws ProviderError for every failure of the server or the network
   *   (an unexpected error becomes `protocol`; an abort by the caller becomes `timeout`).
   * @throws RangeError when `timeoutMs` is not a positive number (a programming error).
   */
  async query(target: QueryTarget, opts: QueryOptions): Promise<ServerStatus> {
    const timeoutMs = Math.ceil(opts.timeoutMs);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${opts.timeoutMs}`);
    }
    const deadline = performance.now() + timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      const resolved = this.resolveTarget(target);
      signal.throwIfAborted();
      return await settleByAbort(this.attempt(resolved, signal, { deadline }), signal);
    } catch (err) {
      // A definite answer (refused, protocol, ...) stands even if the timer fired meanwhile.
      if (err instanceof ProviderError && err.code !== 'timeout') throw err;
      if (timeout.aborted) {
        throw new ProviderError('timeout', `no complete reply within ${timeoutMs} ms`, {
          cause: err,
        });
      }
      if (opts.signal?.aborted) {
        throw new ProviderError('timeout', 'query aborted before a reply', { cause: err });
      }
      throw toProviderError(err);
    }
  }

  /**
   * One exchange with the server. Must stop its I/O when `signal` aborts; may throw
   * anything (the base maps it), preferably a ProviderError with a precise code.
   */
  protected abstract attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus>;

  private resolveTarget(target: QueryTarget): ResolvedTarget {
    const host = target.host.trim();
    if (host === '') throw new ProviderError('dns', 'empty host name');
    const port = target.port === undefined || target.port === 0 ? this.defaultPort : target.port;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ProviderError('unreachable', `invalid port ${target.port}`);
    }
    return { host, port };
  }
}

/** Settles with `work`, or rejects with the abort reason as soon as `signal` aborts. */
async function settleByAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // The loser may still reject later; that outcome is already decided.
    void work.catch(() => undefined);
  }
}
