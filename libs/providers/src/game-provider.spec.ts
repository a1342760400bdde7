import type { ServerStatus } from '#common';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AttemptContext,
  type GameDefinition,
  GameProvider,
  type HostPort,
  type ResolvedTarget,
  followUpBudgetMs,
} from './game-provider.js';
import { ProviderServices } from './provider-services.js';
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

const FAKE_GAME: GameDefinition = {
  id: 'fake',
  name: 'Fake',
  defaultPort: 1234,
  gamePort: 1230,
  queryPortOffset: 4,
};

type Attempt = (target: ResolvedTarget, signal: AbortSignal) => Promise<ServerStatus>;

const services = new ProviderServices({ perHostConcurrency: 2 });
afterAll(() => services.close());

class FakeProvider extends GameProvider {
  readonly id = 'fake';
  readonly games = [FAKE_GAME];
  readonly transport = 'udp';
  seen: ResolvedTarget[] = [];
  contexts: AttemptContext[] = [];
  candidateList: HostPort[] | undefined;

  constructor(private readonly behaviour: Attempt = () => Promise.resolve(STATUS)) {
    super(services);
  }

  protected attempt(
    target: ResolvedTarget,
    signal: AbortSignal,
    context: AttemptContext,
  ): Promise<ServerStatus> {
    this.seen.push(target);
    this.contexts.push(context);
    return this.behaviour(target, signal);
  }

  protected override candidates(target: HostPort): HostPort[] {
    return this.candidateList ?? [target];
  }

