import { describe, expect, it } from 'vitest';
import { validateEnv } from '#common';
import {
  DEFAULT_PROVIDERS_OPTIONS,
  GAMES as GAME_TABLE,
  ProvidersEnv,
  toProvidersOptions,
} from '#providers';
import { DEFAULT_TIMEOUT_MS, formatGames, parseQueryArgs, setsProviderEnv } from './query.js';

const GAMES = ['minecraft', 'csgo'];
const sut = (...argv: string[]) => parseQueryArgs(argv, GAMES);

describe('parseQueryArgs', () => {
  it('reads game, host and port with the default timeout', () => {
    expect(sut('minecraft', 'mc.example.com:25566')).toEqual({
      kind: 'query',
      game: 'minecraft',
      host: 'mc.example.com',
      port: 25566,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      provider: undefined,
    });
  });

  it('reads --provider in both spellings', () => {
    expect(sut('minecraft', 'h', '--provider', 'minecraft-http')).toMatchObject({
      provider: 'minecraft-http',
    });
    expect(sut('--provider=gamedig', 'csgo', 'h')).toMatchObject({ provider: 'gamedig' });
  });

  it('asks for the list of games', () => {
    expect(sut('--games')).toEqual({ kind: 'games' });
  });

  it('leaves the port to the game default when none is given', () => {
    expect(sut('minecraft', '127.0.0.1')).toMatchObject({ host: '127.0.0.1', port: undefined });
  });

  it('reads --timeout before, between or after the arguments, in both spellings', () => {
    expect(sut('--timeout', '500', 'minecraft', 'h')).toMatchObject({ timeoutMs: 500 });
    expect(sut('minecraft', '--timeout=750', 'h')).toMatchObject({ timeoutMs: 750 });
    expect(sut('minecraft', 'h', '--timeout', '1')).toMatchObject({ timeoutMs: 1 });
  });

  it('reads IPv6 literals, bracketed with a port or bare without', () => {
    expect(sut('minecraft', '[::1]:25565')).toMatchObject({ host: '::1', port: 25565 });
    expect(sut('minecraft', '[2001:db8::1]')).toMatchObject({
      host: '2001:db8::1',
      port: undefined,
    });
    expect(sut('minecraft', '2001:db8::1')).toMatchObject({ host: '2001:db8::1', port: undefined });
  });

  it.each([
    [[], 'missing arguments'],
    [['minecraft'], 'missing arguments'],
    [['tetris', 'h'], "unknown game 'tetris' (query --games lists them)"],
    [['minecraft', 'h', '--provider'], "bad --provider ''"],
    [['minecraft', 'h', '--provider', 'Bad Name'], "bad --provider 'Bad Name'"],
    [['minecraft', 'h', 'extra'], "unexpected argument 'extra'"],
    [['minecraft', 'h', '--verbose'], "unknown option '--verbose'"],
    [['minecraft', 'h', '--timeout'], "bad --timeout '' (1-600000 ms)"],
    [['minecraft', 'h', '--timeout', '0'], "bad --timeout '0' (1-600000 ms)"],
    [['minecraft', 'h', '--timeout=1.5'], "bad --timeout '1.5' (1-600000 ms)"],
    [['minecraft', 'h', '--timeout', '-5'], "bad --timeout '-5' (1-600000 ms)"],
  ])('rejects %j: %s', (argv, message) => {
    expect(sut(...argv)).toEqual({ kind: 'error', message });
  });

  it('asks for help', () => {
    expect(sut('minecraft', '--help')).toEqual({ kind: 'help' });
    expect(sut('-h')).toEqual({ kind: 'help' });
  });
});

describe('formatGames', () => {
  it('writes one tab-separated line per game: id, provider, default port, name', () => {
    const lines = formatGames(GAME_TABLE).split('\n');
    expect(lines).toHaveLength(GAME_TABLE.length);
    expect(lines).toContain('valheim\tvalve\t2457\tValheim');
    expect(lines).toContain('brink\tvalve\t-\tBrink');
  });
});

describe('the providers environment of a one-shot query', () => {
  it('is validated whenever one of ProvidersEnv variables is set', () => {
    const names = Object.keys(new ProvidersEnv());
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(setsProviderEnv({ [name]: 'x' }), name).toBe(true);
    expect(setsProviderEnv({ PATH: '/usr/bin', REDIS_URL: 'redis://x' })).toBe(false);
  });

  it('left unset, gives the options ProvidersEnv gives', () => {
    expect(toProvidersOptions(validateEnv(ProvidersEnv, {}))).toEqual(DEFAULT_PROVIDERS_OPTIONS);
  });
});
