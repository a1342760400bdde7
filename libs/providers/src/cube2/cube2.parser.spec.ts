import { describe, expect, it } from 'vitest';
import { protocolError } from '../../../../test/support/provider-errors.js';
import { ByteReader } from '../byte-reader.js';
import * as sut from './cube2.parser.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/**
 * Captured from Debian's cube2-server 0.0.20201227 (empty, serverpass set, maxclients 7,
 * serverdesc "^f3Loop^f7back Café Ж") answering the info request 81 01020304.
 */
const DEBIAN_INFO = hex(
  '81 01020304' + // the request, copied back
    '00 05 800401 00 00 07 04' + // 0 clients; 5 attributes: 260, ffa, 0 s, 7 max, password
    '00' + // no map loaded
    '0c33 4c6f6f70 0c37 6261636b 20 436166 8b 20 d2 00', // \f3Loop\f7back Caf(é) (Ж)
);
/** The same server's answer to 00 01 ff 81 09090909: ack, version 105, no error, no ids. */
const DEBIAN_NO_CLIENTS = hex('0001ff8109090909 ff 69 00 f6');

const EXT_ECHO = sut.encodePlayerStatsRequest(0x01020304);

describe('compressed integers', () => {
  it('use one byte for -126..127, 0x80 and 16 bits, or 0x81 and 32 bits', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [127, '7f'],
      [-126, '82'],
      [-127, '8081ff'],
      [128, '808000'],
      [260, '800401'],
      [-0x8000, '800080'],
      [0x8000, '8100800000'],
      [-1, 'ff'],
      [2 ** 31 - 1, '81ffffff7f'],
      [-(2 ** 31), '8100000080'],
    ];
    for (const [n, bytes] of cases) {
      const out: number[] = [];
      sut.putInt(out, n);
      expect(Buffer.from(out).toString('hex')).toBe(bytes);
      expect(sut.getInt(new ByteReader(hex(bytes), 'test'), 'n')).toBe(n);
    }
  });

  it('reject a long form cut short', () => {
    protocolError(() => sut.getInt(new ByteReader(hex('8004'), 'test'), 'n'));
    protocolError(() => sut.getInt(new ByteReader(hex('81000000'), 'test'), 'n'));
  });

  it('read strings in Cube’s charset, keeping the low byte of each character', () => {
    const read = (bytes: string) => sut.getCubeString(new ByteReader(hex(bytes), 'test'), 's');
    expect(read('41 8b d2 ff 00')).toBe('AéЖґ');
    // 0x01 is À, 0x7f Ü; the character 0x80 (Ý) is -128 as a signed char, so in long form.
    expect(read('01 7f 8080ff 00')).toBe('ÀÜÝ');
    // A character sent as a long integer still means its low byte (the client keeps a char).
    expect(read('81 41000000 8000 01 00')).toBe('A');
    protocolError(() => read('41 42'));
  });

  it('map each byte as the upstream table does', () => {
    expect(sut.CUBE_CHARSET).toHaveLength(256);
    expect(sut.CUBE_CHARSET.codePointAt(0x0e)).toBe(200);
    expect(sut.CUBE_CHARSET.codePointAt(0x9f)).toBe(0x104);
    expect(sut.CUBE_CHARSET.codePointAt(0xce)).toBe(0x404);
    expect(sut.CUBE_CHARSET.codePointAt(0xff)).toBe(0x491);
  });
});

describe('requests', () => {
  it('write the tag where the server browser writes its clock', () => {
    expect(sut.encodeInfoRequest(0x01020304)).toEqual(hex('81 04030201'));
    expect(() => sut.encodeInfoRequest(0)).toThrow(RangeError);
  });

  it('ask for every client’s stats, the tag behind a 0', () => {
    expect(sut.encodePlayerStatsRequest(0x01020304)).toEqual(hex('00 01 ff 00 04030201'));
    expect(sut.encodePlayerStatsRequest(5).length).toBeLessThanOrEqual(sut.MAX_REQUEST_BYTES);
  });

  it('match a reply to the request it copies', () => {
    const request = hex('81 01020304');
    expect(sut.repliesTo(DEBIAN_INFO, request)).toBe(true);
    expect(sut.repliesTo(DEBIAN_INFO, hex('81 01020305'))).toBe(false);
    expect(sut.repliesTo(hex('8101'), request)).toBe(false);
  });
});

