import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type TeeworldsFixture,
  type TeeworldsResponder,
  infoExtended,
  startTeeworldsResponder,
} from '../../../../test/support/teeworlds-responder.js';
import { type UdpResponder, startUdpResponder } from '../../../../test/support/udp-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { TeeworldsProvider } from './teeworlds.provider.js';

const services = new ProviderServices();
const sut = new TeeworldsProvider(services);
const teeworlds = findGame('teeworlds');
const ddnet = findGame('ddnet');

const clients = (count: number, spectators = 0) => [
  ...Array.from({ length: count }, (_v, i) => ({ name: `tee ${i}`, clan: 'Clan' })),
  ...Array.from({ length: spectators }, (_v, i) => ({ name: `spec ${i}`, player: false })),
];

const VANILLA_06: TeeworldsFixture = {
  speaks: '0.6',
  version: '0.6 626fce9a778df4d4',
  name: 'Vanilla 0.6',
  map: 'ctf5',
  gameType: 'CTF',
  password: true,
  maxPlayers: 14,
  maxClients: 16,
  // A spectator listed first: names come players first all the same.
  clients: [{ name: 'watching', player: false }, { name: 'nameless tee' }, { name: '  ' }],
};

const VANILLA_07: TeeworldsFixture = {
  speaks: '0.7',
  version: '0.7.5',
  name: 'Vanilla 0.7',
  map: 'dm1',
  gameType: 'DM',
  maxPlayers: 8,
  maxClients: 12,
  clients: [{ name: 'bot', bot: true }, { name: 'human' }, { name: 'spec', player: false }],
};

const DDNET: TeeworldsFixture = {
  speaks: 'ddnet',
  sixup: true,
  version: '0.6.4, 16.4',
  name: 'DDNet with a name longer than the sixty-four bytes the vanilla info allows it',
  map: 'Sunny Side Up',
  gameType: 'DDraceNetwork',
  maxPlayers: 64,
  maxClients: 64,
  clients: clients(50, 10),
  // Small datagrams: 60 clients take several iex+ datagrams.
  maxPayload: 400,
};

let responder: UdpResponder | TeeworldsResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});
afterAll(() => services.close());

async function query(fixture: TeeworldsFixture, game = teeworlds, timeoutMs = 3000) {
  const started = await startTeeworldsResponder(fixture);
  responder = started;
  const status = await sut.query({ host: '127.0.0.1', port: started.port }, { timeoutMs }, game);
  return { status, seen: started.seen };
}

describe('TeeworldsProvider against a 0.6 server', () => {
  it('reads the 0.6 info: clients online, players listed before spectators, password', async () => {
    const { status, seen } = await query(VANILLA_06);
    expect(status).toMatchObject({
      playersOnline: 3,
      playersMax: 16,
      bots: 0,
      playerNames: ['nameless tee', 'watching'],
      name: 'Vanilla 0.6',
      map: 'ctf5',
      version: '0.6 626fce9a778df4d4',
      gameMode: 'CTF',
      passwordProtected: true,
    });
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    // The 0.7 token request went out as well, and got no answer.
    expect(seen).toMatchObject({ info06: 1, token07: 0 });
  });

  it('ignores an answer carrying another token (a late reply to an earlier query)', async () => {
    const { status } = await query({ ...VANILLA_06, staleFirst: true });
    expect(status.playersOnline).toBe(3);
  });
});

