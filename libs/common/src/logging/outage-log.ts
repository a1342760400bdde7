/** The part of a logger an OutageLog writes to: Nest's Logger and a test's recorder alike. */
export interface OutageLogger {
  warn(message: string): void;
  error(message: string): void;
  log(message: string): void;
}

/** The second line comes this long after the first, then each gap doubles up to the last. */
const FIRST_REPEAT_MS = 10_000;
const MAX_REPEAT_MS = 300_000;

/**
 * What a process says about a dependency it cannot reach (Redis, Odoo): one line when it goes,
 * naming where it is, why and when the next try is; the same line again after 10 s, 20 s,
 * 40 s ... up to every 5 minutes while it stays away, however often the process retries; and
 * one line when it is back. A retry loop of a few seconds would otherwise write a line (or a
 * stack trace) each time.
 */
export class OutageLog {
  private downSince: number | undefined;
  private nextLineAt = 0;
  private gap = FIRST_REPEAT_MS;

  /** `what` names the dependency and its address, e.g. `Redis at 10.0.0.5:6379`. */
  constructor(
    private readonly logger: OutageLogger,
    private readonly what: string,
  ) {}

  get down(): boolean {
    return this.downSince !== undefined;
  }

  /**
   * A failed attempt. `needsPerson` marks a failure that waiting will not mend (a refused
   * key, a missing addon): logged as an error rather than a warning.
   */
  failed(reason: string, retryInMs: number, needsPerson = false, now = Date.now()): void {
    if (this.downSince === undefined) {
      this.downSince = now;
      this.nextLineAt = now;
      this.gap = FIRST_REPEAT_MS;
    }
    if (now < this.nextLineAt) return;
    const away = now - this.downSince;
    const since = away >= 1_000 ? `, failing for ${duration(away)}` : '';
    const line = `${this.what}: ${reason}; retrying in ${duration(retryInMs)}${since}`;
    if (needsPerson) this.logger.error(line);
    else this.logger.warn(line);
    this.nextLineAt = now + this.gap;
    this.gap = Math.min(this.gap * 2, MAX_REPEAT_MS);
  }

  /** A successful attempt: one line if it had been failing. */
  recovered(now = Date.now()): void {
    if (this.downSince === undefined) return;
    this.logger.log(`${this.what}: back after ${duration(now - this.downSince)}`);
    this.downSince = undefined;
  }
}

/** 850 ms, 12 s, 3 min 20 s: as a person reads it in a log line. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}
