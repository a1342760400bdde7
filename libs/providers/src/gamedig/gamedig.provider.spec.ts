import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2sResponder, startA2sResponder } from '../../../../test/support/a2s-responder.js';
import { startUdpResponder } from '../../../../test/support/udp-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { GameDigProvider } from './gamedig.provider.js';

const services = new ProviderServices();
const sut = new GameDigProvider(services);
afterAll(() => services.close());

describe('GameDigProvider', () => {
  let a2s: A2sResponder;

  beforeAll(async () => {
    a2s = await startA2sResponder({
      info: {
        name: 'Via GameDig',
        map: 'procedural',
        appId: 252490,
        players: 3,
        maxPlayers: 50,
        bots: 1,
        keywords: 'cp7,mp60',
        gameId: 252490n,
      },
      players: [{ name: 'Alice' }, { name: 'Bob' }],
      challengeInfo: true,
    });
  });
  afterAll(() => a2s.stop());

  it('queries any GameDig game on the given port and maps the result', async () => {
    const status = await sut.query(
      { host: '127.0.0.1', port: a2s.port },
      { timeoutMs: 3000 },
      findGame('rust'),
    );
    expect(status).toMatchObject({
      name: 'Via GameDig',
      map: 'procedural',
      playersOnline: 7,
      playersMax: 60,
    });
  });

  it('carries GameDig over the shared socket, so each reply is delivered by our transport', async () => {
    const before = services.udp.stats.delivered;
    await sut.query({ host: '127.0.0.1', port: a2s.port }, { timeoutMs: 3000 }, findGame('rust'));
    // At least the info and the player list (with challenges, more): none reached GameDig's own socket.
    expect(services.udp.stats.delivered - before).toBeGreaterThanOrEqual(2);
  });

  it('queries a GameDig game over IPv6, which GameDig alone (a udp4 socket) cannot', async () => {
    const six = await startA2sResponder(
      { info: { name: 'Six via GameDig', map: 'm', players: 1, maxPlayers: 8 }, players: [] },
      0,
      '::1',
    );
    try {
      const status = await sut.query(
        { host: '::1', port: six.port },
        { timeoutMs: 3000 },
        findGame('garrysmod'),
      );
      expect(status).toMatchObject({ name: 'Six via GameDig', playersOnline: 1, playersMax: 8 });
    } finally {
      await six.stop();
    }
  });

  it('lets concurrent queries to one server take turns on its ip:port, each answered', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () =>
        sut.query({ host: '127.0.0.1', port: a2s.port }, { timeoutMs: 3000 }, findGame('rust')),
      ),
    );
    expect(statuses.map((s) => s.name)).toEqual(statuses.map(() => 'Via GameDig'));
  });

  it('supports every GameDig id, natives included, and claims only the long tail', () => {
    expect(sut.supports('teamspeak3')).toBe(true);
    expect(sut.supports('minecraft')).toBe(true);
    expect(sut.supports('tetris')).toBe(false);
    expect(sut.games.some((g) => g.id === 'teamspeak3')).toBe(true);
    expect(sut.games.some((g) => g.id === 'rust')).toBe(false);
  });

  it('maps a silent server to timeout within our time limit', async () => {
    const silent = await startUdpResponder(() => undefined);
    try {
      const startedAt = performance.now();
      const err = await sut
        .query(
          { host: '127.0.0.1', port: silent.port },
          { timeoutMs: 300 },
          findGame('counterstrike2'),
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect((err as ProviderError).code).toBe('timeout');
      expect(performance.now() - startedAt).toBeLessThan(2000);
    } finally {
      await silent.stop();
    }
  });

  it('maps a refused TCP game to refused', async () => {
    const closed = await startUdpResponder(() => undefined);
    const port = closed.port;
    await closed.stop();
    const err = await sut
      .query({ host: '127.0.0.1', port }, { timeoutMs: 2000 }, findGame('teamspeak3'))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'refused' });
  });
});
