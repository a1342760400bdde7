import { describe, expect, it } from 'vitest';
import { GAMES } from '#providers';
import { GameNames, editDistance, normalise } from './game-names.js';

const sut = new GameNames(GAMES);

describe('GameNames', () => {
  it.each([
    ['minecraft', 'minecraft'],
    ['Minecraft', 'minecraft'],
    ['Minecraft: Bedrock Edition', 'mbe'],
    ['MBE', 'mbe'],
    ['Counter-Strike 2', 'counterstrike2'],
    ['counter_strike_2', 'counterstrike2'],
    ['  Valheim ', 'valheim'],
    ['Quake 3: Arena', 'q3a'],
    ['OpenArena', 'openarena'],
    // Names sheets use that are neither an id nor a display name.
    ['Minecraft Java Edition', 'minecraft'],
    ['Bedrock', 'mbe'],
    ['CS2', 'counterstrike2'],
    ['GMod', 'garrysmod'],
    // GameDig's former ids, as older sheets have them.
    ['arkse', 'ase'],
  ])('reads %j as %s', (text, id) => {
    expect(sut.resolve(text)).toEqual({ id });
  });

  it('takes the start of exactly one name or id', () => {
    expect(sut.resolve('Valhei')).toEqual({ id: 'valheim' });
  });

  it('refuses the start of several games, naming them', () => {
    const match = sut.resolve('Counter-Strike');
    expect(match).toEqual({
      error: expect.stringMatching(/^ambiguous game 'Counter-Strike' \(could be /) as unknown,
    });
    expect('error' in match && match.error).toContain('counterstrike2');
  });

  it('refuses an unknown game, naming the closest ids first', () => {
    expect(sut.resolve('minecrfat')).toEqual({
      error: expect.stringMatching(
        /^unknown game 'minecrfat' \(closest ids: minecraft, /,
      ) as unknown,
    });
  });

  it('calls an empty cell a missing game', () => {
    expect(sut.resolve('  ')).toEqual({ error: 'missing game' });
  });
});

describe('normalise and editDistance', () => {
  it('keeps lower-case letters and digits only', () => {
    expect(normalise('Counter-Strike: Global Offensive (2012)')).toBe(
      'counterstrikeglobaloffensive2012',
    );
  });

  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
});
