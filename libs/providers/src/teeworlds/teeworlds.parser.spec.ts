import { describe, expect, it } from 'vitest';
import { protocolError } from '../../../../test/support/provider-errors.js';
import * as sut from './teeworlds.parser.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const z = (text: string) => Buffer.from(`${text}\0`, 'utf8');
const FF6 = Buffer.alloc(6, 0xff);
const id = (letters: string) => Buffer.concat([hex('ffffffff'), Buffer.from(letters, 'latin1')]);

/*
 * Captured on loopback from Debian 12's servers. teeworlds-server 0.7.5 (password set,
 * sv_gametype ctf, sv_max_clients 12, one client still connecting), answering a 0.7 info
 * request whose header token was 12345678:
 */
const TEEWORLDS_075 = hex(
  '21 12345678 e43e6510 ffffffff696e6633 05 302e372e3500 4c6f6f706261636b2054656500 00' +
    '6374663200 43544600 01 01 00 08 01 0c 28636f6e6e656374696e672900 00 40 00 01',
);
/** ddnet-server 16.4 (sv_max_clients 20, no password) to the extended request, token abcd07. */
const DDNET_EXTENDED = hex(
  'ffffffffffff ffffffff69657874 313132353931343300 302e362e342c2031362e3400' +
    '4c6f6f706261636b2044444e657400 5475746f7269616c00 2d3139323433373333373000' +
    '3130383237313100 546573744444726163654e6574776f7200 3000 3000 323000 3000 323000 00',
);
/** The same server to a plain 0.6 request (token 55): 16 slots at most, counts in the name. */
const DDNET_VANILLA = hex(
  'ffffffffffff ffffffff696e6633 353500 302e362e342c2031362e3400' +
    '4c6f6f706261636b2044444e6574205b302f32305d00 5475746f7269616c00' +
    '546573744444726163654e6574776f7200 3000 3000 313600 3000 313600',
);
/** The same server to a 0.7 request: the version says it is DDNet behind 0.7. */
const DDNET_SIXUP = hex(
  '21 12345678 0a98b691 ffffffff696e6633 05 302e37e28694302e362e342c2031362e3400' +
    '4c6f6f706261636b2044444e657400 00 5475746f7269616c00 546573744444726163654e6574776f7200' +
    '02 01 00 14 00 14',
);
/** teeworlds-server 0.7.5's answer to the token request of client token 12345678. */
const TOKEN_ANSWER = hex('040000 12345678 05 e43e6510');

describe('requests', () => {
  it('writes the 0.6 request in DDNet extended form: xe, the high 16 token bits, gie3, the low byte', () => {
    expect(sut.encodeInfoRequest06(0xabcd07)).toEqual(hex('7865abcd0000 ffffffff67696533 07'));
    expect(() => sut.encodeInfoRequest06(0x100_0000)).toThrow(RangeError);
    expect(() => sut.encodeInfoRequest06(-1)).toThrow(RangeError);
  });

  it('pads the 0.7 token request to 512 payload bytes, header token none', () => {
    const request = sut.encodeTokenRequest07(0x12345678);
    expect(request.length).toBe(519);
    expect(request.subarray(0, 12)).toEqual(hex('040000 ffffffff 05 12345678'));
    expect(request.subarray(12).every((byte) => byte === 0)).toBe(true);
    expect(() => sut.encodeTokenRequest07(sut.NO_TOKEN)).toThrow(RangeError);
  });

  it('addresses the 0.7 info request with the server token, then its own, then a packed token', () => {
    expect(sut.encodeInfoRequest07(0xe43e6510, 0x12345678, 5)).toEqual(
      hex('21 e43e6510 12345678 ffffffff67696533 05'),
    );
    expect(sut.encodeInfoRequest07(1, 2, 0xabcd07).subarray(17)).toEqual(hex('87 b4 de 0a'));
  });

  it('packs ints as the engine does: sign bit 0x40, 6 bits, then 7-bit groups', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [63, '3f'],
      [64, '8001'],
      [-1, '40'],
      [-64, '7f'],
      [-65, 'c001'],
      [2 ** 31 - 1, 'bfffffff0f'],
      [-(2 ** 31), 'ffffffff0f'],
    ];
    for (const [value, bytes] of cases) expect(sut.packInt(value).toString('hex')).toBe(bytes);
    expect(() => sut.packInt(2 ** 31)).toThrow(RangeError);
  });
});

