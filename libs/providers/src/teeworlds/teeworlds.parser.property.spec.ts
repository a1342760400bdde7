import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  datagram,
  mutate,
  mutations,
  parsedOrRejected,
  prefixed,
} from '../../../../test/support/fuzz.js';
import {
  type TeeworldsFixture,
  info06,
  info07,
  infoExtended,
  packedInt,
} from '../../../../test/support/teeworlds-responder.js';
import { ProviderError } from '../provider.error.js';
import * as sut from './teeworlds.parser.js';

// Untrusted datagrams: only a ProviderError may escape (see test/support/fuzz.ts). About
// 100,000 inputs in all; each test gets 30 s, as the machine running them may be shared.

/** Decodes like the provider, and checks what any accepted reply must satisfy. */
function read(bytes: Uint8Array): void {
  const reply = parsedOrRejected(() => sut.decodeReply(Buffer.from(bytes)));
  if (reply instanceof ProviderError) return;
  if (reply.kind === 'info' || reply.kind === 'info7') {
    const { info } = reply;
    expect(info.players).toBeGreaterThanOrEqual(0);
    expect(info.players).toBeLessThanOrEqual(info.clients);
    expect(info.clients).toBeLessThanOrEqual(info.maxClients);
    expect(info.maxPlayers).toBeLessThanOrEqual(info.maxClients);
    expect(info.maxClients).toBeLessThanOrEqual(sut.MAX_SLOTS);
    expect(info.list.length).toBeLessThanOrEqual(bytes.length / 5);
  }
  if (reply.kind === 'more') {
    expect(reply.packet).toBeGreaterThanOrEqual(1);
    expect(reply.packet).toBeLessThanOrEqual(sut.MAX_MORE_PACKETS);
  }
}

const FF6 = Buffer.alloc(6, 0xff);
const letters = (text: string) => Buffer.from(`\xff\xff\xff\xff${text}`, 'latin1');
const HEADERS = [
  Buffer.concat([FF6, letters('inf3')]),
  Buffer.concat([FF6, letters('iext')]),
  Buffer.concat([FF6, letters('iex+')]),
  Buffer.concat([Buffer.from('2112345678e43e6510', 'hex'), letters('inf3')]),
  Buffer.from('04000012345678', 'hex'),
];

/** Text without NUL (the strings' terminator), any other Unicode included. */
const name = (maxLength: number) =>
  fc.string({ maxLength, unit: 'binary' }).map((s) => s.replace(/\0/g, ''));

const fixture: fc.Arbitrary<TeeworldsFixture> = fc
  .record({
    version: name(32),
    name: name(64),
    map: name(32),
    gameType: name(16),
    password: fc.boolean(),
    extraSlots: fc.nat(20),
    spareSpectators: fc.nat(4),
    clients: fc.array(
      fc.record({
        name: name(16),
        clan: name(12),
        country: fc.integer({ min: -1, max: 999 }),
        score: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        player: fc.boolean(),
        bot: fc.boolean(),
      }),
      { maxLength: 24 },
    ),
  })
  .map(({ extraSlots, spareSpectators, ...rest }) => ({
    ...rest,
    speaks: '0.7' as const,
    maxPlayers: rest.clients.length + extraSlots,
    maxClients: rest.clients.length + extraSlots + spareSpectators,
  }));

/** What the decoder must give back for a fixture (bots only where 0.7 carries them). */
function expected(f: TeeworldsFixture, format: sut.InfoFormat) {
  return {
    version: f.version,
    name: f.name,
    map: f.map,
    gameType: f.gameType,
    flags: f.password ? 1 : 0,
    players: f.clients.filter((c) => c.player !== false).length,
    maxPlayers: f.maxPlayers,
    clients: f.clients.length,
    maxClients: f.maxClients,
    list: f.clients.map((c) => ({
      name: c.name,
      clan: c.clan ?? '',
      player: c.player !== false,
      bot: format === '0.7' && c.bot === true,
    })),
  };
}

const EMPTY: TeeworldsFixture = {
  speaks: '0.7',
  version: '0.7.5',
  name: 'n',
  map: 'm',
  gameType: 'DM',
  maxPlayers: 8,
  maxClients: 8,
  clients: [],
};

/** Valid replies of every form to mutate (made once: fixtures cost more than the parse). */
const REPLIES = fc
  .sample(fixture, { numRuns: 40, seed: 7 })
  .flatMap((f, i) => [
    info06(f, i),
    ...infoExtended({ ...f, maxPayload: 300 }, 0xabcd00 + i),
    info07(f, 1, 2, i),
  ]);

describe('Teeworlds parser under random input', () => {
  it('rejects random datagrams cleanly', () => {
    fc.assert(fc.property(datagram, read), { numRuns: 25_000 });
  }, 30_000);

  it('rejects random bytes behind every valid header', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HEADERS).chain((h) => prefixed(h, 300)),
        read,
      ),
      {
        numRuns: 30_000,
      },
    );
  }, 30_000);

  it('survives mutated 0.6, DDNet extended and 0.7 replies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REPLIES), mutations, (reply, changes) =>
        read(mutate(reply, changes)),
      ),
      { numRuns: 30_000 },
    );
  }, 30_000);

  it('reads every valid reply back, DDNet extended across its iex+ datagrams', () => {
    fc.assert(
      fc.property(
        fixture,
        fc.nat(0xff_ffff),
        fc.integer({ min: 120, max: 1370 }),
        (f, token, maxPayload) => {
          const vanilla = sut.decodeReply(info06(f, token & 0xff));
          expect(vanilla).toEqual({
            kind: 'info',
            info: { format: '0.6', token: token & 0xff, ...expected(f, '0.6') },
          });

          const [head, ...more] = infoExtended({ ...f, maxPayload }, token);
          const first = sut.decodeReply(head as Buffer);
          if (first.kind !== 'info') throw new Error(`iext read as ${first.kind}`);
          const list = [...first.info.list];
          more.forEach((datagram, i) => {
            const next = sut.decodeReply(datagram);
            expect(next).toMatchObject({ kind: 'more', token, packet: i + 1 });
            if (next.kind === 'more') list.push(...next.list);
          });
          expect({ ...first.info, list }).toEqual({
            format: 'ddnet-extended',
            token,
            ...expected(f, 'ddnet-extended'),
          });

          expect(sut.decodeReply(info07(f, 7, 9, token))).toEqual({
            kind: 'info7',
            to: 7,
            from: 9,
            info: { format: '0.7', token, ...expected(f, '0.7') },
          });
        },
      ),
      { numRuns: 2_000 },
    );
  }, 30_000);

  it('packs ints as the engine does, and reads them back', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (value) => {
        const packed = sut.packInt(value);
        expect(packed.equals(packedInt(value))).toBe(true);
        expect(sut.encodeInfoRequest07(1, 2, value).subarray(17).equals(packed)).toBe(true);
        const reply = sut.decodeReply(info07(EMPTY, 1, 2, value));
        expect(reply.kind === 'info7' && reply.info.token).toBe(value);
      }),
      { numRuns: 15_000 },
    );
  }, 30_000);
});
