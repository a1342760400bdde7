import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Cube2Client,
  encodeClient,
  encodeClientNumbers,
  encodeInfo,
  putInt,
} from '../../../../test/support/cube2-responder.js';
import {
  datagram,
  mutate,
  mutations,
  parsedOrRejected,
  prefixed,
} from '../../../../test/support/fuzz.js';
import { ByteReader } from '../byte-reader.js';
import { ProviderError } from '../provider.error.js';
import {
  CUBE_CHARSET,
  cubeText,
  decodeExtinfoReply,
  decodeInfoReply,
  encodeInfoRequest,
  encodePlayerStatsRequest,
  getInt,
} from './cube2.parser.js';

// Untrusted datagrams: only a ProviderError may escape (see test/support/fuzz.ts).
// About 10^5 generated inputs in all.

const INFO_ECHO = encodeInfoRequest(0x01020304);
const EXT_ECHO = encodePlayerStatsRequest(0x01020304);

/** The whole read path of one datagram, as the provider runs it, with any echo length. */
function read(bytes: Uint8Array, echoLength: number): void {
  const buf = Buffer.from(bytes);
  const info = parsedOrRejected(() => decodeInfoReply(buf, echoLength));
  if (!(info instanceof ProviderError)) {
    expect(info.attributes.length).toBeLessThanOrEqual(32);
    expect(info.players).toBeGreaterThanOrEqual(0);
    expect(info.map.length + info.description.length).toBeLessThanOrEqual(buf.length);
    cubeText(info.description);
  }
  const ext = parsedOrRejected(() => decodeExtinfoReply(buf, echoLength));
  if (ext instanceof ProviderError) return;
  if (ext.kind === 'clients') expect(ext.clientNumbers.length).toBeLessThanOrEqual(buf.length);
  if (ext.kind === 'player') {
    expect(ext.player.clientNumber).toBeGreaterThanOrEqual(0);
    cubeText(ext.player.name);
  }
}

/** Any character of Cube's charset but its terminator. */
const cubeChar = fc.integer({ min: 1, max: 255 }).map((byte) => CUBE_CHARSET[byte] ?? '?');
const cubeString = fc.array(cubeChar, { maxLength: 40 }).map((chars) => chars.join(''));
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

const infoFixture = fc.record({
  players: fc.nat(200),
  // The fourth attribute, max clients, must be a count.
  attributes: fc
    .array(int32, { maxLength: 7 })
    .map((list) => list.map((n, i) => (i === 3 ? Math.abs(n % 10_001) : n))),
  map: cubeString,
  description: cubeString,
});

const client: fc.Arbitrary<Cube2Client> = fc.record({
  clientNumber: fc.nat(300),
  ping: int32,
  name: cubeString,
  team: cubeString,
  frags: int32,
});

describe('Cube 2 parsers under random input', () => {
  it('reject random datagrams cleanly, whatever the echo length', () => {
    fc.assert(fc.property(datagram, fc.nat(9), read), { numRuns: 30_000 });
  });

  it('reject random bytes behind a valid echo and extinfo header', () => {
    fc.assert(
      fc.property(prefixed(INFO_ECHO, 200), (bytes) => read(bytes, INFO_ECHO.length)),
      { numRuns: 10_000 },
    );
    const headers = ['', 'ff69', 'ff6900', 'ff6900f6', 'ff6900f5'].map((h) =>
      Buffer.concat([EXT_ECHO, Buffer.from(h, 'hex')]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...headers).chain((header) => prefixed(header, 200)),
        (bytes) => read(bytes, EXT_ECHO.length),
      ),
      { numRuns: 15_000 },
    );
  });

  it('survive mutated info, client-list and player replies', () => {
    const withEcho = (echo: Buffer, payload: number[]) =>
      Buffer.concat([echo, Buffer.from(payload)]);
    fc.assert(
      fc.property(infoFixture, mutations, (fixture, changes) =>
        read(mutate(withEcho(INFO_ECHO, encodeInfo(fixture)), changes), INFO_ECHO.length),
      ),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(fc.array(client, { maxLength: 20 }), mutations, (clients, changes) =>
        read(mutate(withEcho(EXT_ECHO, encodeClientNumbers(clients)), changes), EXT_ECHO.length),
      ),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(client, mutations, (fixture, changes) =>
        read(mutate(withEcho(EXT_ECHO, encodeClient(fixture)), changes), EXT_ECHO.length),
      ),
      { numRuns: 10_000 },
    );
  });

  it('read every valid encoding back', () => {
    fc.assert(
      fc.property(int32, (n) => {
        const out: number[] = [];
        putInt(out, n);
        const reader = new ByteReader(Buffer.from(out), 'test');
        expect(getInt(reader, 'n')).toBe(n);
        expect(reader.remaining).toBe(0);
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(infoFixture, (fixture) => {
        const bytes = Buffer.concat([INFO_ECHO, Buffer.from(encodeInfo(fixture))]);
        expect(decodeInfoReply(bytes, INFO_ECHO.length)).toMatchObject({
          players: fixture.players,
          attributes: fixture.attributes,
          map: fixture.map,
          description: fixture.description,
        });
      }),
      { numRuns: 10_000 },
    );
    fc.assert(
      fc.property(client, (fixture) => {
        const bytes = Buffer.concat([EXT_ECHO, Buffer.from(encodeClient(fixture))]);
        expect(decodeExtinfoReply(bytes, EXT_ECHO.length)).toEqual({
          kind: 'player',
          player: {
            clientNumber: fixture.clientNumber,
            ping: fixture.ping,
            name: fixture.name,
            team: fixture.team,
          },
        });
      }),
      { numRuns: 5_000 },
    );
  });
});
