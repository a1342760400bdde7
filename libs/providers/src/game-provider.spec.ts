import type { ServerStatus } from '#common';
import { describe, expect, it } from 'vitest';
import { GameProvider, type ResolvedTarget } from './game-provider.js';
import { ProviderError } from './provider.error.js';

const STATUS: ServerStatus = {
  latencyMs: 1,
  playersOnline: 1,
  playersMax: 2,
  bots: 0,
  playerNames: [],
  name: 'test',
  map: null,
  version: null,
  gameMode: null,
  passwordProtected: null,
};

type Attempt = (target: ResolvedTarget, signal: AbortSignal) => Promise<ServerStatus>;

class FakeProvider extends GameProvider {
  readonly id = 'fake';
  readonly games = [{ id: 'fake', name: 'Fake', defaultPort: 1234 }];
  readonly defaultPort = 1234;
  readonly transport = 'udp';
  seen: ResolvedTarget[] = [];

  constructor(private readonly behaviour: Attempt = () => Promise.resolve(STATUS)) {
    super();
  }

  protected attempt(target: ResolvedTarget, signal: AbortSignal): Promise<ServerStatus> {
    this.seen.push(target);
    return this.behaviour(target, signal);
  }
}

const never = () => new Promise<ServerStatus>(() => undefined);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('GameProvider.query', () => {
  it('returns what the attempt found', async () => {
    const sut = new FakeProvider();
    await expect(sut.query({ host: 'h', port: 5 }, { timeoutMs: 100 })).resolves.toEqual(STATUS);
    expect(sut.seen).toEqual([{ host: 'h', port: 5 }]);
  });

  it('uses the default port for port 0 or no port', async () => {
    const sut = new FakeProvider();
    await sut.query({ host: 'h', port: 0 }, { timeoutMs: 100 });
    await sut.query({ host: 'h' }, { timeoutMs: 100 });
    expect(sut.seen.map((t) => t.port)).toEqual([1234, 1234]);
  });

  it('rejects an impossible port or an empty host without trying', async () => {
    const sut = new FakeProvider();
    expect((await failure(sut.query({ host: 'h', port: 70_000 }, { timeoutMs: 100 }))).code).toBe(
      'unreachable',
    );
    expect((await failure(sut.query({ host: 'h', port: -1 }, { timeoutMs: 100 }))).code).toBe(
      'unreachable',
    );
    expect((await failure(sut.query({ host: ' ' }, { timeoutMs: 100 }))).code).toBe('dns');
    expect(sut.seen).toEqual([]);
  });

  it('times out on time even when the attempt ignores its signal', async () => {
    const sut = new FakeProvider(never);
    const startedAt = performance.now();
    const err = await failure(sut.query({ host: 'h' }, { timeoutMs: 50 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('50 ms');
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it('aborts the signal it gave the attempt when the time is up', async () => {
    let given: AbortSignal | undefined;
    const sut = new FakeProvider((_t, signal) => {
      given = signal;
      return never();
    });
    await failure(sut.query({ host: 'h' }, { timeoutMs: 20 }));
    expect(given?.aborted).toBe(true);
  });

  it('reports a cancel by the caller as a timeout', async () => {
    const caller = new AbortController();
    const sut = new FakeProvider(never);
    const pending = failure(sut.query({ host: 'h' }, { timeoutMs: 10_000, signal: caller.signal }));
    caller.abort();
    expect(await pending).toMatchObject({
      code: 'timeout',
      message: 'query aborted before a reply',
    });
  });

  it('does not start an attempt for a signal already aborted', async () => {
    const sut = new FakeProvider();
    const err = await failure(
      sut.query({ host: 'h' }, { timeoutMs: 100, signal: AbortSignal.abort() }),
    );
    expect(err.code).toBe('timeout');
    expect(sut.seen).toEqual([]);
  });

  it('keeps a ProviderError, maps socket errors and turns anything else into protocol', async () => {
    const refused = new ProviderError('refused', 'nobody home');
    expect(
      await failure(
        new FakeProvider(() => Promise.reject(refused)).query({ host: 'h' }, { timeoutMs: 100 }),
      ),
    ).toBe(refused);
    const econn = Object.assign(new Error('x'), { code: 'EHOSTUNREACH' });
    expect(
      (
        await failure(
          new FakeProvider(() => Promise.reject(econn)).query({ host: 'h' }, { timeoutMs: 100 }),
        )
      ).code,
    ).toBe('unreachable');
    const thrower = new FakeProvider(() => {
      throw new TypeError('bug in a parser');
    });
    expect(await failure(thrower.query({ host: 'h' }, { timeoutMs: 100 }))).toMatchObject({
      code: 'protocol',
      message: 'bug in a parser',
    });
  });

  it('ignores an attempt that rejects after the timeout already decided', async () => {
    const sut = new FakeProvider(
      () => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('late')), 40)),
    );
    expect((await failure(sut.query({ host: 'h' }, { timeoutMs: 10 }))).code).toBe('timeout');
    await new Promise((resolve) => setTimeout(resolve, 60));
  });

  it('refuses a timeout that is not a positive number', async () => {
    const sut = new FakeProvider();
    await expect(sut.query({ host: 'h' }, { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(sut.query({ host: 'h' }, { timeoutMs: Number.NaN })).rejects.toThrow(RangeError);
  });
});
