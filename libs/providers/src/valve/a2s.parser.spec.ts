import { describe, expect, it } from 'vitest';
import {
  encodeA2sInfo,
  encodeA2sPlayers,
  encodeGoldSrcInfo,
  splitReply,
} from '../../../../test/support/a2s-responder.js';
import {
  BZIP2_PLAYERS,
  MILLION_ZEROS_BZIP2,
  PLAYERS_BZIP2,
  PLAYERS_CRC32,
  PLAYERS_PLAIN,
  compressedSplitReply,
} from '../../../../test/support/a2s-bzip2.js';
import { ProviderError } from '../provider.error.js';
import { MAX_REASSEMBLED_BYTES, SplitAssembler, parseA2sPacket } from './a2s-packet.parser.js';
import * as sut from './a2s.parser.js';
import { protocolError } from '../../../../test/support/provider-errors.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
/** A whole reply's message: what follows its FF FF FF FF. */
const message = (reply: Buffer) => reply.subarray(4);

describe('A2S requests', () => {
  it('builds A2S_INFO as the documentation spells it, with or without a challenge', () => {
    expect(sut.encodeInfoRequest().toString('hex')).toBe(
      hex('ffffffff 54 536f7572636520456e67696e6520517565727900').toString('hex'),
    );
    expect(sut.encodeInfoRequest(hex('4a3b2c1d')).toString('hex')).toBe(
      hex('ffffffff 54 536f7572636520456e67696e6520517565727900 4a3b2c1d').toString('hex'),
    );
  });

  it('builds A2S_PLAYER asking for a challenge, then with it', () => {
    expect(sut.encodePlayerRequest(sut.NO_CHALLENGE).toString('hex')).toBe('ffffffff55ffffffff');
    expect(sut.encodePlayerRequest(hex('4a3b2c1d')).toString('hex')).toBe('ffffffff554a3b2c1d');
  });

  it('reads the challenge bytes back as they must be sent', () => {
    expect(sut.parseChallenge(hex('41 4a3b2c1d')).toString('hex')).toBe('4a3b2c1d');
    protocolError(() => sut.parseChallenge(hex('41 4a3b')));
  });
});

describe('parseA2sPacket', () => {
  it('returns the message of a single reply', () => {
    expect(parseA2sPacket(hex('ffffffff 41 01020304'), 'source')).toEqual({
      kind: 'single',
      message: hex('41 01020304'),
    });
  });

  it('reads the Source split header: id, total, number, size', () => {
    expect(parseA2sPacket(hex('feffffff 78563412 03 01 e004 aabb'), 'source')).toEqual({
      kind: 'split',
      id: 0x12345678,
      total: 3,
      number: 1,
      payload: hex('aabb'),
    });
  });

  it('reads the 2006-era Source header without the size', () => {
    expect(parseA2sPacket(hex('feffffff 01000000 02 01 aabb'), 'source-no-size')).toMatchObject({
      total: 2,
      number: 1,
      payload: hex('aabb'),
    });
  });

  it('reads the GoldSrc header: number in the high nibble, total in the low one', () => {
    expect(parseA2sPacket(hex('feffffff 01000000 12 aabb'), 'goldsrc')).toMatchObject({
      total: 2,
      number: 1,
      payload: hex('aabb'),
    });
  });

  it('reads the decompressed size and CRC32 from part 0 of a compressed reply only', () => {
    expect(
      parseA2sPacket(hex('feffffff 01000080 02 00 e004 32000000 a37212b4 425a68'), 'source'),
    ).toEqual({
      kind: 'split',
      id: 0x80000001,
      total: 2,
      number: 0,
      payload: hex('425a68'),
      decompressed: { size: 50, crc32: 0xb41272a3 },
    });
    expect(parseA2sPacket(hex('feffffff 01000080 02 01 e004 3931'), 'source')).not.toHaveProperty(
      'decompressed',
    );
    protocolError(() => parseA2sPacket(hex('feffffff 01000080 02 00 e004 32000000'), 'source'));
  });

  it('rejects unknown headers and short headers', () => {
    protocolError(() => parseA2sPacket(hex('00000000 41'), 'source'));
    protocolError(() => parseA2sPacket(hex('feffffff 0100'), 'source'));
    protocolError(() => parseA2sPacket(hex('ffff'), 'source'));
  });

  it('tells a part with an impossible number as a stray, to be left out', () => {
    expect(parseA2sPacket(hex('feffffff 01000000 02 02 e004'), 'source')).toEqual({
      kind: 'stray',
      reason: 'split part 2 of 2',
    });
    expect(parseA2sPacket(hex('feffffff 01000000 00 00 e004'), 'source')).toMatchObject({
      kind: 'stray',
    });
    expect(parseA2sPacket(hex('feffffff 01000000 20'), 'goldsrc')).toMatchObject({ kind: 'stray' });
  });
});

