import { describe, expect, it } from 'vitest';
import { GAMES } from '#providers';
import type { SheetColumns } from './columns.js';
import { GameNames } from './game-names.js';
import { parseSheetRow, sheetRows } from './sheet-rows.js';

const games = new GameNames(GAMES);
const columns: SheetColumns = {
  index: {
    name: 0,
    game: 1,
    address: 2,
    port: 3,
    queryPort: 4,
    pollIntervalS: 5,
    active: 6,
    notes: 7,
    customer: 8,
    tags: 9,
  },
  ignored: [],
};
const sut = (...cells: string[]) => parseSheetRow({ line: 7, cells }, columns, games);

describe('parseSheetRow', () => {
  it('reads a full row into a server', () => {
    expect(sut('CS Retro', 'csgo', 'cs.test', '27015', '27016', '30', 'no', 'old one')).toEqual({
      where: 'line 7',
      server: {
        name: 'CS Retro',
        game: 'csgo',
        host: 'cs.test',
        port: 27015,
        queryPort: 27016,
        pollIntervalS: 30,
        notes: 'old one',
        active: false,
      },
    });
  });

  it('keeps the customer as named and splits the tags on commas and semicolons', () => {
    const row = sut(
      'A',
      'minecraft',
      'a.test:1',
      '',
      '',
      '',
      '',
      '',
      ' C-001 ',
      'EU; premium,, EU ',
    );
    expect(row).toMatchObject({ server: { customer: 'C-001', tags: ['EU', 'premium', 'EU'] } });
    expect(sut('A', 'minecraft', 'a.test:1', '', '', '', '', '', '', 'x'.repeat(65))).toMatchObject(
      {
        error: expect.stringContaining('tags') as unknown,
      },
    );
  });

  it('takes the port from the address, trims cells, and leaves optional fields out', () => {
    expect(sut(' Hub ', 'Minecraft', ' hub.test:25570 ', '', '', '', 'yes', '')).toEqual({
      where: 'line 7',
      server: { name: 'Hub', game: 'minecraft', host: 'hub.test', port: 25570 },
    });
  });

  it('accepts a port in both the address and the port column when they agree', () => {
    expect(sut('Hub', 'minecraft', '[::1]:25565', '25565')).toMatchObject({
      server: { host: '::1', port: 25565 },
    });
  });

  it.each([
    [['Hub', 'tetris', 'h.test', '1'], /^unknown game 'tetris' \(closest ids: /],
    [['Hub', 'minecraft', 'h.test', '70000'], /^bad port '70000'$/],
    [['Hub', 'minecraft', 'h.test', 'abc'], /^bad port 'abc'$/],
    [['Hub', 'minecraft', '', '25565'], /^missing host$/],
    [
      ['Hub', 'minecraft', 'h.test', ''],
      /^missing port \(a port column, or host:port in the address\)$/,
    ],
    [['Hub', 'minecraft', 'h.test:1', '2'], /^the address says port 1, the port column 2$/],
    [['Hub', 'minecraft', 'h.test', '1', '0'], /^bad query port '0'$/],
    [['Hub', 'minecraft', 'h.test', '1', '', 'soon'], /^bad poll interval 'soon'$/],
    [['Hub', 'minecraft', 'h.test', '1', '', '', 'maybe'], /^bad active 'maybe' \(yes or no\)$/],
    [['Hub', 'minecraft', 'h_bad!', '1'], /^host must be a hostname or an IP address$/],
    [['', 'minecraft', 'h.test', '1'], /^name should not be empty$/],
    [['Hub', 'minecraft', 'h.test', '1', '', '2'], /^pollIntervalS must not be less than 5$/],
  ])('refuses %j: %s', (cells, reason) => {
    const row = sut(...cells);
    expect(row).toEqual({ where: 'line 7', error: expect.stringMatching(reason) as unknown });
  });

  it('lists every problem of a row at once', () => {
    expect(sut('Hub', 'tetris', '', 'x')).toEqual({
      where: 'line 7',
      error: expect.stringMatching(
        /^unknown game 'tetris' .*; missing host; bad port 'x'$/,
      ) as unknown,
    });
  });
});

describe('sheetRows', () => {
  it('reads the first row as the header and the others as servers, with their lines', () => {
    const sut = sheetRows(
      [
        { line: 1, cells: ['Name', 'Game', 'Address', 'Owner'] },
        { line: 2, cells: ['A', 'minecraft', 'a.test:25565', 'ops'] },
        { line: 4, cells: ['B', 'minecraft', 'b.test', 'ops'] },
      ],
      games,
    );
    expect(sut.ignoredColumns).toEqual(['Owner']);
    expect(sut.rows).toEqual([
      { where: 'line 2', server: { name: 'A', game: 'minecraft', host: 'a.test', port: 25565 } },
      { where: 'line 4', error: expect.stringMatching(/^missing port/) as unknown },
    ]);
  });

  it('makes a bad header one bad row at its line', () => {
    expect(sheetRows([{ line: 1, cells: ['Name', 'Port'] }], games).rows).toEqual([
      { where: 'line 1', error: expect.stringMatching(/^bad header: no game column/) as unknown },
    ]);
  });

  it('calls an empty sheet a bad header', () => {
    expect(sheetRows([], games).rows).toEqual([
      { where: 'line 1', error: 'the sheet is empty (no header)' },
    ]);
  });
});
