import { describe, expect, it } from 'vitest';
import { ProviderError } from '../provider.error.js';
import * as sut from './minecraft.parser.js';
import { protocolError } from '../../../../test/support/provider-errors.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Fixture writer, kept apart from the code under test: lengths below 2^14 only. */
function varint(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n & 0x7f) | 0x80, n >> 7]);
  throw new Error('fixture too long');
}
function statusFrame(json: string): Buffer {
  const text = Buffer.from(json, 'utf8');
  const body = Buffer.concat([Buffer.from([0x00]), varint(text.length), text]);
  return Buffer.concat([varint(body.length), body]);
}

describe('VarInt', () => {
  const vectors: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [255, 'ff01'],
    [25565, 'ddc701'],
    [2097151, 'ffff7f'],
    [2147483647, 'ffffffff07'],
    [-1, 'ffffffff0f'],
    [-2147483648, '8080808008'],
  ];

  it.each(vectors)('encodes and decodes %i as %s', (value, bytes) => {
    expect(sut.encodeVarInt(value).toString('hex')).toBe(bytes);
    expect(sut.decodeVarInt(hex(bytes))).toEqual({ value, size: bytes.length / 2 });
  });

  it('decodes at an offset and ignores what follows', () => {
    expect(sut.decodeVarInt(hex('aa ddc701 ff'), 1)).toEqual({ value: 25565, size: 3 });
  });

  it('accepts a non-minimal encoding, as vanilla does', () => {
    expect(sut.decodeVarInt(hex('8000'))).toEqual({ value: 0, size: 2 });
  });

  it('asks for more bytes when the VarInt is cut short', () => {
    expect(sut.decodeVarInt(hex(''))).toBeUndefined();
    expect(sut.decodeVarInt(hex('80'))).toBeUndefined();
    expect(sut.decodeVarInt(hex('ffffffff'))).toBeUndefined();
  });

  it('rejects a sixth byte and bits beyond 32', () => {
    protocolError(() => sut.decodeVarInt(hex('ffffffff8f01')));
    protocolError(() => sut.decodeVarInt(hex('ffffffff1f')));
    protocolError(() => sut.decodeVarInt(hex('8080808010')));
  });

  it('refuses to encode what is not an int32', () => {
    expect(() => sut.encodeVarInt(2 ** 31)).toThrow(RangeError);
    expect(() => sut.encodeVarInt(-(2 ** 31) - 1)).toThrow(RangeError);
    expect(() => sut.encodeVarInt(1.5)).toThrow(RangeError);
  });
});

describe('request packets', () => {
  it('builds the handshake: length, id 0, protocol 47, host, port BE, next state 1', () => {
    expect(sut.encodeHandshake('localhost', 25565).toString('hex')).toBe(
      hex('0f 00 2f 09 6c6f63616c686f7374 63dd 01').toString('hex'),
    );
  });

  it('counts the host in UTF-8 bytes and accepts another protocol version', () => {
    expect(sut.encodeHandshake('é', 1, -1).toString('hex')).toBe(
      hex('0c 00 ffffffff0f 02 c3a9 0001 01').toString('hex'),
    );
  });

  it('refuses a host longer than the protocol String(255)', () => {
    expect(() => sut.encodeHandshake('a'.repeat(256), 25565)).toThrow(ProviderError);
  });

  it('builds the status request and the ping', () => {
    expect(sut.encodeStatusRequest().toString('hex')).toBe('0100');
    expect(sut.encodePing(hex('0102030405060708')).toString('hex')).toBe('09010102030405060708');
    expect(() => sut.encodePing(hex('01'))).toThrow(RangeError);
  });
});

describe('decodeStatusFrame', () => {
  const json = '{"version":{"name":"1.21.4","protocol":769},"players":{"max":20,"online":3}}';
  const frame = statusFrame(json);

  it('returns the JSON text and the frame size', () => {
    expect(sut.decodeStatusFrame(frame)).toEqual({ value: json, size: frame.length });
  });

  it('leaves bytes after the frame alone', () => {
    const withPong = Buffer.concat([frame, hex('09 01 0102030405060708')]);
    expect(sut.decodeStatusFrame(withPong)?.size).toBe(frame.length);
  });

  it('waits for more bytes on every truncation of a valid frame', () => {
    for (let cut = 0; cut < frame.length; cut++) {
      expect(sut.decodeStatusFrame(frame.subarray(0, cut))).toBeUndefined();
    }
  });

  it('rejects another packet id as soon as the header arrives', () => {
    // Declares 100 bytes, carries packet 0x01: fail now, do not wait for 100 bytes.
    protocolError(() => sut.decodeStatusFrame(hex('64 01')));
  });

  it('rejects huge, zero and negative declared lengths at once', () => {
    expect(protocolError(() => sut.decodeStatusFrame(hex('ffff7f'))).message).toMatch(/exceeds/);
    protocolError(() => sut.decodeStatusFrame(hex('808011 00')));
    protocolError(() => sut.decodeStatusFrame(hex('00')));
    protocolError(() => sut.decodeStatusFrame(hex('ffffffff0f 00')));
  });

  it('rejects a packet id that runs past the frame', () => {
    protocolError(() => sut.decodeStatusFrame(hex('01 80 00')));
  });

  it('rejects a string length that disagrees with the frame', () => {
    protocolError(() => sut.decodeStatusFrame(hex('04 00 05 7b7d'))); // says 5, holds 2
    protocolError(() => sut.decodeStatusFrame(hex('05 00 01 7b7d 20'))); // trailing byte
    protocolError(() => sut.decodeStatusFrame(hex('01 00'))); // no string length at all
    protocolError(() => sut.decodeStatusFrame(hex('06 00 ffffffff0f'))); // negative
  });
});

