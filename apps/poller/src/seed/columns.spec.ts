import { describe, expect, it } from 'vitest';
import { matchColumns } from './columns.js';

describe('matchColumns', () => {
  it('matches header names whatever their case, spaces and underscores', () => {
    expect(matchColumns(['Server Name', 'GAME_ID', 'ip address', 'Port', 'Query-Port'])).toEqual({
      index: { name: 0, game: 1, address: 2, port: 3, queryPort: 4 },
      ignored: [],
    });
  });

  it.each([
    [['name', 'type', 'hostname'], { name: 0, game: 1, address: 2 }],
    [
      ['title', 'Game', 'Host', 'Interval (s)', 'Enabled', 'Comment'],
      {
        name: 0,
        game: 1,
        address: 2,
        pollIntervalS: 3,
        active: 4,
        notes: 5,
      },
    ],
    [['Name', 'Game', 'IP'], { name: 0, game: 1, address: 2 }],
    [
      ['Name', 'Game', 'Host', 'Client', 'Labels'],
      { name: 0, game: 1, address: 2, customer: 3, tags: 4 },
    ],
  ])('knows the synonyms in %j', (header, index) => {
    expect(matchColumns(header)).toEqual({ index, ignored: [] });
  });

  it('ignores columns that mean nothing to the catalog, and blank header cells', () => {
    expect(matchColumns(['Name', 'Owner', '', 'Game', 'Address', 'Rack'])).toEqual({
      index: { name: 0, game: 3, address: 4 },
      ignored: ['Owner', 'Rack'],
    });
  });

  it('names every missing required column and what the header reads', () => {
    expect(matchColumns(['Server', 'Port'])).toEqual({
      error:
        'bad header: no name column; no game column; no address (host) column (the header reads: Server, Port)',
    });
  });

  it('refuses two columns for one field', () => {
    expect(matchColumns(['Name', 'Game', 'Host', 'IP'])).toEqual({
      error:
        "bad header: columns 'Host' and 'IP' both give the address (host) (the header reads: Name, Game, Host, IP)",
    });
  });
});
