import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutations, parsedOrRejected, prefixed } from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import * as sut from './minecraft-legacy.parser.js';
import { protocolError } from '../../../../test/support/provider-errors.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** The 1.4-1.6 reply of minecraft.wiki's example: §1, 47, 1.4.2, "A Minecraft Server", 0, 20. */
const WIKI_REPLY = hex(`
  ff 0023
  00a7 0031 0000 0034 0037 0000 0031 002e 0034 002e 0032 0000
  0041 0020 004d 0069 006e 0065 0063 0072 0061 0066 0074 0020 0053 0065 0072 0076 0065 0072
  0000 0030 0000 0032 0030`);

describe('encodeLegacyPing', () => {
  it('writes FE 01, then FA "MC|PingHost" with protocol, host (UTF-16BE) and port', () => {
    expect(sut.encodeLegacyPing('localhost', 25565).toString('hex')).toBe(
      hex(`fe 01 fa 000b
        004d 0043 007c 0050 0069 006e 0067 0048 006f 0073 0074
        0019 4e 0009
        006c 006f 0063 0061 006c 0068 006f 0073 0074
        000063dd`).toString('hex'),
    );
  });
});

describe('decodeLegacyReply', () => {
  it('reads the 1.4+ form: version, MOTD and counts', () => {
    expect(sut.decodeLegacyReply(WIKI_REPLY)).toEqual({
      size: WIKI_REPLY.length,
      value: {
        playersOnline: 0,
        playersMax: 20,
        bots: 0,
        playerNames: [],
        name: 'A Minecraft Server',
        map: null,
        version: '1.4.2',
        gameMode: null,
        passwordProtected: null,
      },
    });
  });

  it('reads the beta form, the counts after the last two section signs', () => {
    const text = 'Green server§7§12';
    const length = Buffer.alloc(2);
    length.writeUInt16BE(text.length);
    const reply = Buffer.concat([hex('ff'), length, Buffer.from(text, 'utf16le').swap16()]);
    expect(sut.decodeLegacyReply(reply)?.value).toMatchObject({
      name: 'Green server',
      playersOnline: 7,
      playersMax: 12,
      version: null,
    });
  });

  it('waits for more bytes on every truncation', () => {
    for (let cut = 0; cut < WIKI_REPLY.length; cut++) {
      expect(sut.decodeLegacyReply(WIKI_REPLY.subarray(0, cut))).toBeUndefined();
    }
  });

  it('rejects another packet, an oversized text and bad counts at once', () => {
    protocolError(() => sut.decodeLegacyReply(hex('00')));
    expect(protocolError(() => sut.decodeLegacyReply(hex('ff ffff'))).message).toMatch(
      /65535 characters/,
    );
    protocolError(() => sut.parseLegacyText('§1\0 47\0 1.4\0 motd\0 x\0 20'));
    protocolError(() => sut.parseLegacyText('§1\0only\0three'));
    protocolError(() => sut.parseLegacyText('no counts at all'));
    protocolError(() => sut.parseLegacyText('motd§-1§20'));
  });
});

describe('legacy parser under random input', () => {
  const read = (bytes: Uint8Array) => {
    const result = parsedOrRejected(() => sut.decodeLegacyReply(bytes));
    if (result === undefined || result instanceof ProviderError) return;
    expect(result.size).toBeLessThanOrEqual(bytes.length);
    expect(result.value.playersOnline).toBeGreaterThanOrEqual(0);
    expect((result.value.name ?? '').length).toBeLessThanOrEqual(512);
  };

  it('rejects random bytes cleanly, also behind a valid first byte', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), read), { numRuns: 2000 });
    fc.assert(fc.property(prefixed(Buffer.from([0xff])), read), { numRuns: 2000 });
  });

  it('survives mutated valid replies', () => {
    fc.assert(
      fc.property(mutations, (changes) => read(mutate(WIKI_REPLY, changes))),
      { numRuns: 2000 },
    );
  });

  it('reads any text in the 1.4+ form back', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 100 }),
        fc.nat(1000),
        fc.nat(1000),
        (motd, online, max) => {
          const clean = motd.replace(/[\0§]/g, '');
          const result = parsedOrRejected(() =>
            sut.parseLegacyText(['§1', '78', '1.6.4', clean, online, max].join('\0')),
          );
          expect(result).not.toBeInstanceOf(ProviderError);
          expect(result).toMatchObject({ playersOnline: online, playersMax: max });
        },
      ),
      { numRuns: 500 },
    );
  });
});
