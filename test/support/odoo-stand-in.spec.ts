import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OdooStandIn } from './odoo-stand-in.js';

interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // An HTML page: keep the text.
  }
  return { status: res.status, contentType: res.headers.get('content-type'), body: parsed };
}

/** Raw wire access, so the specs check the exact shapes a client meets. */
function wire(odoo: OdooStandIn, url: string) {
  return {
    rpc: (service: string, method: string, args: unknown[]) =>
      post(`${url}/jsonrpc`, {
        jsonrpc: '2.0',
        method: 'call',
        id: 7,
        params: { service, method, args },
      }),
    executeKw: (
      model: string,
      method: string,
      args: unknown[],
      kwargs: Record<string, unknown> = {},
    ) =>
      post(`${url}/jsonrpc`, {
        jsonrpc: '2.0',
        method: 'call',
        id: 7,
        params: {
          service: 'object',
          method: 'execute_kw',
          args: [odoo.db, odoo.uid, odoo.apiKey, model, method, args, kwargs],
        },
      }),
    json2: (model: string, method: string, body: unknown, headers?: Record<string, string>) =>
      post(`${url}/json/2/${model}/${method}`, body, {
        Authorization: `bearer ${odoo.apiKey}`,
        'X-Odoo-Database': odoo.db,
        ...headers,
      }),
  };
}

/** The `result` of a JSON-RPC answer, failing loudly on an `error`. */
function result<T>(answer: Answer): T {
  const body = answer.body as { result?: T; error?: unknown };
  if (body.error !== undefined) throw new Error(`unexpected error ${JSON.stringify(body.error)}`);
  return body.result as T;
}

