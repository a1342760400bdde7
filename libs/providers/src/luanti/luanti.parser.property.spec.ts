import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DISCO_PACKET,
  PING_PACKET,
  ackPacket,
  decodeClientPacket,
  deniedPacket,
  helloPacket,
  reliable,
  setPeerIdPacket,
  splitPacket,
  unreliable,
} from '../../../../test/support/luanti-responder.js';
import {
  datagram,
  mutate,
  mutations,
  parsedOrRejected,
  prefixed,
} from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import { MAX_TEXT_LENGTH } from '../text.js';
import { decodeDatagram, encodeInit } from './luanti.parser.js';

// Untrusted datagrams: only a ProviderError may escape (see test/support/fuzz.ts).
// 112,000 generated inputs in all.

function read(bytes: Uint8Array): void {
  const message = parsedOrRejected(() => decodeDatagram(Buffer.from(bytes)));
  if (message instanceof ProviderError) return;
  if (message.kind === 'peer-id') expect(message.peerId).toBeGreaterThanOrEqual(2);
  if (message.kind === 'hello') {
    expect(message.hello.legacyName?.length ?? 0).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(message.hello.authMechanisms).toBeGreaterThanOrEqual(0);
  }
  if (message.kind === 'denied') {
    expect(message.denial.text?.length ?? 0).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
  }
}

const hello = fc.record({
  serializationVersion: fc.nat(255),
  protocolVersion: fc.nat(0xffff),
  authMechanisms: fc.nat(0xffffffff),
  legacyName: fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/u),
});

const denial = fc.record(
  {
    reason: fc.nat(255),
    text: fc.string({ maxLength: 80 }),
    reconnect: fc.boolean(),
  },
  { requiredKeys: ['reason'] },
);

/** A packet of the handshake or of the kinds it skips. */
const packet = fc.oneof(
  hello.map(helloPacket),
  denial.map(deniedPacket),
  fc.integer({ min: 2, max: 0xffff }).map(setPeerIdPacket),
  fc.constant(DISCO_PACKET),
  fc.constant(PING_PACKET),
  fc.nat(0xffff).map(ackPacket),
  fc
    .tuple(fc.nat(0xffff), fc.integer({ min: 1, max: 40 }), fc.uint8Array({ maxLength: 40 }))
    .map(([seqnum, count, piece]) => splitPacket(seqnum, count, count - 1, Buffer.from(piece))),
);

/** Such a packet as a datagram, reliable or not. */
const serverDatagram = fc
  .tuple(packet, fc.option(fc.nat(0xffff), { nil: undefined }), fc.nat(2))
  .map(([body, seqnum, channel]) =>
    seqnum === undefined ? unreliable(body, channel) : reliable(seqnum, body),
  );

describe('Luanti parser under random input', () => {
  it('rejects random datagrams cleanly', () => {
    fc.assert(fc.property(datagram, read), { numRuns: 30_000 });
  });

  it('rejects random bytes behind a valid header and packet type', () => {
    const headers = [0, 1, 2, 3].map((type) =>
      Buffer.from(`4f4574030001 00 0${type}`.replace(/ /gu, ''), 'hex'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...headers).chain((prefix) => prefixed(prefix, 48)),
        read,
      ),
      { numRuns: 30_000 },
    );
  });

  it('survives mutated server datagrams', () => {
    fc.assert(
      fc.property(serverDatagram, mutations, (bytes, changes) => read(mutate(bytes, changes))),
      { numRuns: 30_000 },
    );
  });

  it('reads every valid HELLO back', () => {
    fc.assert(
      fc.property(hello, fc.nat(0xffff), (fields, seqnum) => {
        const message = decodeDatagram(reliable(seqnum, helloPacket(fields)));
        expect(message).toEqual({
          kind: 'hello',
          hello: { ...fields, legacyName: fields.legacyName === '' ? null : fields.legacyName },
        });
      }),
      { numRuns: 10_000 },
    );
  });

  it('reads every valid ACCESS_DENIED and SET_PEER_ID back', () => {
    fc.assert(
      fc.property(denial, (fields) => {
        const message = decodeDatagram(reliable(65_501, deniedPacket(fields)));
        expect(message.kind).toBe('denied');
        if (message.kind !== 'denied') return;
        expect(message.denial.reason).toBe(fields.reason);
        expect(message.denial.reconnect).toBe(fields.reconnect ?? null);
      }),
      { numRuns: 6_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 0xffff }), (peerId) => {
        expect(decodeDatagram(reliable(65_500, setPeerIdPacket(peerId)))).toEqual({
          kind: 'peer-id',
          peerId,
        });
      }),
      { numRuns: 3_000 },
    );
  });

  it('writes every valid INIT as a server reads it', () => {
    fc.assert(
      fc.property(fc.nat(0xffff), fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/u), (peerId, name) => {
        expect(decodeClientPacket(encodeInit(peerId, name))).toEqual({
          kind: 'init',
          peerId,
          channel: 1,
          serializationVersion: 29,
          minProtocol: 37,
          maxProtocol: 0xffff,
          name,
        });
      }),
      { numRuns: 3_000 },
    );
  });
});
