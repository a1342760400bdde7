import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutations, parsedOrRejected } from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import * as sut from './minecraft.parser.js';

// The parser reads bytes from untrusted servers: see test/support/fuzz.ts.

/** The whole read path of a status reply: frame, then JSON. */
function readStatus(bytes: Uint8Array): void {
  const frame = parsedOrRejected(() => sut.decodeStatusFrame(bytes));
  if (frame === undefined || frame instanceof ProviderError) return;
  expect(frame.size).toBeLessThanOrEqual(bytes.length);
  const status = parsedOrRejected(() => sut.parseStatusJson(frame.value));
  if (status instanceof ProviderError) return;
  expect(Number.isInteger(status.playersOnline) && status.playersOnline >= 0).toBe(true);
  expect(Number.isInteger(status.playersMax) && status.playersMax >= 0).toBe(true);
  for (const name of status.playerNames) expect(typeof name).toBe('string');
}

const chatComponent = fc.letrec<{ component: unknown }>((tie) => ({
  component: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.record(
      {
        text: fc.string(),
        color: fc.constantFrom('gold', 'red'),
        extra: fc.array(tie('component'), { maxLength: 4 }),
      },
      { requiredKeys: ['text'] },
    ),
    fc.array(tie('component'), { maxLength: 4 }),
    fc.record({ translate: fc.string(), fallback: fc.string() }),
  ),
})).component;

const statusDocument = fc.record(
  {
    version: fc.record({ name: fc.string(), protocol: fc.integer() }),
    players: fc.record(
      {
        online: fc.nat(),
        max: fc.nat(),
        sample: fc.array(fc.record({ name: fc.string(), id: fc.uuid() }), { maxLength: 12 }),
      },
      { requiredKeys: ['online', 'max'] },
    ),
    description: chatComponent,
    favicon: fc.base64String({ maxLength: 200 }),
  },
  { requiredKeys: [] },
);

/** A valid status frame for a generated document, built with the sut's own encoder. */
function encodeStatus(doc: unknown): Buffer {
  const text = Buffer.from(JSON.stringify(doc), 'utf8');
  const body = Buffer.concat([Buffer.from([0x00]), sut.encodeVarInt(text.length), text]);
  return Buffer.concat([sut.encodeVarInt(body.length), body]);
}

describe('Minecraft parser under random input', () => {
  it('rejects random bytes with a ProviderError or waits for more, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        readStatus(bytes);
        parsedOrRejected(() => sut.decodePongFrame(bytes));
        parsedOrRejected(() => sut.decodeVarInt(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('survives frames whose header bytes are random', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 6 }), fc.string(), (header, json) => {
        readStatus(Buffer.concat([header, Buffer.from(json)]));
      }),
      { numRuns: 2000 },
    );
  });

  it('survives mutated valid frames', () => {
    fc.assert(
      fc.property(statusDocument, mutations, (doc, changes) => {
        readStatus(mutate(encodeStatus(doc), changes));
      }),
      { numRuns: 1000 },
    );
  });

  it('waits on any prefix of a valid frame (a TCP read cut anywhere) and reads it whole', () => {
    fc.assert(
      fc.property(statusDocument, fc.array(fc.nat(), { maxLength: 10 }), (doc, cuts) => {
        const whole = encodeStatus(doc);
        for (const cut of cuts) {
          expect(sut.decodeStatusFrame(whole.subarray(0, cut % whole.length))).toBeUndefined();
        }
        expect(sut.decodeStatusFrame(whole)).toEqual({
          value: JSON.stringify(doc),
          size: whole.length,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('turns any status-shaped document into sane fields', () => {
    fc.assert(
      fc.property(statusDocument, (doc) => {
        const status = sut.parseStatusJson(JSON.stringify(doc));
        expect(status.playersOnline).toBe(doc.players?.online ?? 0);
        expect(status.name ?? '').not.toContain('§');
        expect((status.name ?? '').length).toBeLessThanOrEqual(512);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects any JSON value that is not a status with a ProviderError only', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parsedOrRejected(() => sut.parseStatusJson(JSON.stringify(value)));
        parsedOrRejected(() =>
          sut.parseStatusJson(JSON.stringify({ players: value, description: value })),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('flattens any chat component to text without formatting codes', () => {
    fc.assert(
      fc.property(chatComponent, (component) => {
        const text = sut.chatToPlainText(component);
        expect(text).not.toMatch(/§/);
        expect(text.length).toBeLessThanOrEqual(512);
      }),
      { numRuns: 500 },
    );
  });
});
