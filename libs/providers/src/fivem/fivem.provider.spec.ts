import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type HttpResponder,
  startFiveMResponder,
} from '../../../../test/support/http-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { FiveMProvider } from './fivem.provider.js';

const services = new ProviderServices();
const sut = new FiveMProvider(services);
const redm = findGame('rdr2r');

let responder: HttpResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});
afterAll(() => services.close());

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('FiveMProvider against an FXServer stand-in', () => {
  it('takes the count from dynamic.json and the names from players.json', async () => {
    responder = await startFiveMResponder({
      hostname: '^2Green ^7RP',
      clients: 48,
      maxClients: 64,
      players: ['Alice', 'Bob'],
    });
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
    );
    expect(status).toEqual({
      latencyMs: expect.any(Number) as number,
      playersOnline: 48,
      playersMax: 64,
      bots: 0,
      playerNames: ['Alice', 'Bob'],
      name: 'Green RP',
      map: 'San Andreas',
      version: 'FXServer-master SERVER v1.0.0.7290 linux',
      gameMode: 'Freeroam',
      passwordProtected: null,
    });
    expect(responder.requests.map((r) => r.split(' ')[1]).sort()).toEqual([
      '/dynamic.json',
      '/info.json',
      '/players.json',
    ]);
    expect(responder.requests[0]).toMatch(/^127\.0\.0\.1:\d+ /);
  });

  it('answers RedM the same way, with no names when players.json is hidden', async () => {
    responder = await startFiveMResponder({ hostname: 'Wild West', clients: 3, maxClients: 32 });
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
      redm,
    );
    expect(status).toMatchObject({ name: 'Wild West', playersOnline: 3, playerNames: [] });
  });

  it('does not wait long for a slow players.json', async () => {
    responder = await startFiveMResponder({
      hostname: 'Slow',
      clients: 1,
      maxClients: 2,
      players: ['A'],
    });
    responder.route('/players.json', { body: [{ name: 'A' }], delayMs: 4000 });
    const startedAt = performance.now();
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 5000 },
    );
    expect(status.playerNames).toEqual([]);
    expect(performance.now() - startedAt).toBeLessThan(2000);
  });

  it('reports a missing dynamic.json as protocol and an oversized one too', async () => {
    responder = await startFiveMResponder({ hostname: 'x', clients: 1, maxClients: 2 });
    responder.route('/dynamic.json', undefined);
    expect(
      await failure(sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 3000 })),
    ).toMatchObject({ code: 'protocol', message: 'FiveM: /dynamic.json answered HTTP 404' });
    responder.route('/dynamic.json', { body: Buffer.alloc(200_000, 0x20) });
    expect(
      (await failure(sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 3000 })))
        .message,
    ).toMatch(/exceeds 65536 bytes/);
  });

  it('reports a closed port as refused and a silent server as a timeout', async () => {
    responder = await startFiveMResponder({ hostname: 'x', clients: 1, maxClients: 2 });
    const port = responder.port;
    responder.route('/dynamic.json', { body: {}, delayMs: 5000 });
    expect((await failure(sut.query({ host: '127.0.0.1', port }, { timeoutMs: 200 }))).code).toBe(
      'timeout',
    );
    await responder.stop();
    responder = undefined;
    expect((await failure(sut.query({ host: '127.0.0.1', port }, { timeoutMs: 2000 }))).code).toBe(
      'refused',
    );
  });
});