describe('decodePongFrame', () => {
  it('returns the 8-byte payload', () => {
    const pong = sut.decodePongFrame(hex('09 01 0102030405060708 ff'));
    expect(pong?.value.toString('hex')).toBe('0102030405060708');
    expect(pong?.size).toBe(10);
  });

  it('rejects a pong of another size or another packet', () => {
    protocolError(() => sut.decodePongFrame(hex('05 01 01020304')));
    protocolError(() => sut.decodePongFrame(hex('09 00 0102030405060708')));
  });
});

describe('parseStatusJson', () => {
  it('takes the count field, never the sample length', () => {
    const sample = [
      { name: 'Alice', id: '4566e69f-c907-48ee-8d71-d7ba5aa00d20' },
      { name: 'Bob', id: 'c2a5f8a7-4b1e-4f6f-9a3c-6a7b0a0d0e01' },
    ];
    const status = sut.parseStatusJson(
      JSON.stringify({ players: { online: 250, max: 500, sample }, version: { name: '1.21.4' } }),
    );
    expect(status).toMatchObject({
      playersOnline: 250,
      playersMax: 500,
      playerNames: ['Alice', 'Bob'],
    });
  });

  it('skips anonymous, empty and decoration entries of the sample', () => {
    const status = sut.parseStatusJson(
      JSON.stringify({
        players: {
          online: 4,
          max: 10,
          sample: [
            { name: 'Anonymous Player', id: '00000000-0000-0000-0000-000000000000' },
            { name: '', id: 'a' },
            { name: '   ', id: 'b' },
            { name: '§6Welcome to §lPlayNet', id: '00000000-0000-0000-0000-000000000000' },
            { name: 'Carol', id: 'c' },
            'not an object',
            { id: 'no name' },
          ],
        },
      }),
    );
    expect(status.playerNames).toEqual(['Carol']);
  });

  it('reads a plain string description with legacy colour codes removed', () => {
    const status = sut.parseStatusJson(
      JSON.stringify({ description: '§aA §lMinecraft§r Server\n  §7second line  ' }),
    );
    expect(status.name).toBe('A Minecraft Server\nsecond line');
  });

  it('flattens a chat component with nested extra, arrays and colour codes', () => {
    const description = {
      text: '',
      extra: [
        { text: 'Hyp', color: 'gold', bold: true },
        { text: 'ixel', extra: [' Net', { text: 'work ', extra: [{ text: '§c[1.8-1.21]' }] }] },
        ['', { text: '\n' }, { translate: 'x.y', fallback: 'Fallback' }, 7],
      ],
    };
    const status = sut.parseStatusJson(JSON.stringify({ description }));
    expect(status.name).toBe('Hypixel Network [1.8-1.21]\nFallback7');
  });

  it('removes the hex colour form and a dangling section sign', () => {
    expect(sut.chatToPlainText('§x§f§f§0§0§0§0Red§')).toBe('Red');
  });

  it('stops descending into absurdly deep components instead of overflowing the stack', () => {
    let deep: unknown = { text: 'bottom' };
    for (let i = 0; i < 10_000; i++) deep = { text: i === 9_999 ? 'top' : '', extra: [deep] };
    expect(sut.chatToPlainText(deep)).toBe('top');
  });

  it('reads version.name and leaves what SLP does not say empty', () => {
    const status = sut.parseStatusJson(
      JSON.stringify({
        version: { name: '§cPaper 1.21.4', protocol: 769 },
        players: { online: 0, max: 0 },
      }),
    );
    expect(status).toEqual({
      playersOnline: 0,
      playersMax: 0,
      bots: 0,
      playerNames: [],
      name: null,
      map: null,
      version: 'Paper 1.21.4',
      gameMode: null,
      passwordProtected: null,
    });
  });

  it('treats a missing players object as no players, not as offline', () => {
    expect(sut.parseStatusJson('{"description":"hi"}')).toMatchObject({
      playersOnline: 0,
      playersMax: 0,
      name: 'hi',
    });
  });

  it('cuts an oversized text field', () => {
    expect(
      sut.parseStatusJson(JSON.stringify({ description: 'x'.repeat(100_000) })).name,
    ).toHaveLength(512);
  });

  it.each([
    ['not JSON', '{"players":'],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['players not an object', '{"players":5}'],
    ['a string count', '{"players":{"online":"5","max":10}}'],
    ['a negative count', '{"players":{"online":-1,"max":10}}'],
    ['a missing max', '{"players":{"online":1}}'],
    ['a count beyond int32', '{"players":{"online":1e12,"max":10}}'],
  ])('rejects %s', (_label, json) => {
    protocolError(() => sut.parseStatusJson(json));
  });
});
