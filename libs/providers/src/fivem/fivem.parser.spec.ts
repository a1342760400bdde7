import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutations, parsedOrRejected } from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import * as sut from './fivem.parser.js';
import { protocolError } from '../../../../test/support/provider-errors.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** As FXServer serves them (sv_maxclients is a string there). */
const DYNAMIC = {
  clients: 37,
  gametype: 'Freeroam',
  hostname: '^1Los ^7Santos ^2RP',
  iv: '-1234',
  mapname: 'San Andreas',
  sv_maxclients: '64',
};
const INFO = {
  enhancedHostSupport: true,
  server: 'FXServer-master SERVER v1.0.0.7290 linux',
  vars: { sv_projectName: 'LS RP', sv_enforceGameBuild: '3095', tags: 'rp,serious' },
  version: 1234567,
  resources: ['mapmanager', 'chat'],
};
const PLAYERS = [
  { endpoint: '127.0.0.1', id: 1, identifiers: ['license:abc'], name: 'Alice', ping: 40 },
  { id: 2, name: '^4Bob', ping: 55 },
  { id: 3, ping: 1 },
];

describe('FiveM documents', () => {
  it('reads the counts from dynamic.json, a string max included, colours removed', () => {
    expect(sut.parseDynamic(json(DYNAMIC))).toEqual({
      clients: 37,
      maxClients: 64,
      hostname: 'Los Santos RP',
      gameType: 'Freeroam',
      mapName: 'San Andreas',
    });
  });

  it('reads the build and project name from info.json', () => {
    expect(sut.parseInfo(json(INFO))).toEqual({
      server: 'FXServer-master SERVER v1.0.0.7290 linux',
      projectName: 'LS RP',
    });
    expect(sut.parseInfo(json({}))).toEqual({ server: null, projectName: null });
  });

  it('reads the names of players.json, skipping entries without one', () => {
    expect(sut.parsePlayerNames(json(PLAYERS))).toEqual(['Alice', 'Bob']);
  });

  it.each([
    ['not JSON', () => sut.parseDynamic(Buffer.from('<html>'))],
    ['not an object', () => sut.parseDynamic(json([1]))],
    ['no clients', () => sut.parseDynamic(json({ sv_maxclients: '4' }))],
    ['a negative count', () => sut.parseDynamic(json({ clients: -1, sv_maxclients: 4 }))],
    ['a fractional count', () => sut.parseDynamic(json({ clients: 1.5, sv_maxclients: 4 }))],
    ['players not a list', () => sut.parsePlayerNames(json({ players: [] }))],
    ['info not an object', () => sut.parseInfo(json('x'))],
  ])('rejects %s', (_label, fn) => {
    protocolError(fn);
  });
});

describe('FiveM parsers under random input', () => {
  const readAll = (bytes: Buffer) => {
    const dynamic = parsedOrRejected(() => sut.parseDynamic(bytes));
    if (!(dynamic instanceof ProviderError)) expect(dynamic.clients).toBeGreaterThanOrEqual(0);
    parsedOrRejected(() => sut.parseInfo(bytes));
    parsedOrRejected(() => sut.parsePlayerNames(bytes));
  };

  it('reject random bytes and random JSON cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => readAll(Buffer.from(b))),
      {
        numRuns: 2000,
      },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => readAll(json(v))),
      { numRuns: 2000 },
    );
  });

  it('survive mutated documents', () => {
    fc.assert(
      fc.property(fc.constantFrom(DYNAMIC, INFO, PLAYERS), mutations, (doc, changes) =>
        readAll(mutate(json(doc), changes)),
      ),
      { numRuns: 2000 },
    );
  });
});
