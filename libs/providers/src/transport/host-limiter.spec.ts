import { describe, expect, it } from 'vitest';
import { HostLimiter } from './host-limiter.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('HostLimiter', () => {
  it('runs at most `concurrency` queries per host, the rest in order', async () => {
    const sut = new HostLimiter({ concurrency: 2, spacingMs: 0 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      sut.run('10.0.0.1', AbortSignal.timeout(5000), async () => {
        started.push(i);
        await g.promise;
      }),
    );
    await expect.poll(() => started).toEqual([0, 1]);
    expect(sut.load('10.0.0.1')).toEqual({ active: 2, waiting: 1 });
    gates[1]?.open();
    await expect.poll(() => started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(sut.load('10.0.0.1')).toEqual({ active: 0, waiting: 0 });
  });

  it('does not hold one host back for another', async () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    const busy = gate();
    const first = sut.run('10.0.0.1', AbortSignal.timeout(5000), () => busy.promise);
    await expect(
      sut.run('10.0.0.2', AbortSignal.timeout(100), () => Promise.resolve('free')),
    ).resolves.toBe('free');
    busy.open();
    await first;
  });

  it('gives up waiting with a timeout that names the host and leaves the queue clean', async () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    const busy = gate();
    const first = sut.run('10.0.0.1', AbortSignal.timeout(5000), () => busy.promise);
    const err = await sut
      .run('10.0.0.1', AbortSignal.timeout(30), () => Promise.resolve())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'timeout',
      message: 'no free query slot for host 10.0.0.1 in time (at most 1 in flight)',
    });
    expect(sut.load('10.0.0.1')).toEqual({ active: 1, waiting: 0 });
    busy.open();
    await first;
  });

  it('frees the slot when the query is aborted even if its work never ends', async () => {
    const sut = new HostLimiter({ concurrency: 1, spacingMs: 0 });
    const stuck = sut.run('10.0.0.1', AbortSignal.timeout(20), () => new Promise(() => undefined));
    void stuck;
    await expect(
      sut.run('10.0.0.1', AbortSignal.timeout(2000), () => Promise.resolve('next')),
    ).resolves.toBe('next');
  });

  it('spaces the starts of queries to one host', async () => {
    const sut = new HostLimiter({ concurrency: 10, spacingMs: 40 });
    const startedAt: number[] = [];
    await Promise.all(
      [0, 1, 2].map(() =>
        sut.run('10.0.0.1', AbortSignal.timeout(5000), () => {
          startedAt.push(performance.now());
          return Promise.resolve();
        }),
      ),
    );
    const gaps = startedAt.slice(1).map((t, i) => t - (startedAt[i] ?? 0));
    // Timers may fire a little early; the spacing is what the limiter waited for.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(38);
  });

  it('refuses impossible settings', () => {
    expect(() => new HostLimiter({ concurrency: 0, spacingMs: 0 })).toThrow(RangeError);
    expect(() => new HostLimiter({ concurrency: 1, spacingMs: -1 })).toThrow(RangeError);
  });
});
