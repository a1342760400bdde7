import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  PLAYERS_BZIP2,
  PLAYERS_CRC32,
  PLAYERS_PLAIN,
  compressedSplitReply,
} from '../../../../test/support/a2s-bzip2.js';
import {
  type A2sResponder,
  type A2sServerOptions,
  encodeA2sInfo,
  encodeChallenge,
  startA2sResponder,
} from '../../../../test/support/a2s-responder.js';
import { startUdpResponder } from '../../../../test/support/udp-responder.js';
import { findGame } from '../games.js';
import { ProviderServices } from '../provider-services.js';
import { ProviderError } from '../provider.error.js';
import { ValveProvider } from './valve.provider.js';

const services = new ProviderServices({ perHostConcurrency: 64 });
const sut = new ValveProvider(services);
const cs2 = findGame('counterstrike2');
const rust = findGame('rust');

const BASE: A2sServerOptions = {
  info: {
    name: 'Loopback CS2',
    map: 'de_inferno',
    appId: 730,
    players: 5,
    maxPlayers: 16,
    bots: 2,
    password: true,
    vac: true,
    version: '1.40.0.1',
    gamePort: 27015,
  },
  players: [
    { name: 'Alice' },
    { name: 'Bob' },
    { name: '' },
    { name: 'BOT Carl' },
    { name: 'Max Players' },
  ],
};

let responder: A2sResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});
afterAll(() => services.close());

