import { describe, expect, it } from 'vitest';
import { newServerProblems, newServerRules } from './server-rules.js';

const rules = newServerRules(['minecraft', 'mbe']);
const good = { name: 'Survival', game: 'minecraft', host: 'mc.test', port: 25565 };
const sut = (server: Record<string, unknown>) => newServerProblems(rules, server);

describe('newServerProblems', () => {
  it('passes a new server with or without its optional fields', () => {
    expect(sut(good)).toEqual([]);
    expect(sut({ ...good, queryPort: 25566, pollIntervalS: 30, notes: 'n' })).toEqual([]);
    expect(sut({ ...good, queryPort: null, pollIntervalS: undefined })).toEqual([]);
  });

  it('checks the game against the ids it was made for', () => {
    expect(sut({ ...good, game: 'csgo' })).toEqual([
      'game must be one of the supported game ids (GET /games)',
    ]);
  });

  it('gives one message per bad field, in field order', () => {
    expect(sut({ name: '', game: 'minecraft', host: 'bad host!', port: 70_000 })).toEqual([
      'name should not be empty',
      'host must be a hostname or an IP address',
      'port must not be greater than 65535',
    ]);
  });

  it('refuses fields outside the rules, as the API does', () => {
    expect(sut({ ...good, owner: 'me' })).toEqual(['property owner should not exist']);
  });

  it.each([
    ['port must not be less than 1', { port: 0 }],
    ['port must not be greater than 65535', { port: 65_536 }],
    ['queryPort must be an integer number', { queryPort: 1.5 }],
    ['pollIntervalS must not be less than 5', { pollIntervalS: 4 }],
    ['pollIntervalS must not be greater than 86400', { pollIntervalS: 86_401 }],
    ['name must be shorter than or equal to 200 characters', { name: 'x'.repeat(201) }],
    ['notes must be shorter than or equal to 10000 characters', { notes: 'x'.repeat(10_001) }],
  ])('says %s', (message, change) => {
    expect(sut({ ...good, ...change })).toEqual([message]);
  });
});
