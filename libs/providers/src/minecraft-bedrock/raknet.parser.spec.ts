import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  datagram,
  mutate,
  mutations,
  parsedOrRejected,
  prefixed,
} from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import * as sut from './raknet.parser.js';
import { protocolError } from '../../../../test/support/provider-errors.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const MAGIC = '00ffff00fefefefefdfdfdfd12345678';

/** A pong as RakNet documents it: 0x1C, time, server GUID, magic, u16 BE length, MOTD. */
function pong(motd: string, time = 0x0102030405060708n): Buffer {
  const text = Buffer.from(motd, 'utf8');
  const head = Buffer.alloc(1 + 8 + 8);
  head.writeUInt8(0x1c, 0);
  head.writeBigUInt64BE(time, 1);
  head.writeBigUInt64BE(0x1122334455667788n, 9);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(text.length);
  return Buffer.concat([head, hex(MAGIC), length, text]);
}

const BDS_MOTD =
  'MCPE;§bDedicated Server;766;1.21.50;3;10;13253860892328930865;Bedrock level;Survival;1;19132;19133;';

describe('encodeUnconnectedPing', () => {
  it('writes 0x01, the time, the magic and the client GUID', () => {
    expect(
      sut.encodeUnconnectedPing(0x0102030405_0607, hex('a1a2a3a4a5a6a7a8')).toString('hex'),
    ).toBe(hex(`01 0001020304050607 ${MAGIC} a1a2a3a4a5a6a7a8`).toString('hex'));
    expect(sut.encodeUnconnectedPing(0, hex('0000000000000000')).subarray(1, 9)).toEqual(
      hex('0000000000000000'),
    );
  });

  it('refuses a time that is not a safe integer and a GUID that is not 8 bytes', () => {
    expect(() => sut.encodeUnconnectedPing(2 ** 53, hex('0000000000000000'))).toThrow(RangeError);
    expect(() => sut.encodeUnconnectedPing(-1, hex('0000000000000000'))).toThrow(RangeError);
    expect(() => sut.encodeUnconnectedPing(1, hex('00'))).toThrow(RangeError);
  });
});

describe('echoesPing', () => {
  it('matches a pong to the ping whose time it echoes, and nothing else', () => {
    const ping = sut.encodeUnconnectedPing(0x0102030405_0607, hex('a1a2a3a4a5a6a7a8'));
    expect(sut.echoesPing(pong(BDS_MOTD, 0x0001020304050607n), ping)).toBe(true);
    expect(sut.echoesPing(pong(BDS_MOTD, 0x0001020304050608n), ping)).toBe(false);
    expect(sut.echoesPing(hex('1c0001'), ping)).toBe(false);
  });
});

describe('decodeUnconnectedPong', () => {
  it('reads every field of a Bedrock Dedicated Server MOTD', () => {
    expect(sut.decodeUnconnectedPong(pong(BDS_MOTD))).toEqual({
      time: 0x0102030405060708n,
      serverGuid: 0x1122334455667788n,
      motd: {
        edition: 'MCPE',
        motd: 'Dedicated Server',
        protocol: 766,
        version: '1.21.50',
        players: 3,
        maxPlayers: 10,
        serverId: '13253860892328930865',
        levelName: 'Bedrock level',
        gameMode: 'Survival',
        gameModeId: 1,
        portV4: 19132,
        portV6: 19133,
      },
    });
  });

  it('reads a short MOTD (older servers) and escaped semicolons', () => {
    expect(sut.decodeUnconnectedPong(pong('MCEE;Class\\; room;390;1.14.60;0;30')).motd).toEqual({
      edition: 'MCEE',
      motd: 'Class; room',
      protocol: 390,
      version: '1.14.60',
      players: 0,
      maxPlayers: 30,
      serverId: null,
      levelName: null,
      gameMode: null,
      gameModeId: null,
      portV4: null,
      portV6: null,
    });
  });

  it('rejects another packet, wrong magic, a length that disagrees, missing counts', () => {
    protocolError(() =>
      sut.decodeUnconnectedPong(Buffer.concat([hex('1d'), pong(BDS_MOTD).subarray(1)])),
    );
    const wrongMagic = pong(BDS_MOTD);
    wrongMagic[18] = 0;
    protocolError(() => sut.decodeUnconnectedPong(wrongMagic));
    protocolError(() => sut.decodeUnconnectedPong(Buffer.concat([pong(BDS_MOTD), hex('00')])));
    protocolError(() => sut.decodeUnconnectedPong(pong('MCPE;motd;1;1.0;x;10')));
    protocolError(() => sut.decodeUnconnectedPong(pong('MCPE;too;few')));
    const whole = pong(BDS_MOTD);
    for (let cut = 0; cut < whole.length; cut++) {
      protocolError(() => sut.decodeUnconnectedPong(whole.subarray(0, cut)));
    }
  });
});

describe('RakNet pong parser under random input', () => {
  const read = (bytes: Uint8Array) => {
    const result = parsedOrRejected(() => sut.decodeUnconnectedPong(Buffer.from(bytes)));
    if (result instanceof ProviderError) return;
    expect(result.motd.players).toBeGreaterThanOrEqual(0);
    expect(result.motd.motd.length).toBeLessThanOrEqual(512);
  };

  it('rejects random datagrams cleanly, also behind a valid header', () => {
    fc.assert(fc.property(datagram, read), { numRuns: 3000 });
    const header = pong('').subarray(0, 33);
    fc.assert(fc.property(prefixed(header), read), { numRuns: 3000 });
  });

  it('survives mutated pongs', () => {
    fc.assert(
      fc.property(mutations, (changes) => read(mutate(pong(BDS_MOTD), changes))),
      { numRuns: 3000 },
    );
  });

  it('reads any MOTD string with sane fields, or rejects it', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 14 }), (fields) => {
        const result = parsedOrRejected(() => sut.parseBedrockMotd(fields.join(';')));
        if (result instanceof ProviderError) return;
        expect(Number.isInteger(result.players)).toBe(true);
        if (result.portV4 !== null) expect(result.portV4).toBeLessThanOrEqual(65535);
      }),
      { numRuns: 2000 },
    );
  });
});
