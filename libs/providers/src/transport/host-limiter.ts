import { ProviderError } from '../provider.error.js';

export interface HostLimiterOptions {
  /** Queries in flight to one host (IP address) at most. */
  concurrency: number;
  /** Least time between the starts of two queries to one host, in ms (0: none). */
  spacingMs: number;
}

interface Waiter {
  start: () => void;
  reject: (err: ProviderError) => void;
}

interface HostState {
  active: number;
  lastStartAt: number;
  queue: Waiter[];
  timer: NodeJS.Timeout | undefined;
}

/**
 * Bounds the queries in flight to each host and optionally spaces their starts, so a
 * machine running many game servers is never flooded by the poller (some games ban an
 * address that queries too fast). Waiting counts against the query's own timeout.
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
    return { active: state?.active ?? 0, waiting: state?.queue.length ?? 0 };
  }

  /**
   * Runs `work` once `host` has a free slot; rejects with `timeout` if `signal` aborts first.
   * The slot is freed when `work` settles or `signal` aborts, whichever comes first, so
   * work that ignores its signal cannot hold a host's slot past the query's timeout.
   */
  async run<T>(host: string, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const state = this.state(host);
    const waiting = this.acquire(host, state, signal);
    if (waiting) await waiting;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      state.active--;
      this.drain(host, state);
    };
    signal.addEventListener('abort', release, { once: true });
    try {
      return await work();
    } finally {
      signal.removeEventListener('abort', release);
      release();
    }
  }

  private state(host: string): HostState {
    let state = this.hosts.get(host);
    if (!state) {
      state = { active: 0, lastStartAt: -Infinity, queue: [], timer: undefined };
      this.hosts.set(host, state);
    }
    return state;
  }

  /** Takes a slot now (undefined) or returns the wait for one. */
  private acquire(host: string, state: HostState, signal: AbortSignal): Promise<void> | undefined {
    if (signal.aborted) return Promise.reject(this.waitedTooLong(host));
    if (state.queue.length === 0 && this.canStart(state)) {
      this.started(state);
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const at = state.queue.indexOf(waiter);
        if (at >= 0) state.queue.splice(at, 1);
        reject(this.waitedTooLong(host));
        this.drain(host, state);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      state.queue.push(waiter);
      this.drain(host, state);
    });
  }

  private canStart(state: HostState): boolean {
    return (
      state.active < this.options.concurrency &&
      performance.now() - state.lastStartAt >= this.options.spacingMs
    );
  }

  private started(state: HostState): void {
    state.active++;
    state.lastStartAt = performance.now();
  }

  /** Starts whoever may start now; arms a timer when only the spacing holds them back. */
  private drain(host: string, state: HostState): void {
    while (state.queue.length > 0 && this.canStart(state)) {
      this.started(state);
      state.queue.shift()?.start();
    }
    const spacingHolds = state.queue.length > 0 && state.active < this.options.concurrency;
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
    // Forget idle hosts, or a fleet would keep one entry per address ever queried. With a
    // spacing the entry must outlive the query (it holds the last start), so it stays:
    // bounded by the number of hosts in the catalog.
    const idle = state.active === 0 && state.queue.length === 0;
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