describe('SplitAssembler', () => {
  const players = Array.from({ length: 120 }, (_v, i) => ({
    name: `player-${i}-${'x'.repeat(20)}`,
  }));
  const whole = encodeA2sPlayers(players);

  it.each(['source', 'goldsrc'] as const)('joins %s parts arriving in any order', (format) => {
    const parts = splitReply(whole, { format, id: 7, maxPayload: 400 });
    expect(parts.length).toBeGreaterThan(2);
    const assembler = new SplitAssembler();
    const order = [...parts].reverse();
    const results = order.map((part) => {
      const packet = parseA2sPacket(part, format);
      return packet.kind === 'split' ? assembler.add(packet) : undefined;
    });
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(results.at(-1)).toEqual(message(whole));
  });

  it('ignores a duplicate part, and a stray one giving another total does not cost the reply', () => {
    const assembler = new SplitAssembler();
    const first = {
      kind: 'split' as const,
      id: 1,
      total: 2,
      number: 0,
      payload: hex('ffffffff44'),
    };
    expect(assembler.add(first)).toBeUndefined();
    expect(assembler.add(first)).toBeUndefined();
    expect(assembler.add({ ...first, total: 3, number: 1, payload: hex('99') })).toBeUndefined();
    expect(assembler.add({ ...first, number: 1, payload: hex('0102') })).toEqual(hex('440102'));
  });

  it.each(['source', 'goldsrc'] as const)(
    'finishes a %s reply with stray datagrams of its id among its parts',
    (format) => {
      const parts = splitReply(whole, { format, id: 9, maxPayload: 400 });
      const strays = [
        // The reply's id, a part number past its total.
        format === 'goldsrc'
          ? hex('feffffff 09000000 f3 00')
          : hex('feffffff 09000000 03 07 e004 00'),
        // The reply's id, another total.
        format === 'goldsrc'
          ? hex('feffffff 09000000 02 00')
          : hex('feffffff 09000000 09 01 e004 00'),
      ];
      const assembler = new SplitAssembler();
      let joined: Buffer | undefined;
      for (const datagram of [strays[0], ...parts.slice(0, 1), strays[1], ...parts.slice(1)]) {
        const packet = parseA2sPacket(datagram as Buffer, format);
        if (packet.kind === 'split') joined = assembler.add(packet) ?? joined;
      }
      expect(joined).toEqual(message(whole));
    },
  );

  it('refuses more than its byte budget and too many replies at once', () => {
    const assembler = new SplitAssembler();
    const big = Buffer.alloc(65_000);
    protocolError(() => {
      for (let number = 0; number < 255; number++) {
        assembler.add({ kind: 'split', id: 9, total: 255, number, payload: big });
      }
    });
    expect(MAX_REASSEMBLED_BYTES).toBeLessThan(255 * 65_000);
    const many = new SplitAssembler();
    protocolError(() => {
      for (let id = 0; id < 10; id++)
        many.add({ kind: 'split', id, total: 2, number: 0, payload: hex('00') });
    });
  });

  it('rejects a joined reply without its own header', () => {
    const assembler = new SplitAssembler();
    assembler.add({ kind: 'split', id: 1, total: 2, number: 0, payload: hex('0102') });
    protocolError(() =>
      assembler.add({ kind: 'split', id: 1, total: 2, number: 1, payload: hex('0304') }),
    );
  });
});

