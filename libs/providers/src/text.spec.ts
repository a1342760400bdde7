import { describe, expect, it } from 'vitest';
import {
  cleanText,
  decimalAt,
  parseDecimal,
  stripMinecraftCodes,
  stripQuakeColours,
  textOrNull,
} from './text.js';

describe('text clean-up', () => {
  it('removes Minecraft section codes, the hex form and a dangling sign', () => {
    expect(stripMinecraftCodes('§x§f§f§0§0§0§0Red §lbold§')).toBe('Red bold');
  });

  it('removes Quake colour escapes (a caret and a letter or digit), nothing else', () => {
    expect(stripQuakeColours('^1Red^7 ^^ ^-x^')).toBe('Red ^^ ^-x^');
  });

  it('drops control characters and blank lines, trims and caps', () => {
    expect(cleanText('  a\tb\u0007 \r\n\n  c  ')).toBe('a b\nc');
    expect(cleanText('x'.repeat(2000))).toHaveLength(512);
  });

  it('drops DEL and C1 controls too, and keeps the printable characters around them', () => {
    expect(cleanText('a\u007fb\u0085c\u009f')).toBe('abc');
    expect(cleanText('é\u00a0\u00ff ok')).toBe('é\u00a0\u00ff ok');
    expect(cleanText('\u001fx')).toBe('x');
  });

  it('makes empty text null', () => {
    expect(textOrNull('  \n ')).toBeNull();
    expect(textOrNull(undefined)).toBeNull();
    expect(textOrNull(' ok ')).toBe('ok');
  });
});

describe('decimalAt', () => {
  it('reads the digits between two offsets, with a minus only when signed', () => {
    expect(decimalAt('x 42 y', 2, 4, false)).toBe(42);
    expect(decimalAt('-17', 0, 3, true)).toBe(-17);
    expect(decimalAt('-17', 0, 3, false)).toBeUndefined();
    expect(decimalAt('0', 0, 1, false)).toBe(0);
  });

  it('refuses empty ranges, non-digits, too many digits and ranges past the end', () => {
    expect(decimalAt('12', 1, 1, false)).toBeUndefined();
    expect(decimalAt('-', 0, 1, true)).toBeUndefined();
    expect(decimalAt('1a', 0, 2, false)).toBeUndefined();
    expect(decimalAt(' 1', 0, 2, false)).toBeUndefined();
    expect(decimalAt('12345678901', 0, 11, false)).toBeUndefined();
    expect(decimalAt('1234567', 0, 7, false, 6)).toBeUndefined();
    expect(decimalAt('12', 0, 5, false)).toBeUndefined();
  });
});

describe('parseDecimal', () => {
  it('reads a whole field, spaces around allowed, nothing else', () => {
    expect(parseDecimal(' 42 ', false)).toBe(42);
    expect(parseDecimal('-3', true)).toBe(-3);
    expect(parseDecimal('4 2', false)).toBeUndefined();
    expect(parseDecimal('', false)).toBeUndefined();
    expect(parseDecimal(undefined, false)).toBeUndefined();
  });
});