describe('TeeworldsProvider against a 0.7 server', () => {
  it('does the token handshake, then reads the 0.7 info and its bots', async () => {
    const { status, seen } = await query(VANILLA_07);
    expect(status).toMatchObject({
      playersOnline: 3,
      playersMax: 12,
      bots: 1,
      playerNames: ['bot', 'human', 'spec'],
      name: 'Vanilla 0.7',
      map: 'dm1',
      version: '0.7.5',
      gameMode: 'DM',
      passwordProtected: false,
    });
    expect(seen).toMatchObject({ token07: 1, info07: 1 });
  });

  it('ignores a 0.7 answer to another token', async () => {
    const { status } = await query({ ...VANILLA_07, staleFirst: true });
    expect(status.playersOnline).toBe(3);
  });

  it('is not asked as ddnet (no token request), and times out with a port hint', async () => {
    const err = await query(VANILLA_07, ddnet, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ code: 'timeout' });
    expect((err as Error).message).toMatch(/DDraceNetwork usually answers queries on port 8303/);
    expect((responder as TeeworldsResponder).seen.token07).toBe(0);
  });
});

describe('TeeworldsProvider against DDNet', () => {
  it('reads the extended info and every client across its iex+ datagrams', async () => {
    const { status, seen } = await query(DDNET, ddnet);
    expect(status).toMatchObject({
      playersOnline: 60,
      playersMax: 64,
      bots: 0,
      name: DDNET.name,
      map: 'Sunny Side Up',
      version: '0.6.4, 16.4',
      gameMode: 'DDraceNetwork',
      passwordProtected: false,
    });
    expect(status.playerNames).toEqual([
      ...Array.from({ length: 50 }, (_v, i) => `tee ${i}`),
      ...Array.from({ length: 10 }, (_v, i) => `spec ${i}`),
    ]);
    expect(seen).toMatchObject({ extended: 1, token07: 0 });
  });

  it('as teeworlds too: the extended info wins over the 0.7 one', async () => {
    const { status, seen } = await query(DDNET, teeworlds);
    expect(status.version).toBe('0.6.4, 16.4');
    expect(status.playerNames).toHaveLength(60);
    expect(seen.extended).toBe(1);
  });

  it('takes iex+ datagrams that overtake their iext', async () => {
    const { status } = await query({ ...DDNET, moreFirst: true, staleFirst: true }, ddnet);
    expect(status.playerNames).toHaveLength(60);
  });

  it('returns the count and the names it got when an iex+ datagram is lost, without waiting out the timeout', async () => {
    const started = performance.now();
    const { status } = await query({ ...DDNET, dropMore: [2] }, ddnet, 5000);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(status.playersOnline).toBe(60);
    expect(status.playerNames.length).toBeGreaterThan(0);
    expect(status.playerNames.length).toBeLessThan(60);
  });

  it('keeps the info when a datagram after it is broken', async () => {
    responder = await startUdpResponder(({ datagram, reply }) => {
      if (datagram.length !== 15) return;
      const token = (datagram.readUInt16BE(2) << 8) | (datagram[14] as number);
      const [head] = infoExtended({ ...DDNET, maxPayload: 400 }, token);
      reply(head as Buffer);
      reply(Buffer.from('not teeworlds'));
    });
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
      ddnet,
    );
    expect(status.playersOnline).toBe(60);
    expect(status.playerNames.length).toBeLessThan(60);
  });
});

describe('TeeworldsProvider against something else', () => {
  it('fails with protocol when the port answers in another protocol', async () => {
    responder = await startUdpResponder(({ reply }) =>
      reply(Buffer.from('\xff\xff\xff\xffstatusResponse\n\\a\\b\n', 'latin1')),
    );
    const err = await sut
      .query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 2000 }, teeworlds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'protocol' });
  });

  it('sends a silent server the extended 0.6 request and the 0.7 token request, nothing more', async () => {
    const got: Buffer[] = [];
    responder = await startUdpResponder(({ datagram }) => got.push(datagram));
    await sut
      .query({ host: '127.0.0.1', port: responder.port }, { timeoutMs: 200 }, teeworlds)
      .catch(() => undefined);
    expect(got.map((d) => d.length).sort((a, b) => a - b)).toEqual([15, 519]);
    expect(
      got
        .find((d) => d.length === 15)
        ?.subarray(0, 2)
        .toString(),
    ).toBe('xe');
  });
});