describe('SplitAssembler, bzip2-compressed replies', () => {
  /** Feeds the datagrams in the given order; returns what the last one completed. */
  function assemble(datagrams: Buffer[]): Buffer | undefined {
    const assembler = new SplitAssembler();
    let whole: Buffer | undefined;
    for (const datagram of datagrams) {
      const packet = parseA2sPacket(datagram, 'source');
      if (packet.kind === 'split') whole = assembler.add(packet);
    }
    return whole;
  }

  const honest = { id: 5, size: PLAYERS_PLAIN.length, crc32: PLAYERS_CRC32, partBytes: 30 };

  it('decompresses the joined parts into the reply the fixture was made from', () => {
    expect(encodeA2sPlayers(BZIP2_PLAYERS)).toEqual(PLAYERS_PLAIN);
    const datagrams = compressedSplitReply(PLAYERS_BZIP2, honest);
    expect(datagrams).toHaveLength(3);
    const whole = assemble(datagrams.reverse());
    expect(whole).toEqual(message(PLAYERS_PLAIN));
    expect(sut.parsePlayers(whole ?? Buffer.alloc(0), 730).map((p) => p.name)).toEqual([
      'alpha',
      'beta',
      'gamma',
    ]);
  });

  it('refuses a reply whose CRC32 does not match what it decompresses to', () => {
    const err = protocolError(() =>
      assemble(
        compressedSplitReply(PLAYERS_BZIP2, { ...honest, crc32: (PLAYERS_CRC32 ^ 1) >>> 0 }),
      ),
    );
    expect(err.message).toMatch(/CRC32/u);
  });

  it('refuses a reply that decompresses to another size than it declares', () => {
    const shorter = { ...honest, size: PLAYERS_PLAIN.length - 1 };
    expect(
      protocolError(() => assemble(compressedSplitReply(PLAYERS_BZIP2, shorter))).message,
    ).toMatch(/past the 49 bytes/u);
    const longer = { ...honest, size: PLAYERS_PLAIN.length + 1 };
    expect(
      protocolError(() => assemble(compressedSplitReply(PLAYERS_BZIP2, longer))).message,
    ).toMatch(/to 50 bytes, not the 51/u);
  });

  it('stops a decompression bomb at the size it declares, and refuses sizes above the cap', () => {
    const bomb = { id: 6, size: 1000, crc32: 0, partBytes: 20 };
    expect(
      protocolError(() => assemble(compressedSplitReply(MILLION_ZEROS_BZIP2, bomb))).message,
    ).toMatch(/past the 1000 bytes/u);
    const huge = { ...bomb, size: MAX_REASSEMBLED_BYTES + 1 };
    expect(
      protocolError(() => assemble(compressedSplitReply(MILLION_ZEROS_BZIP2, huge))).message,
    ).toMatch(/more than the 524288 allowed/u);
  });

  it('refuses compressed data that is not bzip2', () => {
    const garbage = Buffer.from('not bzip2 at all, just text', 'latin1');
    const err = protocolError(() =>
      assemble(compressedSplitReply(garbage, { ...honest, partBytes: 10 })),
    );
    expect(err.message).toMatch(/not valid bzip2/u);
  });
});

