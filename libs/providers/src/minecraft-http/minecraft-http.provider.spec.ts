import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpResponder,
  startMcsrvstatResponder,
} from '../../../../test/support/http-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { MinecraftHttpProvider } from './minecraft-http.provider.js';

const minecraft = findGame('minecraft');
const bedrock = findGame('mbe');

describe('MinecraftHttpProvider against a local mcsrvstat-style API', () => {
  let api: HttpResponder;
  let services: ProviderServices;
  let sut: MinecraftHttpProvider;

  beforeAll(async () => {
    api = await startMcsrvstatResponder((edition, address) => {
      if (address.startsWith('offline')) return { online: false };
      return edition === 'bedrock'
        ? {
            online: true,
            players: 2,
            max: 10,
            motd: ['Bedrock via API'],
            map: 'World',
            gamemode: 'Survival',
          }
        : {
            online: true,
            players: 250,
            max: 500,
            names: ['Alice'],
            motd: ['§aJava via', 'API'],
            version: '1.21.4',
          };
    });
    services = new ProviderServices({ mcsrvstatUrl: api.url });
    sut = new MinecraftHttpProvider(services);
  });
  afterAll(async () => {
    await services.close();
    await api.stop();
  });

  it('asks the Java endpoint and maps its answer, the count field first', async () => {
    const status = await sut.query({ host: 'mc.example.org' }, { timeoutMs: 3000 }, minecraft);
    expect(status).toMatchObject({
      playersOnline: 250,
      playersMax: 500,
      playerNames: ['Alice'],
      name: 'Java via\nAPI',
      version: '1.21.4',
    });
    // No port given: the API does the SRV lookup itself.
    expect(api.requests.at(-1)).toMatch(/ \/3\/mc\.example\.org$/);
  });

  it('passes a given port, and asks the Bedrock endpoint for mbe', async () => {
    const status = await sut.query(
      { host: 'be.example.org', port: 19133 },
      { timeoutMs: 3000 },
      bedrock,
    );
    expect(status).toMatchObject({ name: 'Bedrock via API', map: 'World', gameMode: 'Survival' });
    expect(api.requests.at(-1)).toMatch(/ \/bedrock\/3\/be\.example\.org:19133$/);
  });

  it("reports the API's offline verdict as unreachable, with its reason", async () => {
    const err = await sut
      .query({ host: 'offline.example.org' }, { timeoutMs: 3000 }, minecraft)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({
      code: 'unreachable',
      message: 'the status API could not reach the server: Connection refused',
    });
  });

  it('reports a rate limit as denied', async () => {
    api.route('/3/limited.example.org', { status: 429, body: { error: 'slow down' } });
    const err = await sut
      .query({ host: 'limited.example.org' }, { timeoutMs: 3000 }, minecraft)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'denied' });
  });

  it('answers only minecraft and mbe', () => {
    expect(sut.supports('minecraft')).toBe(true);
    expect(sut.supports('mbe')).toBe(true);
    expect(sut.supports('rust')).toBe(false);
    expect(sut.games).toEqual([]);
  });
});
