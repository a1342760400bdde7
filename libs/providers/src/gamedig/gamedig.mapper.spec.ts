import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsedOrRejected } from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import { gameDigError, gameDigToStatus } from './gamedig.mapper.js';

/** GameDig 5's result shape (README, "Query Response"). */
const RESULT = {
  name: ' My Server ',
  map: 'de_dust2',
  password: false,
  raw: { gametype: 'Competitive' },
  version: '1.0.0',
  maxplayers: 24,
  numplayers: 30,
  players: [{ name: 'Alice', raw: {} }, { name: '', raw: {} }, { raw: {} }],
  bots: [{ name: 'BOT Bob', raw: {} }],
  queryPort: 27015,
  ping: 12,
  connect: '127.0.0.1:27015',
};

describe('gameDigToStatus', () => {
  it('takes numplayers as the count, never the length of the list', () => {
    expect(gameDigToStatus(RESULT, 40)).toEqual({
      latencyMs: 12,
      playersOnline: 30,
      playersMax: 24,
      bots: 1,
      playerNames: ['Alice'],
      name: 'My Server',
      map: 'de_dust2',
      version: '1.0.0',
      gameMode: 'Competitive',
      passwordProtected: false,
    });
  });

  it('falls back to our timing without a ping, and reads flags sent as text', () => {
    const status = gameDigToStatus({ ...RESULT, ping: 0, password: '1', version: '' }, 41.6);
    expect(status).toMatchObject({ latencyMs: 42, passwordProtected: true, version: null });
    expect(gameDigToStatus({ ...RESULT, password: '0' }, 1).passwordProtected).toBe(false);
    expect(gameDigToStatus({ ...RESULT, password: undefined }, 1).passwordProtected).toBeNull();
  });

  it('counts the lists when numplayers is missing', () => {
    expect(gameDigToStatus({ ...RESULT, numplayers: undefined }, 1).playersOnline).toBe(4);
  });

  it('rejects what is not a result', () => {
    expect(() => gameDigToStatus(null, 1)).toThrow(ProviderError);
  });

  it('rejects counts no server sends, as a protocol error', () => {
    const noise = () => gameDigToStatus({ numplayers: 464_527_846, maxplayers: 0 }, 1);
    expect(noise).toThrow(/implausible player counts 464527846\/0/u);
    expect(() => gameDigToStatus({ numplayers: 5_000, maxplayers: 12 }, 1)).toThrow(
      /5000 players on 12 slots/u,
    );
    try {
      noise();
    } catch (err) {
      expect((err as ProviderError).code).toBe('protocol');
    }
    // A few over the limit (staff, reserved slots) is a real server.
    expect(gameDigToStatus({ numplayers: 110, maxplayers: 100 }, 1).playersOnline).toBe(110);
    expect(gameDigToStatus({ numplayers: 80, maxplayers: 0 }, 1).playersOnline).toBe(80);
  });

  it('rejects a reply that says nothing, as random bytes read as armagetronadvanced do', () => {
    // What GameDig 5 made of random bytes sent back to an armagetronadvanced query.
    const noise = { name: '', map: '', password: false, numplayers: 0, maxplayers: 0, players: [] };
    expect(() => gameDigToStatus(noise, 1)).toThrow(/names no server, map, version, slot/u);
    // Any one field a real server sends makes it a status: an empty server with slots, or a
    // name alone (some games send no slot count).
    expect(gameDigToStatus({ ...noise, maxplayers: 16 }, 1).playersMax).toBe(16);
    expect(gameDigToStatus({ ...noise, name: 'Arena' }, 1).name).toBe('Arena');
    expect(gameDigToStatus({ ...noise, numplayers: 3 }, 1).playersOnline).toBe(3);
  });

  it('rejects a name of undecodable bytes with nothing else of a server, as random bytes read as rfactor do', () => {
    const noise = {
      ...RESULT,
      numplayers: 159,
      maxplayers: 113,
      name: '\uFFFD\uFFFD\uFFFDU\uFFFDB\uFFFD\uFFFD[\uFFFDq\uFFFD4',
      map: '\uFFFD;B_\uFFFD\uFFFD\uFFFDWWM\uFFFD89',
    };
    expect(() => gameDigToStatus(noise, 1)).toThrow(/server name is not text, nor anything else/u);
    // With no map, counts no server sends make it noise too; counts a server sends keep it.
    for (const counts of [
      { numplayers: 0, maxplayers: 0 },
      { numplayers: 244, maxplayers: 238 },
    ]) {
      expect(() => gameDigToStatus({ ...noise, ...counts, map: undefined }, 1)).toThrow(
        /not text/u,
      );
    }
    expect(gameDigToStatus({ ...noise, numplayers: 5, maxplayers: 32, map: '' }, 1).map).toBe(null);
    // A name in a code page GameDig did not decode is still a server when its map is text.
    const cyrillic = {
      ...noise,
      name: '\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD',
      map: 'de_dust2',
    };
    expect(gameDigToStatus(cyrillic, 1).map).toBe('de_dust2');
    // A few letters lost in a long name are not noise.
    const accents = {
      ...noise,
      name: 'Serveur Qu\uFFFDbec \uFFFDlite \uFFFDquipe',
      map: 'Arr\uFFFDt',
    };
    expect(gameDigToStatus(accents, 1).playersMax).toBe(113);
  });

  it('maps anything GameDig may return to sane fields', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const status = parsedOrRejected(() => gameDigToStatus(value, 5));
        if (status instanceof ProviderError) return;
        expect(Number.isInteger(status.playersOnline) && status.playersOnline >= 0).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('gameDigToStatus of the vanilla Minecraft protocol', () => {
  const raw = { description: { text: '§aHello', extra: [' world'] }, version: { name: '1.21.4' } };

  it('takes the MOTD and version out of the raw answer', () => {
    const result = { ...RESULT, name: '', version: '', raw };
    expect(gameDigToStatus(result, 1, { minecraftVanilla: true })).toMatchObject({
      name: 'Hello world',
      version: '1.21.4',
    });
  });

  it('counts what the raw answer says before calling a reply empty', () => {
    const result = { name: '', map: '', numplayers: 0, maxplayers: 0, players: [], raw };
    expect(() => gameDigToStatus(result, 1)).toThrow(/names no server/u);
    expect(gameDigToStatus(result, 1, { minecraftVanilla: true }).name).toBe('Hello world');
  });
});

describe('gameDigError', () => {
  function failed(...attempts: string[]): Error {
    const err = new Error(`Failed all ${attempts.length} attempts`);
    err.stack = [
      err.stack,
      ...attempts.map(
        (a, i) => `Attempt #${i + 1} - Port=27015 Retry=0:\n${a}\n    at x (y.js:1:1)`,
      ),
    ].join('\n');
    return err;
  }

  it.each([
    ['Error: UDP - Timed out after 2000ms', 'timeout', 'GameDig: UDP - Timed out after 2000ms'],
    ['Error: TCP Connection Refused', 'refused', 'GameDig: TCP Connection Refused'],
    [
      'Error: getaddrinfo ENOTFOUND nope.example',
      'dns',
      'GameDig: getaddrinfo ENOTFOUND nope.example',
    ],
    [
      'Error: send EHOSTUNREACH 10.0.0.1:27015',
      'unreachable',
      'GameDig: send EHOSTUNREACH 10.0.0.1:27015',
    ],
    ['Error: Invalid status length: 3 vs 4', 'protocol', 'GameDig: Invalid status length: 3 vs 4'],
  ] as const)('reads %s as %s', (line, code, message) => {
    expect(gameDigError(failed(line))).toMatchObject({ code, message });
  });

  it('maps an unknown game and a bare value', () => {
    expect(gameDigError(new Error('Invalid game: tetris')).code).toBe('unsupported');
    expect(gameDigError('odd')).toMatchObject({ code: 'protocol', message: 'GameDig: odd' });
  });
});
