import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  datagram,
  mutate,
  mutations,
  parsedOrRejected,
  prefixed,
} from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import * as sut from './quake3.parser.js';
import { protocolError } from '../../../../test/support/provider-errors.js';

const OOB = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const reply = (text: string) => Buffer.concat([OOB, Buffer.from(text, 'latin1')]);

/** Shaped like ioquake3's SVC_Status output, as OpenArena 0.8.8 sends it. */
const OPENARENA = reply(
  'statusResponse\n' +
    '\\sv_hostname\\^1Test ^7Arena\\sv_maxclients\\12\\mapname\\oa_dm1\\g_gametype\\0' +
    '\\gamename\\baseoa\\g_needpass\\0\\version\\ioq3 1.36\\challenge\\abc123\n' +
    '5 0 "Angelyss"\n' +
    '2 0 "^3Gar^7goyle"\n' +
    '12 48 "Human^1Player"\n',
);

describe('encodeGetStatus', () => {
  it('writes the out-of-band header, getstatus and the challenge', () => {
    expect(sut.encodeGetStatus('abc123').toString('latin1')).toBe(
      '\xff\xff\xff\xffgetstatus abc123\n',
    );
    expect(() => sut.encodeGetStatus('no spaces')).toThrow(RangeError);
  });
});

describe('decodeStatusResponse', () => {
  it('reads the info string and one player per line, colour codes kept', () => {
    const status = sut.decodeStatusResponse(OPENARENA);
    expect(Object.fromEntries(status.info)).toEqual({
      sv_hostname: '^1Test ^7Arena',
      sv_maxclients: '12',
      mapname: 'oa_dm1',
      g_gametype: '0',
      gamename: 'baseoa',
      g_needpass: '0',
      version: 'ioq3 1.36',
      challenge: 'abc123',
    });
    expect(status.players).toEqual([
      { score: 5, ping: 0, name: 'Angelyss' },
      { score: 2, ping: 0, name: '^3Gar^7goyle' },
      { score: 12, ping: 48, name: 'Human^1Player' },
    ]);
  });

  it('accepts extra fields after the name and an empty server', () => {
    expect(
      sut.decodeStatusResponse(reply('statusResponse\n\\a\\b\n-3 999 "x" 2\n')).players,
    ).toEqual([{ score: -3, ping: 999, name: 'x' }]);
    expect(sut.decodeStatusResponse(reply('statusResponse\n\\a\\b\n')).players).toEqual([]);
  });

  it('rejects other messages, a missing header, broken player lines', () => {
    protocolError(() => sut.decodeStatusResponse(reply('infoResponse\n\\a\\b\n')));
    protocolError(() => sut.decodeStatusResponse(Buffer.from('statusResponse\n\\a\\b\n')));
    protocolError(() => sut.decodeStatusResponse(reply('statusResponse')));
    protocolError(() => sut.decodeStatusResponse(reply('statusResponse\n\\a\\b\nnot a player\n')));
  });

  it('refuses an info string with an absurd number of keys', () => {
    protocolError(() =>
      sut.decodeStatusResponse(reply(`statusResponse\n${'\\k\\v'.repeat(600)}\n`)),
    );
  });
});

describe('Quake 3 text and bots', () => {
  it('removes colour codes and keeps a literal caret', () => {
    expect(sut.quakeText('^1Red ^7White ^^ caret^')).toBe('Red White ^^ caret^');
    expect(sut.quakeText('^1')).toBeNull();
    expect(sut.quakeText(undefined)).toBeNull();
  });

  it('takes ping 0 for a bot, 999 (connecting) for a human', () => {
    expect(sut.isBot({ score: 0, ping: 0, name: 'b' })).toBe(true);
    expect(sut.isBot({ score: 0, ping: 999, name: 'h' })).toBe(false);
  });
});

describe('Quake 3 parser under random input', () => {
  const read = (bytes: Uint8Array) => {
    const result = parsedOrRejected(() => sut.decodeStatusResponse(Buffer.from(bytes)));
    if (result instanceof ProviderError) return;
    expect(result.info.size).toBeLessThanOrEqual(512);
    expect(result.players.length).toBeLessThanOrEqual(bytes.length);
  };

  it('rejects random datagrams cleanly, also behind a valid header', () => {
    fc.assert(fc.property(datagram, read), { numRuns: 3000 });
    fc.assert(fc.property(prefixed(reply('statusResponse\n')), read), { numRuns: 3000 });
  });

  it('survives mutated replies', () => {
    fc.assert(
      fc.property(mutations, (changes) => read(mutate(OPENARENA, changes))),
      { numRuns: 3000 },
    );
  });

  it('reads back any player line it is given', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.nat(999),
        // Printable ASCII without the quote and the backslash.
        fc.stringMatching(/^[ !#-[\]-~]{0,30}$/),
        (score, ping, name) => {
          const status = sut.decodeStatusResponse(
            reply(`statusResponse\n\\a\\b\n${score} ${ping} "${name}"\n`),
          );
          expect(status.players).toEqual([{ score, ping, name }]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
