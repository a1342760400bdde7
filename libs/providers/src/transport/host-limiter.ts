import { ProviderError } from '../provider.error.js';

export interface HostLimiterOptions {
  /** Queries in flight to one host (IP address) at most. */
  concurrency: number;
  /** Least time between the starts of two queries to one host, in ms (0: none). */
  spacingMs: number;
}

interface HostState {
  active: number;
  lastStartAt: number;
  /** Starts of the queries waiting for a slot, in order; made on first contention. */
  queue: (() => void)[] | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Bounds the queries in flight to each host and optionally spaces their starts, so a
 * machine running many game servers is never flooded by the poller (some games ban an
 * address that queries too fast). Waiting counts against the query's own timeout.
 *
 * The caller holds a slot from {@link acquire} to {@link release}; GameProvider releases it
 * when its query settles, timeout included, so work that ignores its signal cannot hold a
 * host's slot past the query's timeout.
 */
export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly options: HostLimiterOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError('concurrency must be at least 1');
    if (!(options.spacingMs >= 0)) throw new RangeError('spacingMs must not be negative');
  }

  /** Queries running or waiting for `host`, for tests and monitoring. */
  load(host: string): { active: number; waiting: number } {
    const state = this.hosts.get(host);
    return { active: state?.active ?? 0, waiting: state?.queue?.length ?? 0 };
  }

  /**
   * Takes a slot for `host`: at once (returns undefined, no promise) when one is free and
   * nobody waits, else returns the wait for one, which rejects with `timeout` if `signal`
   * aborts first (the slot is then not taken). Give every slot taken back with
   * {@link release}, exactly once.
   */
  acquire(host: string, signal: AbortSignal): Promise<void> | undefined {
    const state = this.state(host);
    if (signal.aborted) {
      this.drain(host, state);
      return Promise.reject(this.waitedTooLong(host));
    }
    if (state.queue === undefined || state.queue.length === 0) {
      if (this.canStart(state)) {
        this.started(state);
        return undefined;
      }
    }
    const queue = (state.queue ??= []);
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = queue.indexOf(start);
        if (at >= 0) queue.splice(at, 1);
        reject(this.waitedTooLong(host));
        this.drain(host, state);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(start);
      this.drain(host, state);
    });
  }

  /** Gives back a slot taken with {@link acquire}; the next query waiting may start. */
  release(host: string): void {
    const state = this.hosts.get(host);
    if (!state || state.active === 0) throw new Error(`HostLimiter: no slot held for ${host}`);
    state.active--;
    this.drain(host, state);
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { active: 0, lastStartAt: -Infinity, queue: undefined, timer: undefined };
      this.hosts.set(host, state);
    }
    return state;
  }

  private canStart(state: HostState): boolean {
    return (
      state.active < this.options.concurrency &&
      (this.options.spacingMs === 0 ||
        performance.now() - state.lastStartAt >= this.options.spacingMs)
    );
  }

  private started(state: HostState): void {
    state.active++;
    if (this.options.spacingMs > 0) state.lastStartAt = performance.now();
  }

  /** Starts whoever may start now; arms a timer when only the spacing holds them back. */
  private drain(host: string, state: HostState): void {
    const queue = state.queue;
    if (queue) {
      while (queue.length > 0 && this.canStart(state)) {
        this.started(state);
        queue.shift()?.();
      }
      const spacingHolds = queue.length > 0 && state.active < this.options.concurrency;
      if (spacingHolds && state.timer === undefined) {
        const waitMs = Math.max(
          1,
          Math.ceil(state.lastStartAt + this.options.spacingMs - performance.now()),
        );
        state.timer = setTimeout(() => {
          state.timer = undefined;
          this.drain(host, state);
        }, waitMs);
      }
    }
    // Forget idle hosts, or a fleet would keep one entry per address ever queried. With a
    // spacing the entry must outlive the query (it holds the last start), so it stays:
    // bounded by the number of hosts in the catalog.
    const idle = state.active === 0 && (queue === undefined || queue.length === 0);
    if (idle && this.options.spacingMs === 0) this.hosts.delete(host);
  }

  private waitedTooLong(host: string): ProviderError {
    const { concurrency, spacingMs } = this.options;
    const spacing = spacingMs > 0 ? `, ${spacingMs} ms apart` : '';
    return new ProviderError(
      'timeout',
      `no free query slot for host ${host} in time (at most ${concurrency} in flight${spacing})`,
    );
  }
}
