import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeA2sInfo,
  encodeA2sPlayers,
  encodeGoldSrcInfo,
  splitReply,
} from '../../../../test/support/a2s-responder.js';
import {
  datagram,
  mutate,
  mutations,
  parsedOrRejected,
  prefixed,
} from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import {
  MAX_REASSEMBLED_BYTES,
  type SplitFormat,
  SplitAssembler,
  parseA2sPacket,
} from './a2s-packet.parser.js';
import { parseChallenge, parseInfo, parsePlayers } from './a2s.parser.js';

// Untrusted datagrams: only a ProviderError may escape (see test/support/fuzz.ts).

const formats: SplitFormat[] = ['source', 'source-no-size', 'goldsrc'];
const SINGLE = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const SPLIT = Buffer.from([0xfe, 0xff, 0xff, 0xff]);

/** The whole read path of one datagram, as the provider runs it. */
function readDatagram(bytes: Uint8Array, format: SplitFormat, assembler: SplitAssembler): void {
  const packet = parsedOrRejected(() => parseA2sPacket(Buffer.from(bytes), format));
  if (packet instanceof ProviderError || packet.kind === 'stray') return;
  const message =
    packet.kind === 'single' ? packet.message : parsedOrRejected(() => assembler.add(packet));
  if (message === undefined || message instanceof ProviderError) return;
  readMessage(message);
}

function readMessage(message: Buffer): void {
  const players = parsedOrRejected(() => parsePlayers(message, 730));
  if (Array.isArray(players)) expect(players.length).toBeLessThanOrEqual(message.length);
  parsedOrRejected(() => parseInfo(message));
  parsedOrRejected(() => parseChallenge(message));
}

const info = fc.record({
  name: fc.string({ maxLength: 60 }),
  map: fc.string({ maxLength: 30 }),
  players: fc.nat(255),
  maxPlayers: fc.nat(255),
  bots: fc.nat(255),
  appId: fc.constantFrom(730, 2400, 252490, 440),
  keywords: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
  gamePort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  gameId: fc.option(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { nil: undefined }),
});

describe('A2S parsers under random input', () => {
  it('reject random datagrams cleanly in every split format', () => {
    fc.assert(
      fc.property(datagram, fc.constantFrom(...formats), (bytes, format) => {
        readDatagram(bytes, format, new SplitAssembler());
      }),
      { numRuns: 3000 },
    );
  });

  it('reject random bytes behind a valid single or split header', () => {
    fc.assert(
      fc.property(
        fc.oneof(prefixed(SINGLE), prefixed(SPLIT)),
        fc.constantFrom(...formats),
        (bytes, format) => readDatagram(bytes, format, new SplitAssembler()),
      ),
      { numRuns: 3000 },
    );
  });

  it('survive mutated info and player replies', () => {
    fc.assert(
      fc.property(info, mutations, fc.boolean(), (fixture, changes, goldSrc) => {
        const reply = goldSrc ? encodeGoldSrcInfo(fixture) : encodeA2sInfo(fixture);
        readMessage(mutate(reply, changes).subarray(4));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.string({ maxLength: 40 }), score: fc.integer() }), {
          maxLength: 40,
        }),
        mutations,
        (players, changes) => readMessage(mutate(encodeA2sPlayers(players), changes).subarray(4)),
      ),
      { numRuns: 1000 },
    );
  });

  it('read every valid info back', () => {
    fc.assert(
      fc.property(info, (fixture) => {
        const parsed = parseInfo(
          encodeA2sInfo({ ...fixture, name: fixture.name.replace(/\0/g, '') }).subarray(4),
        );
        expect(parsed.players).toBe(fixture.players);
        expect(parsed.bots).toBe(fixture.bots);
      }),
      { numRuns: 500 },
    );
  });

  it('hold no more than their budget whatever split parts arrive', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.nat(6),
            total: fc.integer({ min: 1, max: 255 }),
            number: fc.nat(254),
            size: fc.nat(65_000),
          }),
          { maxLength: 60 },
        ),
        (parts) => {
          const assembler = new SplitAssembler();
          let held = 0;
          for (const part of parts) {
            if (part.number >= part.total) continue;
            const result = parsedOrRejected(() =>
              assembler.add({ kind: 'split', ...part, payload: Buffer.alloc(part.size) }),
            );
            if (result instanceof ProviderError) return;
            held += part.size;
            if (held > MAX_REASSEMBLED_BYTES + 65_000) throw new Error('held beyond the budget');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('join any valid split reply, whatever the order of its parts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.string({ maxLength: 30 }) }), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.constantFrom('source' as const, 'goldsrc' as const),
        fc.integer({ min: 100, max: 1248 }),
        fc.func(fc.integer()),
        (players, format, maxPayload, order) => {
          const whole = encodeA2sPlayers(players.map((p) => ({ name: p.name.replace(/\0/g, '') })));
          const parts = splitReply(whole, { format, id: 3, maxPayload });
          if (format === 'goldsrc' && parts.length > 15) return;
          const assembler = new SplitAssembler();
          const shuffled = parts
            .map((part, i) => ({ part, key: order(i) }))
            .sort((a, b) => a.key - b.key)
            .map((p) => p.part);
          let joined: Buffer | undefined;
          for (const part of shuffled) {
            const packet = parseA2sPacket(part, format);
            if (packet.kind === 'stray')
              throw new Error('a part of the reply was taken as a stray');
            joined = packet.kind === 'single' ? packet.message : assembler.add(packet);
          }
          expect(joined).toEqual(whole.subarray(4));
        },
      ),
      { numRuns: 300 },
    );
  });
});
