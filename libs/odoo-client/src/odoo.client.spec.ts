import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OdooStandIn } from '../../../test/support/odoo-stand-in.js';
import { OdooClient, type OdooClientOptions } from './odoo.client.js';
import { OdooError } from './odoo.error.js';

async function failure(promise: Promise<unknown>): Promise<OdooError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof OdooError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

function clientFor(
  odoo: OdooStandIn,
  url: string,
  extra: Partial<OdooClientOptions> = {},
): OdooClient {
  return new OdooClient({
    url,
    db: odoo.db,
    login: odoo.login,
    apiKey: odoo.apiKey,
    protocol: 'auto',
    timeoutMs: 2_000,
    // Most cases look at one failure; the retry cases ask for retries themselves.
    readRetries: 0,
    ...extra,
  });
}

describe.each(['json2', 'jsonrpc'] as const)('OdooClient over %s', (protocol) => {
  const odoo = new OdooStandIn();
  const others: OdooClient[] = [];
  let url: string;
  let sut: OdooClient;

  beforeAll(async () => {
    url = await odoo.start();
    sut = clientFor(odoo, url, { protocol, userAgent: 'odoo-client-spec' });
  });

  afterEach(async () => {
    odoo.setDelay(0);
    await odoo.setDown(false);
  });

  afterAll(async () => {
    sut.close();
    for (const client of others) client.close();
    await odoo.stop();
  });

  const another = (extra: Partial<OdooClientOptions>): OdooClient => {
    const client = clientFor(odoo, url, { protocol, ...extra });
    others.push(client);
    return client;
  };

  it('creates a list of records in one call and returns their ids in order', async () => {
    odoo.clearCalls();

    const ids = await sut.create('game.server', [
      { name: 'alpha', game: 'minecraft', host: '10.0.0.1', port: 25565 },
      { name: 'beta', game: 'valve', host: '10.0.0.2', port: 27015, active: false },
    ]);

    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0] ?? Infinity);
    expect(odoo.calls).toEqual([
      expect.objectContaining({
        protocol,
        model: 'game.server',
        method: 'create',
        recordCount: 2,
        ok: true,
      }),
    ]);
    expect(odoo.calls[0]?.userAgent).toBe('odoo-client-spec');
  });

  it('creates a single record and still answers a list', async () => {
    const ids = await sut.create('game.server', [
      { name: 'gamma', game: 'quake3', host: 'q', port: 27960 },
    ]);

    expect(ids).toEqual([expect.any(Number)]);
  });

  it('reads with search_read: domain, fields, order, limit, and archived records hidden', async () => {
    const rows = await sut.searchRead<{ id: number; name: string; poll_interval: number }>(
      'game.server',
      [['name', 'in', ['alpha', 'beta', 'gamma']]],
      { fields: ['name', 'poll_interval'], order: 'name desc', limit: 5 },
    );

    expect(rows).toEqual([
      { id: expect.any(Number) as unknown, name: 'gamma', poll_interval: 0 },
      { id: expect.any(Number) as unknown, name: 'alpha', poll_interval: 0 },
    ]);
  });

  it('searches ids and counts, seeing archived records when the context asks', async () => {
    const context = { active_test: false };

    const ids = await sut.search('game.server', [['name', '=', 'beta']], { context });
    const count = await sut.searchCount('game.server', [], { context });

    expect(ids).toHaveLength(1);
    expect(count).toBe(3);
  });

  it('writes and reads back, sending Date values as Odoo UTC datetimes', async () => {
    const [id] = await sut.search('game.server', [['name', '=', 'alpha']]);

    await sut.write('game.server', [id!], {
      poll_interval: 30,
      last_checked: new Date('2026-10-01T12:34:56.789Z'),
    });
    const [row] = await sut.read('game.server', [id!], ['poll_interval', 'last_checked']);

    expect(row).toEqual({ id, poll_interval: 30, last_checked: '2026-10-01 12:34:56' });
  });

  it('unlinks, after which the record is missing', async () => {
    const [id] = await sut.create('game.server', [{ name: 'doomed', host: 'd', port: 1 }]);

    await sut.unlink('game.server', [id!]);
    const err = await failure(sut.read('game.server', [id!], ['name']));

    expect(odoo.records('game.server').map((r) => r.id)).not.toContain(id);
    expect(err).toMatchObject({
      kind: 'missing',
      odooName: 'odoo.exceptions.MissingError',
      retryable: false,
    });
  });

  it('applies a batch of status reports in one RPC', async () => {
    const [id] = await sut.search('game.server', [['name', '=', 'gamma']]);
    odoo.clearCalls();

    const result = await sut.callModel('game.server', 'apply_status_reports', {
      reports: [
        {
          server_id: id,
          checked_at: '2026-10-01 12:00:00',
          online: true,
          players_online: 3,
          player_names: ['a', 'b'],
        },
        {
          server_id: id,
          checked_at: '2026-10-01 12:01:00',
          online: false,
          error_code: 'timeout',
          error_message: 'no answer',
        },
        { server_id: 999_999, checked_at: '2026-10-01 12:00:00', online: true },
      ],
    });

    expect(result).toEqual({
      applied: 2,
      ignored: 0,
      missing: [999_999],
      outages_opened: 0,
      outages_closed: 0,
    });
    expect(odoo.calls).toHaveLength(1);
    expect(odoo.records('game.server').find((r) => r.id === id)).toMatchObject({
      is_online: false,
      last_online: '2026-10-01 12:00:00',
      last_checked: '2026-10-01 12:01:00',
      last_error_code: 'timeout',
      consecutive_failures: 1,
    });
  });

  it('fails with kind auth on a wrong key, without the key in the error', async () => {
    const wrongKey = 'not-the-key-0123456789';
    const client = another({ apiKey: wrongKey });

    const err = await failure(client.searchCount('game.server', []));

    expect(err).toMatchObject({ kind: 'auth', protocol, retryable: false });
    expect(JSON.stringify({ ...err, message: err.message, debug: err.debug })).not.toContain(
      wrongKey,
    );
  });

  it('fails with kind not_found on an unknown model', async () => {
    const err = await failure(sut.searchRead('no.such.model', [], { fields: ['name'] }));

    expect(err).toMatchObject({ kind: 'not_found', model: 'no.such.model', method: 'search_read' });
    expect(err.message).not.toContain('Traceback');
  });

  it('fails with kind database naming the URL, the database and those Odoo lists', async () => {
    const err = await failure(another({ db: 'elsewhere' }).searchCount('game.server', []));

    expect(err).toMatchObject({ kind: 'database', protocol, retryable: false });
    expect(err.message).toBe(
      `Odoo at ${url} does not serve database "elsewhere" (it lists "${odoo.db}")`,
    );
  });

  it('says Odoo does not list its databases when list_db is off', async () => {
    const unlisted = new OdooStandIn({ listDb: false });
    const unlistedUrl = await unlisted.start();
    const client = clientFor(unlisted, unlistedUrl, { protocol, db: 'elsewhere' });
    try {
      const err = await failure(client.searchCount('game.server', []));

      expect(err.kind).toBe('database');
      expect(err.message).toBe(
        `Odoo at ${unlistedUrl} does not serve database "elsewhere" (it does not list its databases (list_db is off))`,
      );
    } finally {
      client.close();
      await unlisted.stop();
    }
  });

  it('fails with kind bad_request on an unknown field', async () => {
    const err = await failure(sut.searchRead('game.server', [], { fields: ['no_such_field'] }));

    expect(err).toMatchObject({ kind: 'bad_request', odooName: 'builtins.ValueError' });
  });

  it('fails with kind access when Odoo refuses the call', async () => {
    odoo.failNext(1, 'access');

    const err = await failure(sut.searchCount('game.server', []));

    expect(err).toMatchObject({
      kind: 'access',
      odooName: 'odoo.exceptions.AccessError',
      retryable: false,
    });
  });

  it('treats a bare HTTP 500 as a retryable server fault', async () => {
    odoo.failNext(1, 'http500');

    const err = await failure(sut.searchCount('game.server', []));

    expect(err).toMatchObject({ kind: 'server', httpStatus: 500, retryable: true });
  });

  it('repeats a read that failed in a retryable way', async () => {
    const client = another({ readRetries: 2 });
    odoo.failNext(2, 'http500');

    await expect(client.searchCount('game.server', [])).resolves.toBeTypeOf('number');
  });

  it('gives up on a read after its retries, and never retries a refused one', async () => {
    const client = another({ readRetries: 1 });
    odoo.failNext(2, 'http500');
    expect(await failure(client.searchCount('game.server', []))).toMatchObject({ kind: 'server' });

    odoo.failNext(2, 'access');
    const refused = failure(client.searchCount('game.server', []));
    expect(await refused).toMatchObject({ kind: 'access' });
    // The second forced failure is still pending: the refused read was not repeated.
    expect(await failure(client.searchCount('game.server', []))).toMatchObject({ kind: 'access' });
  });

  it('never repeats a write, even a retryable failure', async () => {
    const client = another({ readRetries: 2 });
    odoo.failNext(1, 'http500');

    expect(
      await failure(
        client.create('game.server', [{ name: 'once', game: 'minecraft', host: 'h', port: 1 }]),
      ),
    ).toMatchObject({
      kind: 'server',
    });
    expect(odoo.records('game.server').some((r) => r.name === 'once')).toBe(false);
  });

  it('fails with kind transport while the stand-in is down, and works once it is back', async () => {
    await sut.searchCount('game.server', []);
    await odoo.setDown(true);

    const err = await failure(sut.searchCount('game.server', []));
    await odoo.setDown(false);

    expect(err).toMatchObject({ kind: 'transport', code: 'ECONNREFUSED', retryable: true });
    await expect(sut.searchCount('game.server', [])).resolves.toBeTypeOf('number');
  });

  it('fails with kind transport when the answer is slower than the timeout', async () => {
    const client = another({ timeoutMs: 100 });
    await client.protocol();
    odoo.setDelay(1_000);

    const started = Date.now();
    const err = await failure(client.searchCount('game.server', []));

    expect(err).toMatchObject({ kind: 'transport', code: 'ETIMEDOUT', retryable: true });
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('OdooClient over jsonrpc, logging in', () => {
  const odoo = new OdooStandIn({ serverVersion: 17 });
  let sut: OdooClient;

  beforeAll(async () => {
    sut = clientFor(odoo, await odoo.start(), { protocol: 'jsonrpc' });
  });

  afterAll(async () => {
    sut.close();
    await odoo.stop();
  });

  it('authenticates once for many calls, even concurrent ones', async () => {
    await Promise.all([sut.searchCount('game.server', []), sut.searchCount('game.server', [])]);
    await sut.searchCount('game.server', []);

    expect(odoo.authentications).toBe(1);
  });

  it('logs in again once when Odoo answers AccessDenied, then succeeds', async () => {
    const before = odoo.authentications;
    odoo.failNext(1, 'auth');

    await expect(sut.searchCount('game.server', [])).resolves.toBe(0);
    expect(odoo.authentications).toBe(before + 1);
  });

  it('gives up with kind auth when the second attempt is denied too', async () => {
    odoo.failNext(2, 'auth');

    const err = await failure(sut.searchCount('game.server', []));

    expect(err).toMatchObject({ kind: 'auth', odooName: 'odoo.exceptions.AccessDenied' });
  });
});

describe('OdooClient protocol detection', () => {
  const odoo19 = new OdooStandIn({ serverVersion: 19 });
  const odoo17 = new OdooStandIn({ serverVersion: 17 });
  const clients: OdooClient[] = [];
  let url19: string;
  let url17: string;

  beforeAll(async () => {
    [url19, url17] = await Promise.all([odoo19.start(), odoo17.start()]);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([odoo19.stop(), odoo17.stop()]);
  });

  const auto = (odoo: OdooStandIn, url: string): OdooClient => {
    const client = clientFor(odoo, url);
    clients.push(client);
    return client;
  };

  it('picks JSON-2 on Odoo 19', async () => {
    const sut = auto(odoo19, url19);

    await sut.searchCount('game.server', []);

    expect(await sut.protocol()).toBe('json2');
    expect(await sut.version()).toEqual({
      version: '19.0',
      major: 19,
      versionInfo: [19, 0, 0, 'final', 0, ''],
    });
    expect(odoo19.calls.at(-1)?.protocol).toBe('json2');
  });

  it('picks JSON-RPC on Odoo 17, where /web/version does not exist', async () => {
    const sut = auto(odoo17, url17);

    await sut.searchCount('game.server', []);

    expect(await sut.protocol()).toBe('jsonrpc');
    expect((await sut.version()).major).toBe(17);
    expect(odoo17.calls.at(-1)?.protocol).toBe('jsonrpc');
  });

  it('reads Odoo 17 error shapes (error.code 200) the same way', async () => {
    const sut = auto(odoo17, url17);

    const err = await failure(sut.searchCount('no.such.model', []));

    expect(err).toMatchObject({ kind: 'not_found', odooName: 'odoo.exceptions.UserError' });
  });

  it('says JSON-2 is not there when it is forced on Odoo 17, which lists the database', async () => {
    const sut = clientFor(odoo17, url17, { protocol: 'json2' });
    clients.push(sut);

    const err = await failure(sut.searchCount('game.server', []));

    expect(err.kind).toBe('database');
    expect(err.message).toBe(
      `Odoo at ${url17} lists database "${odoo17.db}" but answers HTTP 404 on JSON-2 for it (an Odoo before 19, or a database it cannot open)`,
    );
  });

  it('fails with kind transport when nothing listens, and detects once it does', async () => {
    const odoo = new OdooStandIn();
    const url = await odoo.start();
    const sut = auto(odoo, url);
    await odoo.setDown(true);

    const err = await failure(sut.version());
    await odoo.setDown(false);

    expect(err.kind).toBe('transport');
    await expect(sut.protocol()).resolves.toBe('json2');
    await odoo.stop();
  });
});

describe('OdooClient chunking', () => {
  const odoo = new OdooStandIn();
  let sut: OdooClient;

  beforeAll(async () => {
    sut = clientFor(odoo, await odoo.start(), { chunkSize: 3 });
  });

  afterAll(async () => {
    sut.close();
    await odoo.stop();
  });

  it('splits create, read, write and unlink into calls of chunkSize records, keeping the order', async () => {
    odoo.clearCalls();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

    const ids = await sut.create(
      'game.server',
      names.map((name) => ({ name, game: 'minecraft', host: 'h', port: 1 })),
    );
    const rows = await sut.read<{ name: string }>('game.server', ids, ['name']);
    await sut.write('game.server', ids, { notes: 'chunked' });
    await sut.unlink('game.server', ids);

    expect(rows.map((r) => r.name)).toEqual(names);
    expect(odoo.calls.map((c) => `${c.method}:${c.recordCount}`)).toEqual([
      'create:3',
      'create:3',
      'create:1',
      'read:3',
      'read:3',
      'read:1',
      'write:3',
      'write:3',
      'write:1',
      'unlink:3',
      'unlink:3',
      'unlink:1',
    ]);
    expect(odoo.records('game.server')).toEqual([]);
  });

  it('reads every matching record in pages of chunkSize by id, context and domain kept', async () => {
    const ids = await sut.create(
      'game.server',
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name, i) => ({
        name,
        game: i === 1 ? 'rust' : 'minecraft',
        host: 'h',
        port: 1,
        active: i !== 5,
      })),
    );
    odoo.clearCalls();

    const rows = await sut.searchReadAll<{ id: number; name: string }>(
      'game.server',
      [['game', '=', 'minecraft']],
      { fields: ['name'], context: { active_test: false } },
    );

    expect(rows.map((r) => r.name)).toEqual(['a', 'c', 'd', 'e', 'f', 'g']);
    // Pages of 3, 3, then an empty one to learn that the last full page was the end.
    expect(odoo.calls.map((c) => `${c.method}:${c.recordCount}`)).toEqual([
      'search_read:3',
      'search_read:3',
      'search_read:0',
    ]);
    await sut.unlink('game.server', ids);
  });

  it('makes no call for an empty list', async () => {
    odoo.clearCalls();

    expect(await sut.create('game.server', [])).toEqual([]);
    expect(await sut.read('game.server', [])).toEqual([]);
    await sut.write('game.server', [], { notes: 'x' });
    await sut.unlink('game.server', []);

    expect(odoo.calls).toEqual([]);
  });
});

