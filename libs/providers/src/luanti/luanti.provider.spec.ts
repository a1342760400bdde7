import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type LuantiFixture,
  type LuantiResponder,
  PING_PACKET,
  ackPacket,
  reliable,
  splitPacket,
  startLuantiResponder,
  unreliable,
} from '../../../../test/support/luanti-responder.js';
import { startUdpResponder } from '../../../../test/support/udp-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import {
  AUTH_FIRST_SRP,
  AUTH_SRP,
  DENIED_CUSTOM_STRING,
  DENIED_TOO_MANY_USERS,
} from './luanti.parser.js';
import { LuantiProvider } from './luanti.provider.js';

const services = new ProviderServices();
const sut = new LuantiProvider(services);

const HELLO_5_6 = {
  serializationVersion: 29,
  protocolVersion: 41,
  authMechanisms: AUTH_FIRST_SRP,
};
/** Nothing the server tells without a login. */
const UNKNOWN = {
  playersOnline: 0,
  playersMax: 0,
  bots: 0,
  playerNames: [],
  name: null,
  map: null,
  gameMode: null,
};

let responder: LuantiResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});
afterAll(() => services.close());

async function queryWith(fixture: LuantiFixture, timeoutMs = 3000) {
  responder = await startLuantiResponder(fixture);
  return sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs });
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error('expected the query to fail');
}

/** The DISCO goes out as the query ends; give it a moment to arrive. */
async function settled(): Promise<LuantiResponder> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (!responder) throw new Error('no responder');
  return responder;
}

describe('LuantiProvider against a handshake responder', () => {
  it('answers the games it took over from GameDig, by id and alias', () => {
    expect(sut.games.map((game) => game.id)).toEqual(['minetest']);
    expect(findGame('luanti')).toMatchObject({ id: 'minetest', defaultPort: 30000 });
    expect(sut.supports('minetest')).toBe(true);
  });

  it('reads the version and password rule from a HELLO, then frees its peer', async () => {
    const status = await queryWith({ answer: { hello: HELLO_5_6 } });
    expect(status).toMatchObject({
      ...UNKNOWN,
      version: 'protocol 41 (5.6)',
      passwordProtected: false,
    });
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
    const server = await settled();
    expect(server.inits).toHaveLength(1);
    expect(server.inits[0]).toMatchObject({ peerId: 0, channel: 1, maxProtocol: 0xffff });
    expect(server.inits[0]?.name).toMatch(/^probe_[0-9a-z]{10}$/u);
    expect(server.discos).toEqual([2]);
    expect(server.peers).toBe(0);
  });

  it('sends INIT again to a server that drops the first ones (before 5.10)', async () => {
    const status = await queryWith({ answer: { hello: HELLO_5_6 }, lateClientMs: 60 });
    expect(status.version).toBe('protocol 41 (5.6)');
    const server = await settled();
    expect(server.inits.length).toBeGreaterThanOrEqual(2);
    // The first from no peer, the rest from the peer id the server gave, under one name.
    expect(server.inits.slice(1).every((init) => init.peerId === 2)).toBe(true);
    expect(new Set(server.inits.map((init) => init.name)).size).toBe(1);
    expect(server.discos).toEqual([2]);
  });

  it('measures the latency to the first answer, not to a late HELLO', async () => {
    const status = await queryWith({ answer: { hello: HELLO_5_6 }, lateClientMs: 300 });
    expect(status.latencyMs).toBeLessThan(100);
  });

  it('reports a server password when a name without an account must use SRP', async () => {
    const status = await queryWith({
      answer: {
        hello: { serializationVersion: 29, protocolVersion: 46, authMechanisms: AUTH_SRP },
      },
    });
    expect(status).toMatchObject({ version: 'protocol 46 (5.10)', passwordProtected: true });
  });

  it('takes a HELLO that overtook the peer id, and disconnects by address', async () => {
    const status = await queryWith({ answer: { hello: HELLO_5_6 }, helloFirst: true });
    expect(status.version).toBe('protocol 41 (5.6)');
    const server = await settled();
    expect(server.discos).toEqual([0]);
    expect(server.peers).toBe(0);
  });

  it('skips pings, acks and split pieces before the answer', async () => {
    const status = await queryWith({
      answer: { hello: HELLO_5_6 },
      noiseFirst: [
        unreliable(PING_PACKET),
        unreliable(ackPacket(65_500)),
        reliable(65_502, splitPacket(1, 2, 0, Buffer.from('piece'))),
      ],
    });
    expect(status.version).toBe('protocol 41 (5.6)');
  });

  it.each([
    ['full', { reason: DENIED_TOO_MANY_USERS }, false],
    ['a mod refusing', { reason: DENIED_CUSTOM_STRING, text: 'Whitelist' }, false],
    ['full, the DISCO first', { reason: DENIED_TOO_MANY_USERS, text: '', reconnect: true }, true],
  ])(
    'reports a server that refuses the login (%s) as online',
    async (_case, denied, discoFirst) => {
      const status = await queryWith({ answer: { denied }, discoFirst });
      expect(status).toMatchObject({ ...UNKNOWN, version: null, passwordProtected: null });
      // A DISCO of ours only when the server's own had not come yet.
      expect((await settled()).discos).toEqual(discoFirst ? [] : [2]);
    },
  );

  it('reports a server that disconnects at once as online', async () => {
    const status = await queryWith({ answer: 'disconnect' });
    expect(status).toMatchObject({ ...UNKNOWN, version: null });
  });

  it('says so when the network layer answers but no HELLO ever comes, and frees the peer', async () => {
    const startedAt = performance.now();
    const err = await failure(queryWith({ answer: 'none' }, 500));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/network layer answered \(peer id 2\) but no HELLO/u);
    expect(performance.now() - startedAt).toBeLessThan(700);
    const server = await settled();
    // INITs repeated at growing intervals, not flooded.
    expect(server.inits.length).toBeGreaterThan(2);
    expect(server.inits.length).toBeLessThan(10);
    expect(server.discos).toEqual([2]);
  });

  it('times out on a silent port, with a hint, sending INIT once and no DISCO', async () => {
    const received: Buffer[] = [];
    const silent = await startUdpResponder(({ datagram }) => received.push(datagram));
    try {
      const err = await failure(
        sut.query({ host: '127.0.0.1', port: silent.port }, { timeoutMs: 300 }),
      );
      expect(err.code).toBe('timeout');
      expect(err.message).toMatch(/Minetest|Luanti/u);
      expect(received).toHaveLength(1);
    } finally {
      await silent.stop();
    }
  });

  it('rejects a reply of another protocol, without a DISCO', async () => {
    const received: Buffer[] = [];
    const other = await startUdpResponder(({ datagram, reply }) => {
      received.push(datagram);
      reply(Buffer.from('\xff\xff\xff\xffstatusResponse\n', 'latin1'));
    });
    try {
      const err = await failure(
        sut.query({ host: '127.0.0.1', port: other.port }, { timeoutMs: 1000 }),
      );
      expect(err.code).toBe('protocol');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toHaveLength(1);
    } finally {
      await other.stop();
    }
  });
});