describe('decodeReply on captured replies', () => {
  it('reads teeworlds-server 0.7.5: tokens, counts, the connecting client as a spectator', () => {
    expect(sut.decodeReply(TEEWORLDS_075)).toEqual({
      kind: 'info7',
      to: 0x12345678,
      from: 0xe43e6510,
      info: {
        format: '0.7',
        token: 5,
        version: '0.7.5',
        name: 'Loopback Tee',
        map: 'ctf2',
        gameType: 'CTF',
        flags: 1,
        players: 0,
        maxPlayers: 8,
        clients: 1,
        maxClients: 12,
        list: [{ name: '(connecting)', clan: '', player: false, bot: false }],
      },
    });
  });

  it('reads ddnet-server 16.4 extended info: the 24-bit token, all 20 slots', () => {
    expect(sut.decodeReply(DDNET_EXTENDED)).toEqual({
      kind: 'info',
      info: {
        format: 'ddnet-extended',
        token: 0xabcd07,
        version: '0.6.4, 16.4',
        name: 'Loopback DDNet',
        map: 'Tutorial',
        gameType: 'TestDDraceNetwor',
        flags: 0,
        players: 0,
        maxPlayers: 20,
        clients: 0,
        maxClients: 20,
        list: [],
      },
    });
  });

  it('reads the plain 0.6 info of the same server', () => {
    const reply = sut.decodeReply(DDNET_VANILLA);
    expect(reply).toMatchObject({
      kind: 'info',
      info: { format: '0.6', token: 55, name: 'Loopback DDNet [0/20]', maxClients: 16, list: [] },
    });
  });

  it("reads DDNet's 0.7 info, version with its arrow", () => {
    expect(sut.decodeReply(DDNET_SIXUP)).toMatchObject({
      kind: 'info7',
      to: 0x12345678,
      from: 0x0a98b691,
      info: { version: '0.7↔0.6.4, 16.4', flags: 2, maxPlayers: 20, maxClients: 20 },
    });
  });

  it('reads the 0.7 token answer', () => {
    expect(sut.decodeReply(TOKEN_ANSWER)).toEqual({
      kind: 'token',
      to: 0x12345678,
      server: 0xe43e6510,
    });
  });
});

describe('decodeReply on client lists built from the protocol', () => {
  const vanilla = Buffer.concat([
    FF6,
    id('inf3'),
    z('7'),
    z('0.6 626fce9a778df4d4'),
    z('Vanilla'),
    z('dm1'),
    z('DM'),
    z('1'),
    z('1'),
    z('8'),
    z('2'),
    z('16'),
    ...[z('nameless tee'), z('Clan'), z('276'), z('12'), z('1')],
    ...[z('brainless tee'), z(''), z('-1'), z('-3'), z('0')],
  ]);

  it('reads 0.6 clients: name, clan, player or spectator', () => {
    const reply = sut.decodeReply(vanilla);
    expect(reply).toMatchObject({
      kind: 'info',
      info: { format: '0.6', token: 7, flags: 1, players: 1, clients: 2, maxClients: 16 },
    });
    expect(reply.kind === 'info' && reply.info.list).toEqual([
      { name: 'nameless tee', clan: 'Clan', player: true, bot: false },
      { name: 'brainless tee', clan: '', player: false, bot: false },
    ]);
  });

  it('reads DDNet extended clients with their reserved fields, and iex+ datagrams', () => {
    const extended = Buffer.concat([
      DDNET_EXTENDED.subarray(0, DDNET_EXTENDED.length - 13),
      ...[z('1'), z('1'), z('20'), z('2'), z('20'), z('')],
      ...[z('Ünïcödé'), z('ddnet'), z('-1'), z('-9999'), z('1'), z('')],
    ]);
    const reply = sut.decodeReply(extended);
    expect(reply.kind === 'info' && reply.info).toMatchObject({
      players: 1,
      clients: 2,
      list: [{ name: 'Ünïcödé', clan: 'ddnet', player: true, bot: false }],
    });
    const more = Buffer.concat([
      FF6,
      id('iex+'),
      z('11259143'),
      z('1'),
      z(''),
      ...[z('spec'), z(''), z('0'), z('0'), z('0'), z('')],
    ]);
    expect(sut.decodeReply(more)).toEqual({
      kind: 'more',
      token: 0xabcd07,
      packet: 1,
      list: [{ name: 'spec', clan: '', player: false, bot: false }],
    });
  });

  it('reads 0.7 client flags: 1 spectator, 2 bot', () => {
    const withBots = Buffer.concat([
      TEEWORLDS_075.subarray(0, TEEWORLDS_075.length - 21),
      hex('02 08 03 0c'), // 2 players of 8, 3 clients of 12
      ...[z('bot'), z(''), hex('40 05 02')],
      ...[z('human'), z('c'), hex('81 04 00 00')],
      ...[z('watcher'), z(''), hex('40 00 01')],
    ]);
    const decoded = sut.decodeReply(withBots);
    expect(decoded.kind === 'info7' && decoded.info).toMatchObject({
      players: 2,
      clients: 3,
      list: [
        { name: 'bot', player: true, bot: true },
        { name: 'human', clan: 'c', player: true, bot: false },
        { name: 'watcher', player: false, bot: false },
      ],
    });
  });
});

