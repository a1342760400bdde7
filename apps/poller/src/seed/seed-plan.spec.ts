import { describe, expect, it } from 'vitest';
import type { CatalogServer } from '#common';
import { checkServer, planSeed } from './seed-plan.js';

const server = (host: string, port = 25565, game = 'minecraft') => ({
  name: `S ${host}`,
  game,
  host,
  port,
});
const inCatalog = (host: string, port = 25565): CatalogServer => ({
  id: 1,
  ...server(host, port),
  queryPort: null,
  pollIntervalS: null,
  active: false,
});

describe('checkServer', () => {
  it('passes a server the API would accept, archived or not', () => {
    expect(checkServer('demo 1', { ...server('a.test'), active: false })).toEqual({
      where: 'demo 1',
      server: { ...server('a.test'), active: false },
    });
  });

  it('names every rule a server breaks, one message per field', () => {
    expect(checkServer('source id 4', { ...server('a.test', 0, 'pong'), name: '' })).toEqual({
      where: 'source id 4',
      error:
        'name should not be empty; game must be one of the supported game ids (GET /games); port must not be less than 1',
    });
  });
});

describe('planSeed', () => {
  it('skips servers already in the catalog, archived ones too, with the host in any case', () => {
    const sut = planSeed(
      [
        { where: 'line 2', server: server('A.Test') },
        { where: 'line 3', server: server('b.test') },
        { where: 'line 4', server: server('a.test', 25566) },
      ],
      [inCatalog('a.test')],
    );
    expect(sut.skipped.map((r) => r.where)).toEqual(['line 2']);
    expect(sut.add.map((r) => r.where)).toEqual(['line 3', 'line 4']);
    expect(sut.bad).toEqual([]);
  });

  it('reports a repeat inside the source as bad, pointing at the first', () => {
    const sut = planSeed(
      [
        { where: 'line 2', server: server('a.test') },
        { where: 'line 5', error: 'missing host' },
        { where: 'line 7', server: { ...server('A.TEST'), name: 'Again' } },
      ],
      [],
    );
    expect(sut.add.map((r) => r.where)).toEqual(['line 2']);
    expect(sut.bad).toEqual([
      { where: 'line 5', error: 'missing host' },
      {
        where: 'line 7',
        error: 'same game, host and port as line 2 (Again (minecraft A.TEST:25565))',
      },
    ]);
  });

  it('tells the same host and port of two games apart', () => {
    const sut = planSeed(
      [
        { where: 'a', server: server('h.test', 27015, 'counterstrike2') },
        { where: 'b', server: server('h.test', 27015, 'csgo') },
      ],
      [],
    );
    expect(sut.add).toHaveLength(2);
  });
});