describe.each([
  [19, 'json2'],
  [19, 'jsonrpc'],
  [18, 'jsonrpc'],
  [17, 'jsonrpc'],
] as const)('OdooClient.readGroup on Odoo %i over %s', (serverVersion, protocol) => {
  const odoo = new OdooStandIn({ serverVersion, now: () => new Date('2026-10-03T00:00:00Z') });
  let sut: OdooClient;
  let mc: number;
  let cs: number;

  beforeAll(async () => {
    sut = clientFor(odoo, await odoo.start(), { protocol });
    [mc, cs] = odoo.seed('game.server', [
      { name: 'mc', game: 'minecraft', host: 'h', port: 1 },
      { name: 'cs', game: 'csgo', host: 'h', port: 2 },
    ]) as [number, number];
    odoo.seed('game.server.stat', [
      {
        server_id: mc,
        bucket_start: '2026-10-01 10:00:00',
        polls: 4,
        polls_online: 4,
        players_peak: 6,
      },
      {
        server_id: mc,
        bucket_start: '2026-10-01 10:15:00',
        polls: 4,
        polls_online: 2,
        players_peak: 9,
      },
      {
        server_id: mc,
        bucket_start: '2026-10-02 00:00:00',
        polls: 1,
        polls_online: 0,
        players_peak: 0,
      },
      {
        server_id: cs,
        bucket_start: '2026-10-01 23:45:00',
        polls: 3,
        polls_online: 3,
        players_peak: 12,
      },
    ]);
  });

  afterAll(async () => {
    sut.close();
    await odoo.stop();
  });

  it(`calls ${serverVersion >= 19 ? 'formatted_read_group' : 'read_group'} and answers one shape: many2one refs, UTC day starts, aggregates by spec, counts`, async () => {
    odoo.clearCalls();

    const groups = await sut.readGroup(
      'game.server.stat',
      [['bucket_start', '>=', '2026-10-01 00:00:00']],
      ['server_id', 'bucket_start:day'],
      ['polls:sum', 'polls_online:sum', 'players_peak:max', 'players_peak:sum'],
    );

    expect(odoo.calls.map((c) => c.method)).toEqual([
      serverVersion >= 19 ? 'formatted_read_group' : 'read_group',
    ]);
    expect(groups).toEqual([
      {
        keys: {
          server_id: { id: mc, name: 'mc' },
          'bucket_start:day': new Date('2026-10-01T00:00:00Z'),
        },
        values: {
          'polls:sum': 8,
          'polls_online:sum': 6,
          'players_peak:max': 9,
          'players_peak:sum': 15,
        },
        count: 2,
      },
      {
        keys: {
          server_id: { id: mc, name: 'mc' },
          'bucket_start:day': new Date('2026-10-02T00:00:00Z'),
        },
        values: {
          'polls:sum': 1,
          'polls_online:sum': 0,
          'players_peak:max': 0,
          'players_peak:sum': 0,
        },
        count: 1,
      },
      {
        keys: {
          server_id: { id: cs, name: 'cs' },
          'bucket_start:day': new Date('2026-10-01T00:00:00Z'),
        },
        values: {
          'polls:sum': 3,
          'polls_online:sum': 3,
          'players_peak:max': 12,
          'players_peak:sum': 12,
        },
        count: 1,
      },
    ]);
  });

  it('groups by a plain field with only a count, paged', async () => {
    const groups = await sut.readGroup('game.server.stat', [], ['game'], ['__count'], {
      offset: 1,
      limit: 1,
    });

    expect(groups).toEqual([{ keys: { game: 'minecraft' }, values: {}, count: 3 }]);
  });
});

