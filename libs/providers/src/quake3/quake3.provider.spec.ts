import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type Quake3Fixture,
  startQuake3Responder,
} from '../../../../test/support/quake3-responder.js';
import type { UdpResponder } from '../../../../test/support/udp-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { Quake3Provider } from './quake3.provider.js';

const services = new ProviderServices();
const sut = new Quake3Provider(services);
const urbanTerror = findGame('urbanterror');

const OPENARENA: Quake3Fixture = {
  info: {
    sv_hostname: '^1Test ^7Arena',
    sv_maxclients: '12',
    mapname: 'oa_dm4',
    g_gametype: '4',
    gamename: 'baseoa',
    g_needpass: '1',
    version: 'ioq3 1.36',
  },
  players: [
    { score: 3, ping: 0, name: '^1Angelyss' },
    { score: 9, ping: 35, name: 'Human' },
    { score: 0, ping: 999, name: 'Connecting' },
  ],
};

let responder: UdpResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});
afterAll(() => services.close());

describe('Quake3Provider against a getstatus responder', () => {
  it('reads counts, bots by ping 0, names without colours, password and game type', async () => {
    responder = await startQuake3Responder(OPENARENA);
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
    );
    expect(status).toMatchObject({
      playersOnline: 3,
      playersMax: 12,
      bots: 1,
      playerNames: ['Angelyss', 'Human', 'Connecting'],
      name: 'Test Arena',
      map: 'oa_dm4',
      version: 'ioq3 1.36',
      gameMode: 'Capture the Flag',
      passwordProtected: true,
    });
  });

  it('ignores a reply carrying another challenge (a late answer to an earlier request)', async () => {
    responder = await startQuake3Responder({ ...OPENARENA, staleFirst: true });
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
    );
    expect(status.playersOnline).toBe(3);
  });

  it('keeps a game type it has no name for, and unknown fields empty', async () => {
    responder = await startQuake3Responder({
      info: { hostname: 'Urban', sv_maxclients: '20', g_gametype: '8', mapname: 'ut4_turnpike' },
      players: [],
    });
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
      urbanTerror,
    );
    expect(status).toMatchObject({
      name: 'Urban',
      gameMode: '8',
      passwordProtected: null,
      version: null,
      playersOnline: 0,
      bots: 0,
    });
  });
});
