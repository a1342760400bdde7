import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type Cube2Fixture,
  startCube2Responder,
} from '../../../../test/support/cube2-responder.js';
import { startUdpResponder, type UdpResponder } from '../../../../test/support/udp-responder.js';
import { ProviderServices } from '../provider-services.js';
import { Cube2Provider } from './cube2.provider.js';

const services = new ProviderServices();
const sut = new Cube2Provider(services);

const BUSY: Cube2Fixture = {
  players: 3,
  attributes: [260, 12, 421, 8, 4],
  map: 'forge',
  description: '\f3Insta \f7CTF Café',
  clients: [
    { clientNumber: 0, ping: 31, name: '\f0Zoë', team: 'good' },
    { clientNumber: 128, ping: 0, name: 'bot', team: 'evil' },
    { clientNumber: 2, ping: 55, name: 'Жизнь', team: 'evil' },
    { clientNumber: 5, ping: 12, name: 'spec', team: '' },
    { clientNumber: 129, ping: 0, name: 'bot', team: 'good' },
  ],
};

let responder: UdpResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});
afterAll(() => services.close());

/** Queries a fresh responder for `fixture` (the previous one stopped). */
async function query(fixture: Cube2Fixture, timeoutMs = 3000) {
  await responder?.stop();
  responder = await startCube2Responder(fixture);
  return sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs });
}

describe('Cube2Provider against an info-port responder', () => {
  it('reads the info and the extinfo player list, bots apart', async () => {
    const status = await query(BUSY);
    expect(status).toEqual({
      latencyMs: expect.any(Number) as number,
      playersOnline: 3,
      playersMax: 8,
      bots: 2,
      playerNames: ['Zoë', 'Жизнь', 'spec'],
      name: 'Insta CTF Café',
      map: 'forge',
      version: 'protocol 260',
      gameMode: 'insta ctf',
      passwordProtected: true,
    });
  });

  it('skips replies to another tag, and takes the datagrams in any order', async () => {
    expect(await query({ ...BUSY, staleFirst: true })).toMatchObject({
      playersOnline: 3,
      bots: 2,
      playerNames: ['Zoë', 'Жизнь', 'spec'],
    });
    expect(await query({ ...BUSY, playersFirst: true })).toMatchObject({
      bots: 2,
      playerNames: ['Zoë', 'Жизнь', 'spec'],
    });
  });

  it('returns the info alone when the server has no extinfo or says no', async () => {
    for (const extinfo of ['plain', 'error', 'none'] as const) {
      const status = await query({ ...BUSY, extinfo });
      expect(status).toMatchObject({ playersOnline: 3, bots: 0, playerNames: [], map: 'forge' });
    }
  });

  it('uses what came of a list with a datagram lost', async () => {
    expect(await query({ ...BUSY, extinfo: 'lose' })).toMatchObject({
      bots: 2,
      playerNames: ['Zoë', 'Жизнь', 'spec'],
    });
    expect(await query({ ...BUSY, extinfo: 'noIds' })).toMatchObject({
      bots: 2,
      playerNames: ['Zoë', 'Жизнь', 'spec'],
    });
  });

  it('reports an empty server with no bots (a bot needs a connected client)', async () => {
    const status = await query(
      {
        players: 0,
        attributes: [260, 0, 0, 16, 0],
        map: '',
        description: 'Empty',
        extinfo: 'none',
      },
      5000,
    );
    expect(status).toMatchObject({
      playersOnline: 0,
      bots: 0,
      map: null,
      name: 'Empty',
      gameMode: 'ffa',
      passwordProtected: false,
    });
  });

  it('keeps a mode it has no name for, and what the server leaves out empty', async () => {
    expect(
      await query({ players: 0, attributes: [259, 42], map: 'x', description: '' }),
    ).toMatchObject({
      version: 'protocol 259',
      gameMode: '42',
      playersMax: 0,
      passwordProtected: null,
      name: null,
    });
    expect(await query({ players: 0, attributes: [], map: '', description: '' })).toMatchObject({
      version: null,
      gameMode: null,
    });
  });

  it('fails with protocol on a malformed info reply', async () => {
    responder = await startUdpResponder(({ datagram, reply }) => {
      if (datagram[0] !== 0) reply(Buffer.concat([datagram, Buffer.from([0x02, 0x05, 0x80])]));
    });
    await expect(
      sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code: 'protocol' });
  });

  it('names the info port in a timeout', async () => {
    responder = await startUdpResponder(() => undefined);
    await expect(
      sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/game port \+ 1/) as string,
    });
  });
});
