import { describe, expect, it } from 'vitest';
import { cleanText, stripMinecraftCodes, stripQuakeColours, textOrNull } from './text.js';

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

  it('makes empty text null', () => {
    expect(textOrNull('  \n ')).toBeNull();
    expect(textOrNull(undefined)).toBeNull();
    expect(textOrNull(' ok ')).toBe('ok');
  });
});