describe('parseInfo', () => {
  const fixture = {
    protocol: 17,
    name: 'Loopback Test Server',
    map: 'de_dust2',
    folder: 'csgo',
    game: 'Counter-Strike: Global Offensive',
    appId: 730,
    players: 12,
    maxPlayers: 24,
    bots: 2,
    serverType: 'd' as const,
    environment: 'l' as const,
    password: true,
    vac: true,
    version: '1.38.7.9',
    gamePort: 27015,
    steamId: 90071992547409920n,
    sourceTv: { port: 27020, name: 'SourceTV' },
    keywords: 'empty,secure',
    gameId: 730n,
  };

  it('reads every field, the extra data included', () => {
    expect(sut.parseInfo(message(encodeA2sInfo(fixture)))).toEqual({
      format: 'source',
      protocol: 17,
      name: 'Loopback Test Server',
      map: 'de_dust2',
      folder: 'csgo',
      game: 'Counter-Strike: Global Offensive',
      appId: 730,
      players: 12,
      maxPlayers: 24,
      bots: 2,
      serverType: 'd',
      environment: 'l',
      passwordProtected: true,
      vacSecured: true,
      version: '1.38.7.9',
      gamePort: 27015,
      steamId: 90071992547409920n,
      sourceTvPort: 27020,
      sourceTvName: 'SourceTV',
      keywords: ['empty', 'secure'],
      gameId: 730n,
    });
  });

  it('takes the app id from the 64-bit game id when the short one overflowed', () => {
    const info = sut.parseInfo(
      message(encodeA2sInfo({ ...fixture, appId: 252490, gameId: 252490n })),
    );
    expect(info.appId).toBe(252490);
  });

  it('reads a server without extra data, and The Ship with its three extra bytes', () => {
    const plain = sut.parseInfo(
      message(encodeA2sInfo({ name: 'n', map: 'm', players: 1, maxPlayers: 2 })),
    );
    expect(plain).toMatchObject({ gamePort: null, keywords: [], version: '1.0.0.0' });
    const ship = sut.parseInfo(
      message(
        encodeA2sInfo({
          name: 's',
          map: 'm',
          players: 1,
          maxPlayers: 2,
          appId: 2400,
          version: '9',
        }),
      ),
    );
    expect(ship).toMatchObject({ appId: 2400, version: '9' });
  });

  it('reads the obsolete GoldSrc form', () => {
    expect(sut.parseInfo(message(encodeGoldSrcInfo({ ...fixture, protocol: 47 })))).toMatchObject({
      format: 'goldsrc',
      name: 'Loopback Test Server',
      map: 'de_dust2',
      players: 12,
      maxPlayers: 24,
      bots: 2,
      protocol: 47,
      passwordProtected: true,
      vacSecured: true,
    });
  });

  it('rejects every truncation and another message type', () => {
    const whole = message(encodeA2sInfo(fixture));
    for (let cut = 0; cut < whole.length; cut++) {
      const part = whole.subarray(0, cut);
      try {
        sut.parseInfo(part);
      } catch (err) {
        expect(err).toBeInstanceOf(ProviderError);
        continue;
      }
      // A cut right after the version is a server without extra data: still valid.
      expect(cut).toBeGreaterThan(0);
    }
    protocolError(() => sut.parseInfo(hex('44 00')));
  });
});

describe('parsePlayers', () => {
  it('reads index, name, score and duration', () => {
    const players = sut.parsePlayers(
      message(
        encodeA2sPlayers([
          { name: 'Alice', score: 5, durationS: 12.5 },
          { name: 'Bob', score: -1 },
        ]),
      ),
      730,
    );
    expect(players).toEqual([
      { index: 0, name: 'Alice', score: 5, durationS: 12.5 },
      { index: 1, name: 'Bob', score: -1, durationS: 60 },
    ]);
  });

  it('reads past a count byte that wrapped at 256 players', () => {
    const many = Array.from({ length: 300 }, (_v, i) => ({ name: `p${i}` }));
    const players = sut.parsePlayers(message(encodeA2sPlayers(many)), 252490);
    expect(players).toHaveLength(300);
  });

  it('stops at the count for The Ship, whose entries are followed by more data', () => {
    const reply = Buffer.concat([
      message(encodeA2sPlayers([{ name: 'a' }])),
      hex('0100000002000000'),
    ]);
    expect(sut.parsePlayers(reply, 2400)).toHaveLength(1);
  });

  it('rejects a cut entry', () => {
    const whole = message(encodeA2sPlayers([{ name: 'Alice' }]));
    protocolError(() => sut.parsePlayers(whole.subarray(0, whole.length - 2), 730));
    protocolError(() => sut.parsePlayers(hex('49 00'), 730));
  });
});

describe('rustCounts', () => {
  it('reads cp and mp from the keywords, ignoring look-alikes', () => {
    expect(sut.rustCounts(['mp200', 'cp57', 'pt', 'qp0', 'cpx', 'mp'])).toEqual({
      players: 57,
      maxPlayers: 200,
    });
    expect(sut.rustCounts([])).toEqual({});
  });
});
