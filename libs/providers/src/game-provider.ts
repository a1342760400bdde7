import net from 'node:net';
import type { ServerStatus } from '#common';
import type { ProviderServices } from './provider-services.js';
import type { HostLimiter } from './transport/host-limiter.js';
import { ProviderError, toProviderError } from './provider.error.js';

/** How a provider talks to its game servers. */
export type Transport = 'tcp' | 'udp' | 'http';

/** One game a provider covers. The id is GameDig's id wherever GameDig has one. */
export interface GameDefinition {
  readonly id: string;
  readonly name: string;
  /** Port queried when none is given; null when the game has no usual port. */
  readonly defaultPort: number | null;
  /** The usual game (connect) port when it differs from the query port, else null. */
  readonly gamePort: number | null;
  /** Query port = game port + this, for games that work that way, else null. */
  readonly queryPortOffset: number | null;
}

/** Where to query. A port of 0 or undefined means the game's default port. */
export interface QueryTarget {
  host: string;
  port?: number | undefined;
}

/** A host name (or IP literal) and a port, before name resolution. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** A target after validation and name resolution. */
export interface ResolvedTarget extends HostPort {
  /** The IP address to talk to (for a provider that never resolves, the host itself). */
  readonly address: string;
}

export interface QueryOptions {
  /** The whole attempt (name resolution, waiting for a slot, exchange) must finish within this. */
  timeoutMs: number;
  /** Lets the caller cancel early, e.g. on shutdown. */
  signal?: AbortSignal | undefined;
}

/** What an attempt knows besides its target. */
export interface AttemptContext {
  /** `performance.now()` value at which the attempt's timeout fires. */
  readonly deadline: number;
  /** The game being queried (its id, ports). */
  readonly game: GameDefinition;
  /** Whether the caller named a port (false: the game's default port is used). */
  readonly portGiven: boolean;
}

type Phase = 'resolving' | 'waiting' | 'querying';

// Abort reasons, made once: an Error's stack costs more than the rest of a fast query.
const QUERY_TIMED_OUT = new ProviderError('timeout', 'query timed out');
const QUERY_ABORTED = new ProviderError('timeout', 'query aborted');

function attemptTimedOut(attempt: QueryAttempt): void {
  attempt.expire();
}

/**
 * One query's bookkeeping for the base class, in one object with no closure of its own:
 * at tens of thousands of queries a second, each allocation and listener shows in the
 * profile. The query settles through {@link outcome}: the attempt's result, or the timer,
 * or the caller's abort, whichever comes first, even if the attempt ignores its signal.
 */
class QueryAttempt {
  readonly controller = new AbortController();
  readonly deadline: number;
  readonly outcome: Promise<ServerStatus>;
  resolve!: (status: ServerStatus) => void;
  reject!: (err: unknown) => void;
  phase: Phase = 'resolving';
  target: ResolvedTarget | undefined;
  timedOut = false;
  /** The host whose per-host slot the query holds, if it holds one. */
  private slot: string | undefined;
  private ended = false;
  // A timer cleared at the end rather than AbortSignal.timeout(), which costs a lot more.
  private readonly timer: NodeJS.Timeout;

  constructor(
    timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
    private readonly hosts: HostLimiter,
  ) {
    this.deadline = performance.now() + timeoutMs;
    this.outcome = new Promise<ServerStatus>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(attemptTimedOut, timeoutMs, this);
    // The attempt is its own abort listener (handleEvent): no closure per query.
    callerSignal?.addEventListener('abort', this);
  }

  /** Takes a slot for `host`: now (undefined) or the wait for one. */
  acquireSlot(host: string): Promise<void> | undefined {
    const waiting = this.hosts.acquire(host, this.controller.signal);
    if (waiting) return waiting.then(() => this.holdSlot(host));
    this.holdSlot(host);
    return undefined;
  }

  /** Gives the slot back, if one is held; safe to call more than once. */
  releaseSlot(): void {
    if (this.slot === undefined) return;
    this.hosts.release(this.slot);
    this.slot = undefined;
  }

  /** The timer fired: the query fails now and the attempt's signal aborts. */
  expire(): void {
    this.timedOut = true;
    this.reject(QUERY_TIMED_OUT);
    this.controller.abort(QUERY_TIMED_OUT);
  }

  /** The caller aborted (listener on its signal). */
  handleEvent(): void {
    this.reject(QUERY_ABORTED);
    this.controller.abort(QUERY_ABORTED);
  }

