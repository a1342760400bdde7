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

    expect(result).toEqual({ applied: 2, ignored: 0, missing: [999_999] });
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