describe('OdooClient.ready', () => {
  const odoo = new OdooStandIn();
  const clients: OdooClient[] = [];
  let url: string;
  const probe = {
    model: 'game.server',
    calls: [{ method: 'apply_status_reports', args: { reports: [] } }],
  };

  beforeAll(async () => {
    url = await odoo.start();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await odoo.stop();
  });

  const client = (extra: Partial<OdooClientOptions> = {}): OdooClient => {
    const made = clientFor(odoo, extra.url ?? url, extra);
    clients.push(made);
    return made;
  };

  it('proves the server, the database, the key and the addon, changing nothing', async () => {
    const before = odoo.records('game.server');

    const readiness = await client().ready(probe);

    expect(readiness).toEqual({
      version: expect.objectContaining({ major: 19 }) as unknown,
      protocol: 'json2',
    });
    expect(odoo.records('game.server')).toEqual(before);
  });

  it.each([
    ['a wrong key', { apiKey: 'wrong-key-0123456789' }, probe, 'auth', /cannot read game\.server/],
    [
      'a wrong database',
      { db: 'elsewhere' },
      probe,
      'database',
      /^Odoo not ready: Odoo at \S+ does not serve database "elsewhere" \(it lists "gamedb"\)$/,
    ],
    ['a missing addon', {}, { model: 'game.server.missing' }, 'not_found', /game\.server\.missing/],
    [
      'an addon without the method',
      {},
      { model: 'game.server', calls: [{ method: 'apply_everything' }] },
      'not_found',
      /game\.server\.apply_everything does not answer/,
    ],
  ] as const)('fails naming the step with %s', async (_case, extra, which, kind, message) => {
    const err = await failure(client(extra).ready(which));

    expect(err).toMatchObject({ kind });
    expect(err.message).toMatch(/^Odoo not ready: /);
    expect(err.message).toMatch(message);
  });

  it('fails with kind transport when nothing answers', async () => {
    const down = new OdooStandIn();
    const downUrl = await down.start();
    await down.stop();

    const err = await failure(client({ url: downUrl }).ready(probe));

    expect(err).toMatchObject({ kind: 'transport' });
    expect(err.message).toContain(`no Odoo answers at ${downUrl}`);
  });
});