  /** The query settled: stop the timer, leave the caller's signal, free the host's slot. */
  end(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this);
    this.releaseSlot();
  }

  private holdSlot(host: string): void {
    this.slot = host;
    // A slot granted as the query ended (a race of the same tick) goes straight back.
    if (this.ended) this.releaseSlot();
  }
}

/**
 * Base of every protocol provider: one attempt under a timeout, every failure a
 * {@link ProviderError}. Retries belong to the queue (BullMQ), never here. The base
 * resolves the host through the shared DNS cache and holds a per-host slot around
 * the exchange, so every protocol gets both without asking.
 */
export abstract class GameProvider {
  /** Protocol id, e.g. `minecraft`. */
  abstract readonly id: string;
  /** Games this provider answers by default. */
  abstract readonly games: readonly GameDefinition[];
  abstract readonly transport: Transport;

  constructor(protected readonly services: ProviderServices) {}

  /** Whether this provider can answer `gameId` (its own games, or more when routed to it). */
  supports(gameId: string): boolean {
    return this.games.some((game) => game.id === gameId);
  }

  /**
   * Queries one game server once.
   *
   * Settles by `timeoutMs` even if the protocol code ignores the signal.
   * @param game the game being queried; default: the provider's first game.
   * @throws ProviderError for every failure of the server or the network
   *   (an unexpected error becomes `protocol`; an abort by the caller becomes `timeout`).
   * @throws RangeError when `timeoutMs` is not a positive number (a programming error).
   */
  async query(
    target: QueryTarget,
    opts: QueryOptions,
    game?: GameDefinition,
  ): Promise<ServerStatus> {
    const timeoutMs = Math.ceil(opts.timeoutMs);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`timeoutMs must be a positive number, got ${opts.timeoutMs}`);
    }
    const attempt = new QueryAttempt(timeoutMs, opts.signal, this.services.hosts);
    let context: AttemptContext | undefined;
    try {
      if (opts.signal?.aborted) throw QUERY_ABORTED;
      const forGame = game ?? this.games[0];
      if (!forGame) throw new ProviderError('unsupported', `provider ${this.id} needs a game id`);
      const requested = this.validate(target, forGame);
      context = { deadline: attempt.deadline, game: forGame, portGiven: requested.portGiven };
      this.run(requested, attempt, context).then(attempt.resolve, attempt.reject);
      return await attempt.outcome;
    } catch (err) {
      // A definite answer (refused, protocol, ...) stands even if the timer fired meanwhile.
      if (err instanceof ProviderError && err.code !== 'timeout') throw err;
      if (attempt.timedOut) {
        throw new ProviderError('timeout', this.timeoutMessage(timeoutMs, attempt, context), {
          cause: err,
        });
      }
      if (opts.signal?.aborted) {
        throw new ProviderError('timeout', 'query aborted before a reply', { cause: err });
      }
      throw toProviderError(err);
    } finally {
      attempt.end();
    }
  }

  /**
   * One exchange with the server. Must stop its I/O when `signal` aborts (the timeout or
   * the caller's abort) and leave nothing running once it settles; may throw anything (the
   * base maps it), preferably a ProviderError with a precise code.
   */
  protected abstract attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus>;

  /**
   * Where the game server may be, in the order to try: the next is tried only when one
   * cannot be reached (refused, unreachable, unknown name). Default: the target itself;
   * Minecraft overrides it with the SRV records of the name.
   */
  protected candidates(
    target: HostPort,
    _signal: AbortSignal,
    _context: AttemptContext,
  ): HostPort[] | Promise<HostPort[]> {
    return [target];
  }

  /** The address to talk to for `host`; providers that talk to a fixed API return the host. */
  protected async resolve(host: string, signal: AbortSignal): Promise<string> {
    return (await this.services.dns.lookup(host, signal)).address;
  }

  /** Which host a query occupies for the per-host limit. */
  protected limitKey(target: ResolvedTarget): string {
    return target.address;
  }

  /** A sentence added to a timeout's message, e.g. where the query port usually is. */
  protected timeoutHint(_target: ResolvedTarget, _context: AttemptContext): string | undefined {
    return undefined;
  }

  /**
   * The exchange with the first candidate that can be reached. With one candidate (the
   * usual case) no promise of its own: each step below is synchronous when it can be (an IP
   * literal needs no lookup, a free slot no wait), as a fleet runs thousands of these a second.
   */
  private run(
    requested: HostPort,
    attempt: QueryAttempt,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const found = this.candidates(requested, attempt.controller.signal, context);
    if (Array.isArray(found) && found.length === 1) {
      return this.tryCandidate(found[0] as HostPort, attempt, context);
    }
    return this.tryInTurn(requested, found, attempt, context);
  }

  /** Tries candidates in turn while they cannot be reached (refused, unreachable, no name). */
  private async tryInTurn(
    requested: HostPort,
    found: HostPort[] | Promise<HostPort[]>,
    attempt: QueryAttempt,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const candidates = await found;
    for (let index = 0; index < candidates.length; index++) {
      try {
        return await this.tryCandidate(candidates[index] as HostPort, attempt, context);
      } catch (err) {
        attempt.releaseSlot();
        const last = index === candidates.length - 1;
        if (last || attempt.controller.signal.aborted || !isUnreachable(err)) throw err;
      }
    }
    throw new ProviderError('dns', `no address to query for ${requested.host}`);
  }

  /** One candidate: its address, then a per-host slot, then the exchange. */
  private tryCandidate(
    candidate: HostPort,
    attempt: QueryAttempt,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    attempt.phase = 'resolving';
    const host = candidate.host;
    // An IP literal needs no lookup (and no promise): the common case of a fleet.
    if (net.isIP(host) !== 0) return this.occupy(candidate, host, attempt, context);
    return this.resolve(host, attempt.controller.signal).then((address) =>
      this.occupy(candidate, address, attempt, context),
    );
  }

  /** With the address known: waits for a per-host slot if none is free, then the exchange. */
  private occupy(
    candidate: HostPort,
    address: string,
    attempt: QueryAttempt,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    const target: ResolvedTarget = { host: candidate.host, port: candidate.port, address };
    attempt.target = target;
    attempt.phase = 'waiting';
    const waiting = attempt.acquireSlot(this.limitKey(target));
    if (waiting) return waiting.then(() => this.exchange(target, attempt, context));
    return this.exchange(target, attempt, context);
  }

  private exchange(
    target: ResolvedTarget,
    attempt: QueryAttempt,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    attempt.phase = 'querying';
    return this.attempt(target, attempt.controller.signal, context);
  }

  private validate(
    target: QueryTarget,
    game: GameDefinition,
  ): { host: string; port: number; portGiven: boolean } {
    const host = target.host.trim();
    if (host === '') throw new ProviderError('dns', 'empty host name');
    const portGiven = target.port !== undefined && target.port !== 0;
    const port = portGiven ? target.port : game.defaultPort;
    if (port === null || port === undefined) {
      throw new ProviderError('unreachable', `${game.name} has no usual port: give the port`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ProviderError('unreachable', `invalid port ${target.port}`);
    }
    return { host, port, portGiven };
  }

  private timeoutMessage(
    timeoutMs: number,
    progress: QueryAttempt,
    context: AttemptContext | undefined,
  ): string {
    switch (progress.phase) {
      case 'resolving':
        return `no address for the host within ${timeoutMs} ms (slow DNS?)`;
      case 'waiting':
        return `no free query slot for host ${progress.target?.address ?? '?'} within ${timeoutMs} ms (per-host limit)`;
      case 'querying': {
        const hint =
          progress.target && context ? this.timeoutHint(progress.target, context) : undefined;
        return `no complete reply within ${timeoutMs} ms${hint ? `; ${hint}` : ''}`;
      }
    }
  }
}

/** An optional follow-up exchange ends this long before the deadline, so what is in hand gets out. */
const FOLLOW_UP_DEADLINE_MARGIN_MS = 20;

/**
 * How long to wait for an optional second reply (a Minecraft pong, an A2S player list)
 * once the main one took `firstReplyMs`: no longer than leaves time to return what is
 * already in hand, and not much longer than the first reply took, so a server that never
 * sends the optional part does not hold a poll slot for the whole timeout. 0 or less: skip it.
 */
export function followUpBudgetMs(deadline: number, firstReplyMs: number): number {
  return Math.floor(
    Math.min(deadline - performance.now() - FOLLOW_UP_DEADLINE_MARGIN_MS, firstReplyMs * 4 + 250),
  );
}

/** Failures after which another candidate address is worth trying. */
function isUnreachable(err: unknown): boolean {
  const code = toProviderError(err).code;
  return code === 'refused' || code === 'unreachable' || code === 'dns';
}