describe('OdooStandIn', () => {
  const sut = new OdooStandIn();
  let url: string;
  let w: ReturnType<typeof wire>;

  beforeAll(async () => {
    url = await sut.start();
    w = wire(sut, url);
  });

  afterAll(async () => {
    await sut.stop();
  });

  describe('version and health routes', () => {
    it('listens on 127.0.0.1 only', () => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('answers GET /web/version as Odoo 19', async () => {
      const res = await fetch(`${url}/web/version`);

      expect(await res.json()).toEqual({
        version_info: [19, 0, 0, 'final', 0, ''],
        version: '19.0',
      });
    });

    it('answers POST /web/webclient/version_info and common.version', async () => {
      const info = await post(`${url}/web/webclient/version_info`, {
        jsonrpc: '2.0',
        method: 'call',
        params: {},
      });
      const common = await w.rpc('common', 'version', []);

      expect(result(info)).toMatchObject({
        server_version: '19.0',
        server_version_info: [19, 0, 0, 'final', 0, ''],
      });
      expect(result(common)).toEqual(result(info));
    });

    it('answers GET /web/health', async () => {
      const res = await fetch(`${url}/web/health?db_server_status=1`);

      expect(await res.json()).toEqual({ status: 'pass', db_server_status: true });
    });
  });

  describe('JSON-RPC', () => {
    it('authenticates with the API key, and answers a wrong one with false, not an error', async () => {
      const good = await w.rpc('common', 'authenticate', [sut.db, sut.login, sut.apiKey, {}]);
      const bad = await w.rpc('common', 'authenticate', [sut.db, sut.login, 'wrong', {}]);

      expect(result(good)).toBe(sut.uid);
      expect(result(bad)).toBe(false);
    });

    it('answers a wrong key at execute_kw with AccessDenied in the measured shape', async () => {
      const answer = await post(`${url}/jsonrpc`, {
        jsonrpc: '2.0',
        method: 'call',
        id: 42,
        params: {
          service: 'object',
          method: 'execute_kw',
          args: [sut.db, sut.uid, 'wrong', 'game.server', 'search', [[]]],
        },
      });

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        jsonrpc: '2.0',
        id: 42,
        error: {
          code: 0,
          message: 'Odoo Server Error',
          data: {
            name: 'odoo.exceptions.AccessDenied',
            message: 'Access Denied',
            arguments: ['Access Denied'],
            context: {},
            debug: expect.stringContaining('Traceback') as unknown,
          },
        },
      });
    });

    it.each([
      [
        'an unknown model',
        'no.such.model',
        'search',
        'odoo.exceptions.UserError',
        "Object no.such.model doesn't exist",
      ],
      [
        'a private method',
        'game.server',
        '_search',
        'odoo.exceptions.AccessError',
        "Private methods (such as 'game.server._search') cannot be called remotely.",
      ],
      [
        'an unknown method',
        'game.server',
        'nope',
        'builtins.AttributeError',
        "The method 'game.server.nope' does not exist",
      ],
    ])('answers %s with %s', async (_case, model, method, name, message) => {
      const answer = await w.executeKw(model, method, [[]]);

      expect((answer.body as { error: { data: unknown } }).error.data).toMatchObject({
        name,
        message,
      });
    });

    it('binds execute_kw arguments as Odoo does: ids first for record methods, create positional', async () => {
      const single = result<number>(
        await w.executeKw('game.server', 'create', [{ name: 'rpc-one' }]),
      );
      const list = result<number[]>(
        await w.executeKw('game.server', 'create', [[{ name: 'rpc-two' }]]),
      );
      await w.executeKw('game.server', 'write', [[single], { port: 1234 }]);
      const read = result<unknown[]>(
        await w.executeKw('game.server', 'read', [[single]], { fields: ['port'] }),
      );
      const noIds = await w.executeKw('game.server', 'write', [], { vals: { port: 1 } });
      const createAsKwargs = await w.executeKw('game.server', 'create', [], {
        vals_list: [{ name: 'x' }],
      });

      expect(single).toBeTypeOf('number');
      expect(list).toEqual([expect.any(Number)]);
      expect(read).toEqual([{ id: single, port: 1234 }]);
      expect(noIds.body).toMatchObject({ error: { data: { name: 'builtins.IndexError' } } });
      expect(createAsKwargs.body).toMatchObject({
        error: { data: { name: 'builtins.IndexError' } },
      });
    });

    it('answers an unknown keyword argument with TypeError', async () => {
      const answer = await w.executeKw('game.server', 'write', [[1]], { vals: {}, bogus: 1 });

      expect(answer.body).toMatchObject({
        error: {
          data: {
            name: 'builtins.TypeError',
            message: "write() got an unexpected keyword argument 'bogus'",
          },
        },
      });
    });

    it('uses error.code 200 when imitating Odoo 17, with 17 messages', async () => {
      const odoo17 = new OdooStandIn({ serverVersion: 17 });
      const url17 = await odoo17.start();
      try {
        const answer = await wire(odoo17, url17).executeKw('res.partner', '_search', [[]]);
        odoo17.defineModel('res.partner');
        const privateCall = await wire(odoo17, url17).executeKw('res.partner', '_search', [[]]);
        const version = await fetch(`${url17}/web/version`);
        const json2 = await wire(odoo17, url17).json2('res.partner', 'search', { domain: [] });

        expect(answer.body).toMatchObject({
          error: { code: 200, data: { name: 'odoo.exceptions.UserError' } },
        });
        expect(privateCall.body).toMatchObject({
          error: {
            data: { message: 'Private methods (such as _search) cannot be called remotely.' },
          },
        });
        expect(version.status).toBe(404);
        expect(json2.status).toBe(404);
      } finally {
        await odoo17.stop();
      }
    });
  });

  describe('JSON-2', () => {
    it('answers a success with the bare result', async () => {
      const answer = await w.json2('game.server', 'create', {
        vals_list: [{ name: 'j2-a' }, { name: 'j2-b' }],
      });

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([expect.any(Number), expect.any(Number)]);
    });

    it.each([
      [
        'a wrong key',
        'game.server',
        'search',
        { domain: [] },
        { Authorization: 'bearer wrong' },
        401,
        'werkzeug.exceptions.Unauthorized',
      ],
      [
        'no Authorization header',
        'game.server',
        'search',
        { domain: [] },
        { Authorization: '' },
        401,
        'werkzeug.exceptions.Unauthorized',
      ],
      [
        'an unknown model',
        'no.such.model',
        'search',
        { domain: [] },
        {},
        404,
        'werkzeug.exceptions.NotFound',
      ],
      ['a private method', 'game.server', '_search', {}, {}, 403, 'odoo.exceptions.AccessError'],
      ['an unknown method', 'game.server', 'nope', {}, {}, 404, 'werkzeug.exceptions.NotFound'],
      [
        'an unknown keyword argument',
        'game.server',
        'search_read',
        { bogus: 1 },
        {},
        500,
        'builtins.TypeError',
      ],
      [
        'ids on an @api.model method',
        'game.server',
        'search',
        { ids: [1], domain: [] },
        {},
        422,
        'werkzeug.exceptions.UnprocessableEntity',
      ],
      [
        'a missing required argument',
        'game.server',
        'write',
        { ids: [1] },
        {},
        422,
        'werkzeug.exceptions.UnprocessableEntity',
      ],
      [
        'an unknown field',
        'game.server',
        'search_read',
        { fields: ['nope'] },
        {},
        500,
        'builtins.ValueError',
      ],
      [
        'a deleted record',
        'game.server',
        'read',
        { ids: [987_654] },
        {},
        404,
        'odoo.exceptions.MissingError',
      ],
      [
        'another database',
        'game.server',
        'search',
        { domain: [] },
        { 'X-Odoo-Database': 'other' },
        404,
        'werkzeug.exceptions.NotFound',
      ],
    ])('answers %s with HTTP %i', async (_case, model, method, body, headers, status, name) => {
      const answer = await w.json2(model, method, body, headers);

      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({
        name,
        message: expect.any(String) as unknown,
        arguments: expect.any(Array) as unknown,
        context: {},
        debug: expect.stringContaining('Traceback') as unknown,
      });
    });

    it('refuses a body that is not JSON', async () => {
      const res = await fetch(`${url}/json/2/game.server/search`, {
        method: 'POST',
        headers: { Authorization: `bearer ${sut.apiKey}`, 'Content-Type': 'application/json' },
        body: '{nope',
      });

      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ name: 'werkzeug.exceptions.BadRequest' });
    });
  });

  describe('generic CRUD', () => {
    const model = 'test.thing';

    beforeAll(() => {
      sut.seed(model, [
        { id: 1, name: 'Alpha', size: 10, kind: 'a', active: true, seen: '2026-10-01 10:00:00' },
        { id: 2, name: 'beta', size: 20, kind: 'b', active: true, seen: false },
        { id: 3, name: 'Gamma', size: 30, kind: 'a', active: false, seen: '2026-10-01 12:00:00' },
        { id: 4, name: 'delta', size: 20, kind: false, active: true, seen: '2026-10-01 11:00:00' },
      ]);
    });

    const searchIds = async (domain: unknown[], extra: Record<string, unknown> = {}) =>
      (await w.json2(model, 'search', { domain, ...extra })).body;

    it.each([
      [[['size', '=', 20]], [2, 4]],
      [[['size', '!=', 20]], [1]],
      [[['kind', '=', false]], [4]],
      [[['kind', 'in', ['a', false]]], [1, 4]],
      [[['kind', 'not in', ['a']]], [2, 4]],
      [[['size', '<', 20]], [1]],
      [[['size', '<=', 20]], [1, 2, 4]],
      [[['size', '>', 10]], [2, 4]],
      [[['size', '>=', 20]], [2, 4]],
      [[['seen', '<', '2026-10-01 11:00:00']], [1]],
      [[['name', 'ilike', 'ALP']], [1]],
      [[['name', 'like', 'alp']], []],
      [[['name', 'like', 'elt']], [4]],
      [
        ['|', ['size', '=', 10], ['kind', '=', 'b']],
        [1, 2],
      ],
      [['!', ['size', '=', 20]], [1]],
      [['&', ['size', '=', 20], ['kind', '=', 'b']], [2]],
      [
        [
          ['size', '=', 20],
          ['kind', '=', 'b'],
        ],
        [2],
      ],
      [
        ['|', '!', ['size', '=', 20], ['name', '=', 'beta']],
        [1, 2],
      ],
    ])('filters %j to %j, archived records hidden', async (domain, ids) => {
      expect(await searchIds(domain)).toEqual(ids);
    });

    it('shows archived records when the domain mentions active or the context says active_test false', async () => {
      expect(await searchIds([['active', '=', false]])).toEqual([3]);
      expect(await searchIds([], { context: { active_test: false } })).toEqual([1, 2, 3, 4]);
    });

    it('orders by several keys, empty values last ascending, then limits and offsets', async () => {
      const ctx = { context: { active_test: false } };

      expect(await searchIds([], { order: 'size desc, id asc', ...ctx })).toEqual([3, 2, 4, 1]);
      expect(await searchIds([], { order: 'seen asc', ...ctx })).toEqual([1, 4, 3, 2]);
      expect(await searchIds([], { order: 'id', limit: 2, offset: 1, ...ctx })).toEqual([2, 3]);
    });

    it('refuses an order on an unknown field', async () => {
      const answer = await w.json2(model, 'search', { domain: [], order: 'nope desc' });

      expect(answer).toMatchObject({ status: 500, body: { name: 'builtins.ValueError' } });
    });

    it('counts with search_count and reads chosen fields with search_read', async () => {
      const count = await w.json2(model, 'search_count', { domain: [['size', '=', 20]] });
      const rows = await w.json2(model, 'search_read', {
        domain: [['kind', '=', 'a']],
        fields: ['name'],
        order: 'name desc',
      });

      expect(count.body).toBe(2);
      expect(rows.body).toEqual([{ id: 1, name: 'Alpha' }]);
    });

    it('stamps create_date and write_date in Odoo format and fills defaults', async () => {
      const [id] = (await w.json2('game.server', 'create', { vals_list: [{ name: 'stamped' }] }))
        .body as number[];
      const record = sut.records('game.server').find((r) => r.id === id);

      expect(record).toMatchObject({
        active: true,
        poll_interval: 0,
        is_online: false,
        consecutive_failures: 0,
        map_name: false,
        players_online: 0,
        create_date: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) as unknown,
        write_date: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) as unknown,
      });
    });

    it('refuses an ISO datetime with T and Z, and an unknown field, and then creates nothing', async () => {
      const before = sut.records('game.server').length;

      const iso = await w.json2('game.server', 'create', {
        vals_list: [{ name: 'ok' }, { name: 'bad', last_checked: '2026-10-01T10:00:00Z' }],
      });
      const unknown = await w.json2('game.server', 'write', { ids: [1], vals: { nope: 1 } });

      expect(iso.body).toMatchObject({ name: 'builtins.ValueError' });
      expect(unknown.body).toMatchObject({ name: 'builtins.ValueError' });
      expect(sut.records('game.server')).toHaveLength(before);
    });

    it('unlinks, and a record unlinked is missing afterwards', async () => {
      const [id] = sut.seed(model, [{ name: 'temp' }]);

      const first = await w.json2(model, 'unlink', { ids: [id] });
      const again = await w.json2(model, 'write', { ids: [id], vals: { name: 'x' } });

      expect(first.body).toBe(true);
      expect(again).toMatchObject({ status: 404, body: { name: 'odoo.exceptions.MissingError' } });
    });

    it('describes fields with fields_get', async () => {
      const answer = await w.json2(model, 'fields_get', { attributes: ['type'] });

      expect(answer.body).toMatchObject({
        id: { type: 'integer' },
        size: { type: 'integer' },
        seen: { type: 'datetime' },
      });
    });

    it('hands out copies from records()', () => {
      const [first] = sut.records(model);
      first!['name'] = 'changed';

      expect(sut.records(model)[0]?.['name']).toBe('Alpha');
    });
  });

  describe('game.server.apply_status_reports', () => {
    let server: number;
    let other: number;

    beforeEach(() => {
      [server, other] = sut.seed('game.server', [
        { name: 'mc', game: 'minecraft', host: 'mc.example', port: 25565 },
        { name: 'cs', game: 'valve', host: 'cs.example', port: 27015 },
      ]) as [number, number];
    });

    const apply = async (reports: unknown[]) =>
      w.json2('game.server', 'apply_status_reports', { reports });
    const record = (id: number) => sut.records('game.server').find((r) => r.id === id);
    const online = (id: number, checkedAt: string, players: number) => ({
      server_id: id,
      checked_at: checkedAt,
      online: true,
      latency_ms: 12,
      players_online: players,
      players_max: 20,
      bots: 1,
      player_names: ['ann', 'bob'],
      name: 'A Minecraft Server',
      map: 'world',
      version: '1.21',
      game_mode: 'survival',
      password_protected: false,
      error_code: null,
      error_message: null,
    });
    const offline = (id: number, checkedAt: string) => ({
      server_id: id,
      checked_at: checkedAt,
      online: false,
      latency_ms: null,
      players_online: null,
      players_max: null,
      bots: null,
      player_names: [],
      name: null,
      map: null,
      version: null,
      game_mode: null,
      password_protected: null,
      error_code: 'timeout',
      error_message: 'no answer within 3000 ms',
    });

    it('applies an online report to the live fields', async () => {
      const answer = await apply([online(server, '2026-10-01 12:00:00', 5)]);

      expect(answer.body).toEqual({ applied: 1, ignored: 0, missing: [] });
      expect(record(server)).toMatchObject({
        is_online: true,
        players_online: 5,
        players_max: 20,
        bots: 1,
        latency_ms: 12,
        map_name: 'world',
        version: '1.21',
        game_mode: 'survival',
        motd: 'A Minecraft Server',
        password_protected: false,
        player_names: 'ann\nbob',
        last_checked: '2026-10-01 12:00:00',
        last_online: '2026-10-01 12:00:00',
        last_error_code: false,
        last_error: false,
        consecutive_failures: 0,
      });
    });

    it('counts offline reports as failures, keeps last_online, and clears the error once online', async () => {
      await apply([online(server, '2026-10-01 12:00:00', 5)]);
      await apply([offline(server, '2026-10-01 12:01:00'), offline(server, '2026-10-01 12:02:00')]);
      const down = record(server);
      await apply([online(server, '2026-10-01 12:03:00', 2)]);

      expect(down).toMatchObject({
        is_online: false,
        players_online: 0,
        last_online: '2026-10-01 12:00:00',
        last_checked: '2026-10-01 12:02:00',
        last_error_code: 'timeout',
        last_error: 'no answer within 3000 ms',
        consecutive_failures: 2,
      });
      expect(record(server)).toMatchObject({
        is_online: true,
        last_error_code: false,
        consecutive_failures: 0,
      });
    });

    it('applies a server’s reports in check-time order and ignores those not newer than the last', async () => {
      const answer = await apply([
        online(server, '2026-10-01 12:02:00', 2),
        online(server, '2026-10-01 12:01:00', 1),
        online(server, '2026-10-01 12:02:00', 9),
      ]);

      expect(answer.body).toEqual({ applied: 2, ignored: 1, missing: [] });
      expect(record(server)).toMatchObject({
        players_online: 2,
        last_checked: '2026-10-01 12:02:00',
      });
    });

    it('changes nothing when a batch is replayed', async () => {
      const batch = [
        online(server, '2026-10-01 12:00:00', 5),
        offline(other, '2026-10-01 12:00:00'),
      ];
      await apply(batch);
      const after = sut.records('game.server');

      const replay = await apply(batch);

      expect(replay.body).toEqual({ applied: 0, ignored: 2, missing: [] });
      expect(sut.records('game.server')).toEqual(after);
    });

    it('lists unknown and deleted servers as missing', async () => {
      await w.json2('game.server', 'unlink', { ids: [other] });

      const answer = await apply([
        online(other, '2026-10-01 12:00:00', 1),
        online(999_999, '2026-10-01 12:00:00', 1),
      ]);

      expect(answer.body).toEqual({ applied: 0, ignored: 0, missing: [other, 999_999] });
    });

    it('is atomic: one bad report and nothing is applied', async () => {
      const answer = await apply([
        online(server, '2026-10-01 12:00:00', 5),
        { ...online(other, '2026-10-01T12:00:00Z', 1) },
      ]);

      expect(answer).toMatchObject({
        status: 422,
        body: { name: 'odoo.exceptions.ValidationError' },
      });
      expect(record(server)).toMatchObject({ is_online: false, last_checked: false });
    });

    it('logs one call per batch with the number of reports, over both protocols', async () => {
      sut.clearCalls();

      await apply([
        online(server, '2026-10-01 12:00:00', 5),
        online(other, '2026-10-01 12:00:00', 5),
      ]);
      await w.executeKw('game.server', 'apply_status_reports', [], {
        reports: [online(server, '2026-10-01 12:05:00', 5)],
      });

      expect(sut.calls).toEqual([
        expect.objectContaining({
          protocol: 'json2',
          method: 'apply_status_reports',
          recordCount: 2,
          ok: true,
        }),
        expect.objectContaining({
          protocol: 'jsonrpc',
          method: 'apply_status_reports',
          recordCount: 1,
          ok: true,
        }),
      ]);
      expect(
        sut
          .appliedReports()
          .slice(-3)
          .map((r) => r['checked_at']),
      ).toEqual(['2026-10-01 12:00:00', '2026-10-01 12:00:00', '2026-10-01 12:05:00']);
    });
  });

  describe('controls', () => {
    it('fails the next calls as asked, then recovers', async () => {
      sut.failNext(1, 'http500');
      sut.failNext(1, 'access');
      sut.failNext(1, 'auth');

      const crash = await w.json2('game.server', 'search_count', { domain: [] });
      const access = await w.executeKw('game.server', 'search_count', [[]]);
      const auth = await w.json2('game.server', 'search_count', { domain: [] });
      const fine = await w.json2('game.server', 'search_count', { domain: [] });

      expect(crash).toMatchObject({
        status: 500,
        contentType: expect.stringContaining('text/html') as unknown,
      });
      expect(access.body).toMatchObject({
        error: { data: { name: 'odoo.exceptions.AccessError' } },
      });
      expect(auth).toMatchObject({
        status: 401,
        body: { name: 'werkzeug.exceptions.Unauthorized' },
      });
      expect(fine.status).toBe(200);
    });

    it('answers AccessDenied for a forced auth failure over JSON-RPC', async () => {
      sut.failNext(1, 'auth');

      const answer = await w.executeKw('game.server', 'search_count', [[]]);

      expect(answer.body).toMatchObject({
        error: { data: { name: 'odoo.exceptions.AccessDenied' } },
      });
    });

    it('refuses connections while down and listens on the same port when back', async () => {
      await sut.setDown(true);
      const refused = await fetch(`${url}/web/health`).catch((err: unknown) => err);
      await sut.setDown(false);
      const back = await fetch(`${url}/web/health`);

      expect((refused as Error & { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
      expect(back.status).toBe(200);
    });

    it('delays every answer by setDelay', async () => {
      sut.setDelay(80);
      const started = performance.now();
      await fetch(`${url}/web/health`);
      const elapsed = performance.now() - started;
      sut.setDelay(0);

      expect(elapsed).toBeGreaterThanOrEqual(75);
    });

    it('charges the cost model per call and per record, one call at a time per worker', async () => {
      sut.setCost({ perCallMs: 30, perRecordMs: 10 });
      const started = performance.now();
      await Promise.all([
        w.json2('game.server', 'create', { vals_list: [{ name: 'c1' }, { name: 'c2' }] }),
        w.json2('game.server', 'search_count', { domain: [] }),
      ]);
      const elapsed = performance.now() - started;
      sut.setCost({});

      // 30 + 2 x 10 for the create, then 30 for the count, queued behind it.
      expect(elapsed).toBeGreaterThanOrEqual(75);
    });
  });
});