describe('decodeInfoReply', () => {
  it('reads the Debian server’s reply', () => {
    const info = sut.decodeInfoReply(DEBIAN_INFO, 5);
    expect(info).toEqual({
      players: 0,
      attributes: [260, 0, 0, 7, 4],
      protocol: 260,
      mode: 0,
      secondsLeft: 0,
      maxPlayers: 7,
      masterMode: 4,
      map: '',
      description: '\f3Loop\f7back Café Ж',
    });
  });

  it('reads seven attributes (paused, slowed) and leaves missing ones undefined', () => {
    // 260, insta ctf, 600 s, 16 max, open, paused, speed 50; map "dm-1", description "A".
    const seven = hex('01 05 07 800401 0c 805802 10 00 01 32 646d2d31 00 41 00');
    const info = sut.decodeInfoReply(seven, 1);
    expect(info).toMatchObject({
      players: 5,
      attributes: [260, 12, 600, 16, 0, 1, 50],
      mode: 12,
      secondsLeft: 600,
      maxPlayers: 16,
      masterMode: 0,
      map: 'dm-1',
      description: 'A',
    });
    const two = sut.decodeInfoReply(hex('01 00 02 800401 05 00 00'), 1);
    expect(two).toMatchObject({ protocol: 260, mode: 5, maxPlayers: undefined, map: '' });
    expect(sut.decodeInfoReply(hex('01 00 00 00 00 ffff'), 1).attributes).toEqual([]);
  });

  it('rejects a reply cut short, negative counts, absurd counts', () => {
    protocolError(() => sut.decodeInfoReply(DEBIAN_INFO.subarray(0, DEBIAN_INFO.length - 1), 5));
    protocolError(() => sut.decodeInfoReply(hex('01'), 5));
    protocolError(() => sut.decodeInfoReply(hex('01 ff 00 00 00'), 1));
    protocolError(() => sut.decodeInfoReply(hex('01 00 ff 00 00'), 1));
    protocolError(() => sut.decodeInfoReply(hex('01 00 21 00 00'), 1));
    protocolError(() => sut.decodeInfoReply(hex('01 8100000100 00 00 00'), 1));
    protocolError(() => sut.decodeInfoReply(hex('01 00 04 00 00 00 ff 00 00'), 1));
  });
});

describe('decodeExtinfoReply', () => {
  const reply = (payload: string) => Buffer.concat([EXT_ECHO, hex(payload)]);

  it('reads the Debian server’s empty list', () => {
    expect(sut.decodeExtinfoReply(DEBIAN_NO_CLIENTS, 8)).toEqual({
      kind: 'clients',
      clientNumbers: [],
    });
  });

  it('reads the client numbers, bots (128 and up) included', () => {
    expect(sut.decodeExtinfoReply(reply('ff 69 00 f6 00 03 808000 808100'), 8)).toEqual({
      kind: 'clients',
      clientNumbers: [0, 3, 128, 129],
    });
    expect(sut.isBotNumber(127)).toBe(false);
    expect(sut.isBotNumber(128)).toBe(true);
  });

  it('reads a player record, whatever follows the team', () => {
    // -11, cn 3, ping 48, "\f1Zoë", "good", then frags ... state and three address bytes.
    const record =
      'ff 69 00 f5 03 30 0c31 5a6f 8d 00 676f6f64 00 05 00 02 00 32 64 00 06 00 00 7f0000';
    expect(sut.decodeExtinfoReply(reply(record), 8)).toEqual({
      kind: 'player',
      player: { clientNumber: 3, ping: 48, name: '\f1Zoë', team: 'good' },
    });
    // zeromod's longer records and an older version's shorter ones read the same.
    expect(sut.decodeExtinfoReply(reply('ff 68 00 f5 808000 00 626f74 00 00'), 8)).toEqual({
      kind: 'player',
      player: { clientNumber: 128, ping: 0, name: 'bot', team: '' },
    });
  });

  it('tells an error and a server without extinfo apart', () => {
    expect(sut.decodeExtinfoReply(reply('ff 69 01'), 8)).toEqual({ kind: 'error' });
    // A server without extinfo answers with its info: a client count first.
    expect(sut.decodeExtinfoReply(reply('02 05 800401 00'), 8)).toEqual({ kind: 'unsupported' });
    expect(sut.decodeExtinfoReply(EXT_ECHO, 8)).toEqual({ kind: 'unsupported' });
  });

  it('rejects broken replies', () => {
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 02 f6'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 00 f4 00'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 00 f6 00 ff'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 00 f6 80 00'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 00 f5 ff 00 41 00 00'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 00 f5 01 00 41 00'), 8));
    protocolError(() => sut.decodeExtinfoReply(reply('ff 69 00 f5 01 00 41'), 8));
    protocolError(() => sut.decodeExtinfoReply(hex('0001'), 8));
  });
});

describe('Cube 2 text and modes', () => {
  it('removes colour escapes the way the game’s filtertext does', () => {
    expect(sut.cubeText('\f3Loop\f7back Café Ж')).toBe('Loopback Café Ж');
    expect(sut.cubeText('\fs\f2save\fr restore\f')).toBe('save restore');
    expect(sut.cubeText('\f[ff0000]x')).toBe('ff0000]x');
    expect(sut.cubeText('\f3')).toBeNull();
    expect(sut.cubeText('')).toBeNull();
  });

  it('names the game modes from -3 (SP) to 22 (effic collect)', () => {
    expect(sut.gameModeName(-3)).toBe('SP');
    expect(sut.gameModeName(0)).toBe('ffa');
    expect(sut.gameModeName(12)).toBe('insta ctf');
    expect(sut.gameModeName(22)).toBe('effic collect');
    expect(sut.gameModeName(23)).toBeNull();
    expect(sut.gameModeName(-4)).toBeNull();
  });
});
