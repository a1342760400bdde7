import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findGame, ProviderServices, TeeworldsProvider } from '#providers';
import {
  type FakeClient,
  type TeeworldsServer,
  connectFakeClient,
  startTeeworldsServer,
} from './support/teeworlds-server.js';
import { waitFor } from './support/wait-for.js';

/**
 * The Teeworlds provider against Debian 12's real servers on loopback: teeworlds-server
 * (Teeworlds 0.7.5, reached through the 0.7 token handshake) and ddnet-server (DDNet 16.4,
 * its extended info).
 */
describe('Teeworlds provider against Debian servers on loopback', () => {
  const services = new ProviderServices();
  const sut = new TeeworldsProvider(services);
  const teeworlds = findGame('teeworlds');
  const ddnet = findGame('ddnet');
  const opts = { timeoutMs: 5000 };
  let vanilla: TeeworldsServer;
  let ddrace: TeeworldsServer;
  const clients: FakeClient[] = [];

  beforeAll(async () => {
    [vanilla, ddrace] = await Promise.all([
      startTeeworldsServer({
        flavour: 'teeworlds',
        name: 'Loopback Tee',
        maxClients: 12,
        password: 'secret',
        map: 'ctf2',
        gameType: 'ctf',
      }),
      // More than the 16 slots the plain 0.6 info can carry: only the extended info tells 20.
      startTeeworldsServer({
        flavour: 'ddnet',
        name: 'Loopback DDNet, a name longer than 64 bytes is sent whole in the extended info',
        maxClients: 20,
        map: 'Tutorial',
      }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all([vanilla, ddrace].map((server) => server?.stop()));
    await services.close();
  });

  it('reads teeworlds-server 0.7.5 over the 0.7 handshake: name, map, mode, slots, password', async () => {
    const status = await sut.query({ host: '127.0.0.1', port: vanilla.port }, opts, teeworlds);
    expect(status).toMatchObject({
      playersOnline: 0,
      playersMax: 12,
      bots: 0,
      playerNames: [],
      name: 'Loopback Tee',
      map: 'ctf2',
      version: '0.7.5',
      gameMode: 'CTF',
      passwordProtected: true,
    });
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    expect(status.latencyMs).toBeLessThan(1000);
  });

  it("reads ddnet-server 16.4's extended info: the whole name, all 20 slots, no password", async () => {
    const status = await sut.query({ host: '127.0.0.1', port: ddrace.port }, opts, ddnet);
    expect(status).toMatchObject({
      playersOnline: 0,
      playersMax: 20,
      bots: 0,
      playerNames: [],
      name: 'Loopback DDNet, a name longer than 64 bytes is sent whole in the extended info',
      map: 'Tutorial',
      version: '0.6.4, 16.4',
      passwordProtected: false,
    });
    // The server cuts its game type to 15 characters ("TestDDraceNetwork" with sv_test_cmds).
    expect(status.gameMode).toMatch(/DDraceNetwo/);
  });

  it('reads ddnet-server as teeworlds too: its 0.6 extended info, not its 0.7 one', async () => {
    const status = await sut.query({ host: '127.0.0.1', port: ddrace.port }, opts, teeworlds);
    expect(status).toMatchObject({ version: '0.6.4, 16.4', playersMax: 20 });
  });

  it('counts a client joining either server, listed as "(connecting)"', async () => {
    clients.push(await connectFakeClient(vanilla.port, 'secret'));
    clients.push(await connectFakeClient(ddrace.port));
    for (const [server, game] of [
      [vanilla, teeworlds],
      [ddrace, ddnet],
    ] as const) {
      const status = await waitFor(`a client counted on port ${server.port}`, async () => {
        const got = await sut.query({ host: '127.0.0.1', port: server.port }, opts, game);
        return got.playersOnline === 1 ? got : undefined;
      });
      expect(status.playerNames).toEqual(['(connecting)']);
      expect(status.playersMax).toBe(game === ddnet ? 20 : 12);
    }
  });
});
