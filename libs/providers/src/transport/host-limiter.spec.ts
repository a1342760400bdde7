import { describe, expect, it } from 'vitest';
import { HostLimiter } from './host-limiter.js';

/** Takes a slot, waiting if needed; resolves once it is held. */
async function take(sut: HostLimiter, host: string, signal: AbortSignal): Promise<void> {
  await sut.acquire(host, signal);
}

describe('HostLimiter', () => {
  it('grants free slots at once, without a promise', () => {
    const sut = new HostLimiter({ concurrency: 2, spacingMs: 0 });
    const signal = AbortSignal.timeout(5000);
    expect(sut.acquire('10.0.0.1', signal)).toBeUndefined();
    expect(sut.acquire('10.0.0.1', signal)).toBeUndefined();
    expect(sut.load('10.0.0.1')).toEqual({ active: 2, waiting: 0 });
    sut.release('10.0.0.1');
    sut.release('10.0.0.1');
    expect(sut.load('10.0.0.1')).toEqual({ active: 0, waiting: 0 });
  });

  it('runs at most `concurrency` queries per host, the rest in order', async () => {
    const sut = new HostLimiter({ concurrency: 2, spacingMs: 0 });
    const started: number[] = [];
    const takes = [0, 1, 2, 3].map((i) =>
      take(sut, '10.0.0.1', AbortSignal.timeout(5000)).then(() => started.push(i)),
    );
    await expect.poll(() => started).toEqual([0, 1]);
    expect(sut.load('10.0.0.1')).toEqual({ active: 2, waiting: 2 });
    sut.release('10.0.0.1');
    await expect.poll(() => started).toEqual([0, 1, 2]);
    sut.release('10.0.0.1');
    await Promise.all(takes);
    expect(started).toEqual([0, 1, 2, 3]);
    sut.release('10.0.0.1');
    sut.release('10.0.0.1');
    expect(sut.load('10.0.0.1')).toEqual({ active: 0, waiting: 0 });
  });

  it('does not hold one host back for another', () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    expect(sut.acquire('10.0.0.1', AbortSignal.timeout(5000))).toBeUndefined();
    expect(sut.acquire('10.0.0.2', AbortSignal.timeout(5000))).toBeUndefined();
    sut.release('10.0.0.1');
    sut.release('10.0.0.2');
  });

  it('gives up waiting with a timeout that names the host and leaves the queue clean', async () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    expect(sut.acquire('10.0.0.1', AbortSignal.timeout(5000))).toBeUndefined();
    const err = await take(sut, '10.0.0.1', AbortSignal.timeout(30)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'timeout',
      message: 'no free query slot for host 10.0.0.1 in time (at most 1 in flight)',
    });
    expect(sut.load('10.0.0.1')).toEqual({ active: 1, waiting: 0 });
    sut.release('10.0.0.1');
    expect(sut.load('10.0.0.1')).toEqual({ active: 0, waiting: 0 });
  });

  it('takes no slot for a signal already aborted', async () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    await expect(take(sut, '10.0.0.1', AbortSignal.abort())).rejects.toMatchObject({
      code: 'timeout',
    });
    expect(sut.load('10.0.0.1')).toEqual({ active: 0, waiting: 0 });
  });

  it('refuses to release a slot nobody holds', () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    expect(() => sut.release('10.0.0.1')).toThrow(/no slot held/u);
  });

  it('spaces the starts of queries to one host', async () => {
    const sut = new HostLimiter({ concurrency: 10, spacingMs: 40 });
    const startedAt: number[] = [];
    await Promise.all(
      [0, 1, 2].map(() =>
        take(sut, '10.0.0.1', AbortSignal.timeout(5000)).then(() =>
          startedAt.push(performance.now()),
        ),
      ),
    );
    const gaps = startedAt.slice(1).map((t, i) => t - (startedAt[i] ?? 0));
    // Timers may fire a little early; the spacing is what the limiter waited for.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(38);
    for (let i = 0; i < 3; i++) sut.release('10.0.0.1');
  });

  it('refuses impossible settings', () => {
    expect(() => new HostLimiter({ concurrency: 0, spacingMs: 0 })).toThrow(RangeError);
    expect(() => new HostLimiter({ concurrency: 1, spacingMs: -1 })).toThrow(RangeError);
  });
});