describe('decodeReply on what it has no use for, and on broken replies', () => {
  it('passes over Teeworlds datagrams of other kinds', () => {
    expect(sut.decodeReply(Buffer.concat([FF6, id('dtsf'), z('1')]))).toEqual({ kind: 'other' });
    expect(sut.decodeReply(hex('21 12345678 e43e6510 ffffffff 66773f3f'))).toEqual({
      kind: 'other',
    });
    // 0.7 keep-alive and close control messages.
    expect(sut.decodeReply(hex('040000 12345678 00'))).toEqual({ kind: 'other' });
    expect(sut.decodeReply(hex('040000 12345678 04 62616e6e656400'))).toEqual({ kind: 'other' });
  });

  it('rejects what is not Teeworlds at all', () => {
    protocolError(() => sut.decodeReply(Buffer.alloc(0)));
    protocolError(() => sut.decodeReply(Buffer.from('\xff\xff\xff\xffstatusResponse\n', 'latin1')));
    protocolError(() => sut.decodeReply(Buffer.concat([FF6, Buffer.from('inf3....')])));
    protocolError(() => sut.decodeReply(hex('21 12345678 e43e6510 00000000 696e6633')));
    protocolError(() => sut.decodeReply(hex('040000 12345678 05 e43e65')));
  });

  it('rejects every cut short reply but one that ends between two clients', () => {
    for (const reply of [TEEWORLDS_075, DDNET_EXTENDED, DDNET_VANILLA, DDNET_SIXUP]) {
      // TEEWORLDS_075 lists one client, in its last 17 bytes.
      const clientsAt = reply === TEEWORLDS_075 ? reply.length - 17 : reply.length;
      for (let end = 0; end < reply.length; end++) {
        if (end === clientsAt) expect(sut.decodeReply(reply.subarray(0, end)).kind).toBe('info7');
        else protocolError(() => sut.decodeReply(reply.subarray(0, end)));
      }
    }
    protocolError(() => sut.decodeReply(Buffer.concat([DDNET_VANILLA, z('half'), z('clan')])));
  });

  it('rejects counts the game would not list: negative, players over clients, clients over slots', () => {
    const counts = (players: string, max: string, clients: string, slots: string) =>
      Buffer.concat([
        DDNET_VANILLA.subarray(0, DDNET_VANILLA.length - 10),
        z(players),
        z(max),
        z(clients),
        z(slots),
      ]);
    expect(sut.decodeReply(counts('2', '8', '3', '16')).kind).toBe('info');
    protocolError(() => sut.decodeReply(counts('-1', '8', '3', '16')));
    protocolError(() => sut.decodeReply(counts('4', '8', '3', '16')));
    protocolError(() => sut.decodeReply(counts('2', '8', '17', '16')));
    protocolError(() => sut.decodeReply(counts('2', '17', '3', '16')));
    protocolError(() => sut.decodeReply(counts('0', '0', '0', '1025')));
    protocolError(() => sut.decodeReply(counts('two', '8', '3', '16')));
    protocolError(() => sut.decodeReply(counts('2', '8', '3', '99999999999')));
  });

  it('rejects iex+ packet numbers outside 1 to 63, and a packed int past the end', () => {
    const more = (n: string) => Buffer.concat([FF6, id('iex+'), z('5'), z(n), z('')]);
    expect(sut.decodeReply(more('63')).kind).toBe('more');
    protocolError(() => sut.decodeReply(more('0')));
    protocolError(() => sut.decodeReply(more('64')));
    protocolError(() => sut.decodeReply(hex('21 12345678 e43e6510 ffffffff696e6633 80')));
  });
});