async function queryWith(options: A2sServerOptions, timeoutMs = 3000) {
  responder = await startA2sResponder(options);
  return sut.query({ host: '127.0.0.1', port: responder.port }, { timeoutMs }, cs2);
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('ValveProvider against an A2S responder', () => {
  it('reads info and players: counts with bots, password, map, version, names', async () => {
    const status = await queryWith(BASE);
    expect(status).toMatchObject({
      playersOnline: 5,
      playersMax: 16,
      bots: 2,
      name: 'Loopback CS2',
      map: 'de_inferno',
      version: '1.40.0.1',
      passwordProtected: true,
      gameMode: null,
      // CS:GO's fake "Max Players" entry and the nameless connecting player are left out.
      playerNames: ['Alice', 'Bob', 'BOT Carl'],
    });
    expect(status.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('answers the post-2020 challenge for A2S_INFO', async () => {
    const status = await queryWith({ ...BASE, challengeInfo: true });
    expect(status).toMatchObject({
      name: 'Loopback CS2',
      playerNames: ['Alice', 'Bob', 'BOT Carl'],
    });
    // INFO, PLAYER, then both again with the challenge: four requests, no more.
    expect(responder?.received).toBe(4);
  });

  it('needs three requests when only A2S_PLAYER takes a challenge', async () => {
    await queryWith(BASE);
    expect(responder?.received).toBe(3);
  });

  it('joins a player list split across Source packets arriving in reverse order', async () => {
    const players = Array.from({ length: 200 }, (_v, i) => ({ name: `player-${i}` }));
    const status = await queryWith({
      ...BASE,
      info: { ...BASE.info, appId: 252490, players: 200, maxPlayers: 250, keywords: 'mp300,cp200' },
      players,
      maxPayload: 500,
      reverseSplits: true,
    });
    expect(status.playerNames).toHaveLength(200);
    expect(status.playerNames[199]).toBe('player-199');
  });

  it('takes Rust counts from the cp/mp keywords', async () => {
    responder = await startA2sResponder({
      ...BASE,
      info: {
        ...BASE.info,
        appId: 252490,
        players: 0,
        maxPlayers: 0,
        keywords: 'biweekly,mp150,cp87,pt',
      },
    });
    const status = await sut.query(
      { host: '127.0.0.1', port: responder.port },
      { timeoutMs: 3000 },
      rust,
    );
    expect(status).toMatchObject({ playersOnline: 87, playersMax: 150 });
  });

  it('reads GoldSrc: protocol 48 and the one-byte split header', async () => {
    const players = Array.from({ length: 60 }, (_v, i) => ({ name: `gold-${i}` }));
    const status = await queryWith({
      ...BASE,
      info: { ...BASE.info, protocol: 48, appId: 10 },
      players,
      splitFormat: 'goldsrc',
      maxPayload: 300,
    });
    expect(status.playerNames).toHaveLength(60);
  });

  it('reads the obsolete GoldSrc info reply', async () => {
    const status = await queryWith({
      ...BASE,
      goldSrcInfo: true,
      info: { ...BASE.info, protocol: 47 },
    });
    expect(status).toMatchObject({
      name: 'Loopback CS2',
      playersOnline: 5,
      bots: 2,
      version: null,
    });
  });

  it('reads the version from the second info reply of a server that sends both forms', async () => {
    const status = await queryWith({
      ...BASE,
      bothInfoReplies: true,
      info: { ...BASE.info, protocol: 47 },
    });
    expect(status).toMatchObject({ name: 'Loopback CS2', playersOnline: 5, version: '1.40.0.1' });
  });

  it('returns without names, soon, when the server never sends its player list', async () => {
    const startedAt = performance.now();
    const status = await queryWith({ ...BASE, silentPlayers: true }, 5000);
    expect(status).toMatchObject({ playersOnline: 5, playerNames: [] });
    expect(performance.now() - startedAt).toBeLessThan(2500);
  });

  /** A server answering A2S_INFO from BASE and A2S_PLAYER with a compressed split reply. */
  function compressedServer(crc32: number) {
    const info = encodeA2sInfo(BASE.info);
    const datagrams = compressedSplitReply(PLAYERS_BZIP2, {
      id: 3,
      size: PLAYERS_PLAIN.length,
      crc32,
      partBytes: 40,
    });
    return startUdpResponder(({ datagram, reply }) => {
      if (datagram[4] === 0x54) reply(info);
      else if (datagram.readInt32LE(5) === -1)
        reply(encodeChallenge(Buffer.from('c0ffee01', 'hex')));
      else for (const part of datagrams) reply(part);
    });
  }

  it('reads a player list sent as a bzip2-compressed split reply', async () => {
    const server = await compressedServer(PLAYERS_CRC32);
    try {
      const status = await sut.query(
        { host: '127.0.0.1', port: server.port },
        { timeoutMs: 3000 },
        cs2,
      );
      expect(status.playerNames).toEqual(['alpha', 'beta', 'gamma']);
    } finally {
      await server.stop();
    }
  });

  it('fails with protocol when a compressed player list fails its CRC32', async () => {
    const server = await compressedServer((PLAYERS_CRC32 ^ 0xff) >>> 0);
    try {
      const err = await failure(
        sut.query({ host: '127.0.0.1', port: server.port }, { timeoutMs: 3000 }, cs2),
      );
      expect(err.code).toBe('protocol');
      expect(err.message).toMatch(/CRC32/u);
    } finally {
      await server.stop();
    }
  });

  it('serves many parallel queries to one server, one at a time on the wire', async () => {
    responder = await startA2sResponder({ ...BASE, challengeInfo: true });
    const port = responder.port;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        sut.query({ host: '127.0.0.1', port }, { timeoutMs: 5000 }, cs2),
      ),
    );
    expect(statuses.every((s) => s.playersOnline === 5)).toBe(true);
    // The first learns the challenge (4 requests); each later one sends it at once (2).
    expect(responder.received).toBe(4 + 39 * 2);
  });

  it('sends the challenge it learnt on the next poll: one round trip', async () => {
    await queryWith({ ...BASE, challengeInfo: true });
    const target = { host: '127.0.0.1', port: responder?.port };
    expect(responder?.received).toBe(4);
    await sut.query(target, { timeoutMs: 3000 }, cs2);
    expect(responder?.received).toBe(6);
  });

  it('asks again when the challenge it kept has expired', async () => {
    const first = await startA2sResponder({ ...BASE, challengeInfo: true });
    const port = first.port;
    await sut.query({ host: '127.0.0.1', port }, { timeoutMs: 3000 }, cs2);
    await first.stop();
    // A restarted server on the same port has a new challenge.
    responder = await startA2sResponder({ ...BASE, challengeInfo: true }, port);
    const status = await sut.query({ host: '127.0.0.1', port }, { timeoutMs: 3000 }, cs2);
    expect(status.name).toBe('Loopback CS2');
    expect(responder.received).toBe(4);
  });

  it('talks to IPv6 servers', async () => {
    const six = await startUdpResponder(
      ({ datagram, reply }) => {
        if (datagram[4] === 0x54) {
          reply(
            Buffer.concat([
              Buffer.from('ffffffff4911', 'hex'),
              Buffer.from('Six\0map\0f\0g\0', 'utf8'),
              Buffer.from('da0201020064006c000000', 'hex'),
              Buffer.from('1.0\0', 'utf8'),
            ]),
          );
        }
      },
      { family: 6 },
    );
    try {
      const status = await sut.query({ host: '::1', port: six.port }, { timeoutMs: 3000 }, cs2);
      expect(status).toMatchObject({ name: 'Six', map: 'map', playersOnline: 1, playersMax: 2 });
    } finally {
      await six.stop();
    }
  });

  it('times out on a silent port with a hint about the query port', async () => {
    const silent = await startUdpResponder(() => undefined);
    try {
      const err = await failure(
        sut.query({ host: '127.0.0.1', port: silent.port }, { timeoutMs: 200 }, cs2),
      );
      expect(err.code).toBe('timeout');
      expect(err.message).toMatch(/query port/);
    } finally {
      await silent.stop();
    }
  });

  it('rejects a server that sends a new challenge every time', async () => {
    let n = 0;
    const loop = await startUdpResponder(({ reply }) => {
      const challenge = Buffer.alloc(4);
      challenge.writeUInt32LE(++n);
      reply(Buffer.concat([Buffer.from('ffffffff41', 'hex'), challenge]));
    });
    try {
      const err = await failure(
        sut.query({ host: '127.0.0.1', port: loop.port }, { timeoutMs: 3000 }, cs2),
      );
      expect(err).toMatchObject({
        code: 'protocol',
        message: 'A2S: the server keeps sending new challenges',
      });
    } finally {
      await loop.stop();
    }
  });
});
