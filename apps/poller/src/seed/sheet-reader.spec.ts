import { describe, expect, it } from 'vitest';
import { csvRows } from './sheet-reader.js';

describe('csvRows', () => {
  it('numbers rows by the line they start on, past blank lines and quoted line breaks', () => {
    const text = 'name,game\n\n"two\nlines",minecraft\nthird,mbe\n , \nlast,q3a';
    expect(csvRows(text)).toEqual([
      { line: 1, cells: ['name', 'game'] },
      { line: 3, cells: ['two\nlines', 'minecraft'] },
      { line: 5, cells: ['third', 'mbe'] },
      { line: 7, cells: ['last', 'q3a'] },
    ]);
  });

  it('reads semicolon and tab separated sheets, and skips a byte-order mark', () => {
    expect(csvRows('\uFEFFname;game\nA;minecraft\n')).toEqual([
      { line: 1, cells: ['name', 'game'] },
      { line: 2, cells: ['A', 'minecraft'] },
    ]);
    expect(csvRows('name\tgame\nA, the first\tminecraft')).toEqual([
      { line: 1, cells: ['name', 'game'] },
      { line: 2, cells: ['A, the first', 'minecraft'] },
    ]);
  });

  it('keeps rows shorter or longer than the header', () => {
    expect(csvRows('a,b,c\n1\n1,2,3,4')).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1'] },
      { line: 3, cells: ['1', '2', '3', '4'] },
    ]);
  });
});
