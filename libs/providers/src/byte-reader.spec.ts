import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { ProviderError } from './provider.error.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('ByteReader', () => {
  it('reads integers, floats and strings in order', () => {
    const sut = new ByteReader(
      hex('07 3412 1234 feffffff 0000c03f 0100000000000000 6869 00 7a 00 ff'),
      'test',
    );
    expect(sut.u8('a')).toBe(7);
    expect(sut.u16le('b')).toBe(0x1234);
    expect(sut.u16be('c')).toBe(0x1234);
    expect(sut.i32le('d')).toBe(-2);
    expect(sut.f32le('e')).toBe(1.5);
    expect(sut.u64le('f')).toBe(1n);
    expect(sut.cstring('g')).toBe('hi');
    expect(sut.cstring('h', 'latin1')).toBe('z');
    expect(sut.remaining).toBe(1);
    expect(sut.rest()).toEqual(hex('ff'));
    expect(sut.remaining).toBe(0);
  });

  it('reads unsigned and big-endian forms, empty strings, and compares bytes', () => {
    const sut = new ByteReader(hex('ffffffff 0000000000000102 00 cafe cafe 7f'), 'test');
    expect(sut.u32le('a')).toBe(0xffffffff);
    expect(sut.u64be('b')).toBe(0x102n);
    expect(sut.cstring('c')).toBe('');
    expect(sut.matches(hex('cafe'), 'd')).toBe(true);
    expect(sut.matches(hex('cafd'), 'e')).toBe(false);
    expect(sut.position).toBe(17);
    expect(() => sut.matches(hex('7f00'), 'f')).toThrow(/f runs past the end/u);
  });

  it('decodes ASCII, UTF-8 and Latin-1 strings of one reply each as written', () => {
    const sut = new ByteReader(hex('6f6b00 68c3a96c6c6f00 e900 c3a900 7a00'), 'test');
    expect(sut.cstring('ascii')).toBe('ok');
    expect(sut.cstring('utf8')).toBe('héllo');
    expect(sut.cstring('latin1', 'latin1')).toBe('é');
    expect(sut.cstring('utf8 again')).toBe('é');
    expect(sut.cstring('ascii again')).toBe('z');
  });

  it('names the reply and the field when bytes run out', () => {
    const sut = new ByteReader(hex('0102'), 'A2S_INFO');
    expect(() => sut.u32le('challenge')).toThrow(
      new ProviderError('protocol', 'A2S_INFO: challenge runs past the end (2 bytes left)'),
    );
    expect(() => new ByteReader(hex('6869'), 'x').cstring('name')).toThrow(
      /name is not terminated/,
    );
    expect(() => new ByteReader(hex(''), 'x').bytes(1, 'b')).toThrow(ProviderError);
  });
});
