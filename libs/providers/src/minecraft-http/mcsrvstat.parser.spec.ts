import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutations, parsedOrRejected } from '../../../../test/support/fuzz.js';
import { ProviderError } from '../provider.error.js';
import { parseMcsrvstat } from './mcsrvstat.parser.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The v3 shape, as documented on api.mcsrvstat.us, for a Java server. */
const JAVA_ONLINE = {
  online: true,
  ip: '127.0.0.1',
  port: 25565,
  hostname: 'mc.example.org',
  debug: { ping: true, query: false, srv: false, cachehit: false, apiversion: 3 },
  version: '§cPaper 1.21.4',
  protocol: { version: 769, name: '1.21.4' },
  software: 'Paper',
  motd: {
    raw: ['§aA §lgreat§r server', '§7line two'],
    clean: ['A great server', 'line two'],
    html: ['<span>A great server</span>', 'line two'],
  },
  players: {
    online: 250,
    max: 500,
    list: [
      { name: 'Alice', uuid: 'a' },
      { name: 'Bob', uuid: 'b' },
    ],
  },
};
const BEDROCK_ONLINE = {
  online: true,
  version: '1.21.50',
  motd: { clean: ['Dedicated Server'] },
  players: { online: 1, max: 10 },
  map: { raw: 'Bedrock level', clean: 'Bedrock level' },
  gamemode: 'Survival',
  serverid: '1325386089',
};
const OFFLINE = {
  online: false,
  ip: '',
  port: 25565,
  debug: { error: { ping: 'No address to query', query: 'Failed to read from socket.' } },
};

describe('parseMcsrvstat', () => {
  it('reads a Java answer: the count field, names, MOTD lines, version without codes', () => {
    expect(parseMcsrvstat(json(JAVA_ONLINE))).toEqual({
      online: true,
      playersOnline: 250,
      playersMax: 500,
      playerNames: ['Alice', 'Bob'],
      motd: 'A great server\nline two',
      version: 'Paper 1.21.4',
      map: null,
      gameMode: null,
    });
  });

  it('reads a Bedrock answer with map and game mode', () => {
    expect(parseMcsrvstat(json(BEDROCK_ONLINE))).toMatchObject({
      playersOnline: 1,
      map: 'Bedrock level',
      gameMode: 'Survival',
      playerNames: [],
    });
  });

  it("reads an offline answer with the API's reasons", () => {
    expect(parseMcsrvstat(json(OFFLINE))).toEqual({
      online: false,
      reason: 'No address to query; Failed to read from socket.',
    });
    expect(parseMcsrvstat(json({ online: false }))).toEqual({ online: false, reason: null });
  });

  it.each([
    ['not JSON', Buffer.from('<html>')],
    ['no online field', json({ players: {} })],
    ['a string count', json({ online: true, players: { online: '5', max: 10 } })],
    ['a negative count', json({ online: true, players: { online: -5, max: 10 } })],
  ])('rejects %s', (_label, body) => {
    expect(() => parseMcsrvstat(body)).toThrow(ProviderError);
  });
});

describe('mcsrvstat parser under random input', () => {
  const read = (body: Buffer) => {
    const result = parsedOrRejected(() => parseMcsrvstat(body));
    if (result instanceof ProviderError || !result.online) return;
    expect(result.playersOnline).toBeGreaterThanOrEqual(0);
    expect((result.motd ?? '').length).toBeLessThanOrEqual(512);
  };

  it('rejects random bytes and random JSON cleanly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => read(Buffer.from(b))),
      {
        numRuns: 2000,
      },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        read(json(v));
        read(json({ online: true, players: v, motd: v, map: v, version: v }));
      }),
      { numRuns: 2000 },
    );
  });

  it('survives mutated answers', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(JAVA_ONLINE, BEDROCK_ONLINE, OFFLINE),
        mutations,
        (doc, changes) => read(mutate(json(doc), changes)),
      ),
      { numRuns: 2000 },
    );
  });
});