  protected override timeoutHint(target: ResolvedTarget): string {
    return `look at port ${target.port}`;
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
  it('returns what the attempt found, for the target resolved to an address', async () => {
    const sut = new FakeProvider();
    await expect(sut.query({ host: '127.0.0.1', port: 5 }, { timeoutMs: 100 })).resolves.toEqual(
      STATUS,
    );
    expect(sut.seen).toEqual([{ host: '127.0.0.1', port: 5, address: '127.0.0.1' }]);
    expect(sut.contexts[0]).toMatchObject({ game: FAKE_GAME, portGiven: true });
  });

  it("uses the game's default port for port 0 or no port, and says so", async () => {
    const sut = new FakeProvider();
    await sut.query({ host: '127.0.0.1', port: 0 }, { timeoutMs: 100 });
    await sut.query({ host: '::1' }, { timeoutMs: 100 });
    expect(sut.seen.map((t) => t.port)).toEqual([1234, 1234]);
    expect(sut.contexts.map((c) => c.portGiven)).toEqual([false, false]);
  });

  it('takes the default port of the game it is asked for', async () => {
    const sut = new FakeProvider();
    await sut.query({ host: '127.0.0.1' }, { timeoutMs: 100 }, { ...FAKE_GAME, defaultPort: 9 });
    expect(sut.seen[0]?.port).toBe(9);
  });

  it('asks for a port when the game has no usual one', async () => {
    const sut = new FakeProvider();
    const err = await failure(
      sut.query({ host: '127.0.0.1' }, { timeoutMs: 100 }, { ...FAKE_GAME, defaultPort: null }),
    );
    expect(err).toMatchObject({
      code: 'unreachable',
      message: 'Fake has no usual port: give the port',
    });
  });

  it('rejects an impossible port or an empty host without trying', async () => {
    const sut = new FakeProvider();
    expect(
      (await failure(sut.query({ host: '127.0.0.1', port: 70_000 }, { timeoutMs: 100 }))).code,
    ).toBe('unreachable');
    expect(
      (await failure(sut.query({ host: '127.0.0.1', port: -1 }, { timeoutMs: 100 }))).code,
    ).toBe('unreachable');
    expect((await failure(sut.query({ host: ' ' }, { timeoutMs: 100 }))).code).toBe('dns');
    expect(sut.seen).toEqual([]);
  });

  it('times out on time even when the attempt ignores its signal, with the hint', async () => {
    const sut = new FakeProvider(never);
    const startedAt = performance.now();
    const err = await failure(sut.query({ host: '127.0.0.1' }, { timeoutMs: 50 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('no complete reply within 50 ms; look at port 1234');
    expect(performance.now() - startedAt).toBeLessThan(1000);
  });

  it('aborts the signal it gave the attempt when the time is up', async () => {
    let given: AbortSignal | undefined;
    const sut = new FakeProvider((_t, signal) => {
      given = signal;
      return never();
    });
    await failure(sut.query({ host: '127.0.0.1' }, { timeoutMs: 20 }));
    expect(given?.aborted).toBe(true);
  });

  it('reports a cancel by the caller as a timeout', async () => {
    const caller = new AbortController();
    const sut = new FakeProvider(never);
    const pending = failure(
      sut.query({ host: '127.0.0.1' }, { timeoutMs: 10_000, signal: caller.signal }),
    );
    caller.abort();
    expect(await pending).toMatchObject({
      code: 'timeout',
      message: 'query aborted before a reply',
    });
  });

  it('does not start an attempt for a signal already aborted', async () => {
    const sut = new FakeProvider();
    const err = await failure(
      sut.query({ host: '127.0.0.1' }, { timeoutMs: 100, signal: AbortSignal.abort() }),
    );
    expect(err.code).toBe('timeout');
    expect(sut.seen).toEqual([]);
  });

  it('keeps a ProviderError, maps socket errors and turns anything else into protocol', async () => {
    const refused = new ProviderError('refused', 'nobody home');
    const target = { host: '127.0.0.1' };
    expect(
      await failure(
        new FakeProvider(() => Promise.reject(refused)).query(target, { timeoutMs: 100 }),
      ),
    ).toBe(refused);
    const econn = Object.assign(new Error('x'), { code: 'EHOSTUNREACH' });
    expect(
      (
        await failure(
          new FakeProvider(() => Promise.reject(econn)).query(target, { timeoutMs: 100 }),
        )
      ).code,
    ).toBe('unreachable');
    const thrower = new FakeProvider(() => {
      throw new TypeError('bug in a parser');
    });
    expect(await failure(thrower.query(target, { timeoutMs: 100 }))).toMatchObject({
      code: 'protocol',
      message: 'bug in a parser',
    });
  });

  it('ignores an attempt that rejects after the timeout already decided', async () => {
    let rejected = false;
    const sut = new FakeProvider(
      () =>
        new Promise((_resolve, reject) =>
          setTimeout(() => {
            rejected = true;
            reject(new Error('late'));
          }, 40),
        ),
    );
    expect((await failure(sut.query({ host: '127.0.0.1' }, { timeoutMs: 10 }))).code).toBe(
      'timeout',
    );
    await expect.poll(() => rejected).toBe(true);
  });

  it('refuses a timeout that is not a positive number', async () => {
    const sut = new FakeProvider();
    await expect(sut.query({ host: '127.0.0.1' }, { timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(sut.query({ host: '127.0.0.1' }, { timeoutMs: Number.NaN })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('GameProvider candidates and per-host slots', () => {
  it('tries the next candidate only when one cannot be reached', async () => {
    const sut = new FakeProvider((target) =>
      target.port === 1
        ? Promise.reject(new ProviderError('refused', 'closed'))
        : Promise.resolve(STATUS),
    );
    sut.candidateList = [
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ];
    await expect(sut.query({ host: 'x.example' }, { timeoutMs: 500 })).resolves.toEqual(STATUS);
    expect(sut.seen.map((t) => t.port)).toEqual([1, 2]);
  });

  it('stops at a candidate that answered badly', async () => {
    const sut = new FakeProvider(() => Promise.reject(new ProviderError('protocol', 'garbage')));
    sut.candidateList = [
      { host: '127.0.0.1', port: 1 },
      { host: '127.0.0.1', port: 2 },
    ];
    expect((await failure(sut.query({ host: 'x.example' }, { timeoutMs: 500 }))).code).toBe(
      'protocol',
    );
    expect(sut.seen).toHaveLength(1);
  });

  it('holds a query beyond the per-host limit and says so when it times out waiting', async () => {
    const release: (() => void)[] = [];
    const sut = new FakeProvider(
      () => new Promise((resolve) => release.push(() => resolve(STATUS))),
    );
    const running = [1, 2].map(() => sut.query({ host: '127.0.0.2' }, { timeoutMs: 5000 }));
    await expect.poll(() => release.length).toBe(2);
    const third = failure(sut.query({ host: '127.0.0.2' }, { timeoutMs: 50 }));
    expect(await third).toMatchObject({
      code: 'timeout',
      message: 'no free query slot for host 127.0.0.2 within 50 ms (per-host limit)',
    });
    // Another host is not held back by this one.
    await expect(
      new FakeProvider().query({ host: '127.0.0.3' }, { timeoutMs: 100 }),
    ).resolves.toEqual(STATUS);
    for (const done of release) done();
    await Promise.all(running);
  });

  it("frees the host's slot at the timeout even when the attempt never ends", async () => {
    const sut = new FakeProvider(never);
    await failure(sut.query({ host: '127.0.0.4' }, { timeoutMs: 20 }));
    expect(services.hosts.load('127.0.0.4')).toEqual({ active: 0, waiting: 0 });
  });

  it("frees the host's slot when the query is answered, fails or is cancelled", async () => {
    await new FakeProvider().query({ host: '127.0.0.5' }, { timeoutMs: 500 });
    await failure(
      new FakeProvider(() => Promise.reject(new ProviderError('protocol', 'bad'))).query(
        { host: '127.0.0.5' },
        { timeoutMs: 500 },
      ),
    );
    const caller = new AbortController();
    const cancelled = failure(
      new FakeProvider(never).query(
        { host: '127.0.0.5' },
        { timeoutMs: 10_000, signal: caller.signal },
      ),
    );
    await expect.poll(() => services.hosts.load('127.0.0.5').active).toBe(1);
    caller.abort();
    await cancelled;
    expect(services.hosts.load('127.0.0.5')).toEqual({ active: 0, waiting: 0 });
  });
});

describe('followUpBudgetMs', () => {
  it('allows about four times the first reply, plus a little', () => {
    expect(followUpBudgetMs(performance.now() + 60_000, 10)).toBe(290);
  });

  it('never reaches past the deadline', () => {
    expect(followUpBudgetMs(performance.now() + 100, 1000)).toBeLessThanOrEqual(80);
    expect(followUpBudgetMs(performance.now(), 1)).toBeLessThan(1);
  });
});
