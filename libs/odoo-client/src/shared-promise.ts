/**
 * One asynchronous value shared by concurrent callers (a log-in, a version probe): the
 * first caller starts it, the others wait on the same promise. A failure is not kept, so
 * the next caller starts again; `forget` drops a value that turned out stale.
 */
export class SharedPromise<T> {
  private current: Promise<T> | undefined;

  /** The shared value; `start` runs only when there is none pending or fulfilled. */
  get(start: () => Promise<T>): Promise<T> {
    if (!this.current) {
      const pending = start();
      this.current = pending;
      void pending.catch(() => this.forget(pending));
    }
    return this.current;
  }

  /** Drops `value` if it is still the shared one (a newer one is left alone). */
  forget(value: Promise<T>): void {
    if (this.current === value) this.current = undefined;
  }
}
