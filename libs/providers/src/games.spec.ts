import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  GAMES,
  GAME_IDS,
  canonicalGameId,
  findGame,
  gamesOfProvider,
  queryPortHint,
} from './games.js';

describe('the games table', () => {
  it("holds every GameDig id, GameDig's names, sorted", () => {
    expect(GAMES.length).toBeGreaterThan(300);
    expect(GAME_IDS).toEqual([...GAME_IDS].sort((a, b) => a.localeCompare(b)));
    expect(new Set(GAME_IDS).size).toBe(GAME_IDS.length);
    expect(findGame('counterstrike2')).toMatchObject({
      name: 'Counter-Strike 2',
      provider: 'valve',
    });
  });

  it('gives the natives their games and leaves the rest to the GameDig adapter', () => {
    expect(gamesOfProvider('minecraft').map((g) => g.id)).toEqual(['minecraft']);
    expect(gamesOfProvider('minecraft-bedrock').map((g) => g.id)).toEqual(['mbe']);
    expect(gamesOfProvider('fivem').map((g) => g.id)).toEqual(['gta5f', 'rdr2r']);
    expect(gamesOfProvider('quake3').map((g) => g.id)).toEqual(
      expect.arrayContaining(['openarena', 'q3a', 'urbanterror', 'cod4mw', 'wet']),
    );
    expect(gamesOfProvider('valve').map((g) => g.id)).toEqual(
      expect.arrayContaining([
        'counterstrike2',
        'csgo',
        'rust',
        'teamfortress2',
        'garrysmod',
        'valheim',
        'ase',
      ]),
    );
    expect(gamesOfProvider('cube2').map((g) => g.id)).toEqual(['sauerbraten']);
    expect(gamesOfProvider('luanti').map((g) => g.id)).toEqual(['minetest']);
    expect(gamesOfProvider('teeworlds').map((g) => g.id)).toEqual(['ddnet', 'teeworlds']);
    expect(findGame('battalion1944')?.provider).toBe('gamedig');
    expect(findGame('dayz')?.provider).toBe('gamedig');
    expect(findGame('teamspeak3')?.provider).toBe('gamedig');
  });

  it('lists the games GameDig lacks with their ports, in the same order as the rest', () => {
    expect(findGame('sauerbraten')).toMatchObject({
      provider: 'cube2',
      defaultPort: 28786,
      gamePort: 28785,
      queryPortOffset: 1,
    });
    expect(findGame('teeworlds')).toMatchObject({ provider: 'teeworlds', defaultPort: 8303 });
    expect(findGame('ddnet')).toMatchObject({ provider: 'teeworlds', defaultPort: 8303 });
    expect(findGame('minetest')?.provider).toBe('luanti');
    expect(canonicalGameId('luanti')).toBe('minetest');
  });

  it('puts the query port first: explicit, or game port plus offset', () => {
    expect(findGame('ase')).toMatchObject({
      defaultPort: 27015,
      gamePort: 7777,
      queryPortOffset: null,
    });
    expect(findGame('valheim')).toMatchObject({
      defaultPort: 2457,
      gamePort: 2456,
      queryPortOffset: 1,
    });
    expect(findGame('vrising')).toMatchObject({
      defaultPort: 27016,
      gamePort: 27015,
      queryPortOffset: 1,
    });
    expect(findGame('counterstrike2')).toMatchObject({ defaultPort: 27015, gamePort: null });
    expect(findGame('brink')).toMatchObject({
      defaultPort: null,
      gamePort: null,
      queryPortOffset: 1,
    });
  });
});

describe("GameDig's former game ids", () => {
  it('turns a former id into the current one, and keeps current ids as they are', () => {
    expect(canonicalGameId('arkse')).toBe('ase');
    expect(canonicalGameId('tf2')).toBe('teamfortress2');
    expect(canonicalGameId('cs2')).toBe('counterstrike2');
    expect(canonicalGameId('minecraftbe')).toBe('mbe');
    expect(canonicalGameId('ase')).toBe('ase');
    expect(canonicalGameId('no-such-game')).toBeUndefined();
  });

  it('finds the row of a former id under its current id, which lists the former one', () => {
    expect(findGame('arkse')).toMatchObject({ id: 'ase', provider: 'valve', aliases: ['arkse'] });
    expect(findGame('counterstrike2')?.aliases).toEqual(['cs2']);
    expect(findGame('minecraft')?.aliases).toEqual([]);
  });

  it("knows every former id GameDig's own table records, none of them a current id", () => {
    const require = createRequire(import.meta.url);
    const file = path.join(path.dirname(require.resolve('gamedig')), '..', 'lib', 'games.js');
    const { games } = require(file) as {
      games: Record<string, { extra?: { old_id?: string } }>;
    };
    const former = Object.entries(games).flatMap(([id, row]) =>
      row.extra?.old_id === undefined ? [] : [[row.extra.old_id, id] as const],
    );
    expect(former.length).toBeGreaterThan(100);
    for (const [oldId, id] of former) expect(canonicalGameId(oldId)).toBe(id);
    expect(former.filter(([oldId]) => GAME_IDS.includes(oldId))).toEqual([]);
  });
});

describe('queryPortHint', () => {
  const valheim = findGame('valheim');
  const ark = findGame('ase');
  const cs2 = findGame('counterstrike2');

  it('says so when the game port was queried', () => {
    expect(valheim && queryPortHint(valheim, 2456)).toBe(
      "port 2456 is Valheim's game port; its queries go to the query port (default 2457): set the server's query port",
    );
    expect(ark && queryPortHint(ark, 7777)).toMatch(
      /port 7777 is Ark: Survival Evolved's game port/,
    );
  });

  it('names the offset for games that use one', () => {
    expect(valheim && queryPortHint(valheim, 3000)).toBe(
      "Valheim answers queries on the game port + 1 (usually 2456 and 2457): check the server's query port",
    );
  });

  it('names the port the game usually answers on, or says the asked one is it', () => {
    expect(cs2 && queryPortHint(cs2, 28015)).toBe(
      "Counter-Strike 2 usually answers queries on port 27015, port 28015 was asked: check the server's query port",
    );
    expect(cs2 && queryPortHint(cs2, 27015)).toBe(
      'port 27015 is where Counter-Strike 2 usually answers queries: check that the server is up and the port open for UDP',
    );
  });
});
