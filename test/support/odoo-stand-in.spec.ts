import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
        const answer = await wire(odoo17, url17).executeKw('res.country', '_search', [[]]);
        odoo17.defineModel('res.country');
        const privateCall = await wire(odoo17, url17).executeKw('res.country', '_search', [[]]);
        const version = await fetch(`${url17}/web/version`);
        const json2 = await wire(odoo17, url17).json2('res.country', 'search', { domain: [] });

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

  describe('databases', () => {
    it.each([17, 19] as const)(
      'answers an unknown database over JSON-RPC on %i with the error of opening it',
      async (serverVersion) => {
        const odoo = new OdooStandIn({ serverVersion });
        const odooUrl = await odoo.start();
        try {
          const login = await wire(odoo, odooUrl).rpc('common', 'authenticate', [
            'nope',
            odoo.login,
            odoo.apiKey,
            {},
          ]);
          const call = await post(`${odooUrl}/jsonrpc`, {
            jsonrpc: '2.0',
            method: 'call',
            id: 1,
            params: {
              service: 'object',
              method: 'execute_kw',
              args: ['nope', odoo.uid, odoo.apiKey, 'game.server', 'search', [[]]],
            },
          });

          for (const answer of [login, call]) {
            expect(answer.status).toBe(200);
            expect(answer.body).toMatchObject({
              error: {
                data: {
                  name: 'psycopg2.OperationalError',
                  message: expect.stringContaining(
                    'FATAL:  database "nope" does not exist',
                  ) as unknown,
                },
              },
            });
          }
        } finally {
          await odoo.stop();
        }
      },
    );

    it('lists its databases at /web/database/list and with db.list', async () => {
      const odoo = new OdooStandIn({ db: 'gamedb', otherDbs: ['zeta', 'alpha'] });
      const odooUrl = await odoo.start();
      try {
        const web = await post(`${odooUrl}/web/database/list`, {
          jsonrpc: '2.0',
          method: 'call',
          params: {},
        });
        const service = await wire(odoo, odooUrl).rpc('db', 'list', []);

        expect(result(web)).toEqual(['alpha', 'gamedb', 'zeta']);
        expect(result(service)).toEqual(['alpha', 'gamedb', 'zeta']);
      } finally {
        await odoo.stop();
      }
    });

    it('refuses to list them with AccessDenied when list_db is off', async () => {
      const odoo = new OdooStandIn({ listDb: false });
      const odooUrl = await odoo.start();
      try {
        const web = await post(`${odooUrl}/web/database/list`, {
          jsonrpc: '2.0',
          method: 'call',
          params: {},
        });
        const service = await wire(odoo, odooUrl).rpc('db', 'list', []);

        for (const answer of [web, service]) {
          expect(answer.body).toMatchObject({
            error: { data: { name: 'odoo.exceptions.AccessDenied' } },
          });
        }
      } finally {
        await odoo.stop();
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

    it('answers a database it does not serve with a bare HTML 404, before any key check', async () => {
      const answer = await w.json2(
        'game.server',
        'search',
        { domain: [] },
        { 'X-Odoo-Database': 'other', Authorization: 'bearer wrong' },
      );

      expect(answer.status).toBe(404);
      expect(answer.contentType).toMatch(/^text\/html/);
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

      expect(answer.body).toEqual({
        applied: 1,
        ignored: 0,
        missing: [],
        outages_opened: 0,
        outages_closed: 0,
      });
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

      expect(answer.body).toEqual({
        applied: 2,
        ignored: 1,
        missing: [],
        outages_opened: 0,
        outages_closed: 0,
      });
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

      expect(replay.body).toEqual({
        applied: 0,
        ignored: 2,
        missing: [],
        outages_opened: 0,
        outages_closed: 0,
      });
      expect(sut.records('game.server')).toEqual(after);
    });

    it('lists unknown and deleted servers as missing', async () => {
      await w.json2('game.server', 'unlink', { ids: [other] });

      const answer = await apply([
        online(other, '2026-10-01 12:00:00', 1),
        online(999_999, '2026-10-01 12:00:00', 1),
      ]);

      expect(answer.body).toEqual({
        applied: 0,
        ignored: 0,
        missing: [other, 999_999],
        outages_opened: 0,
        outages_closed: 0,
      });
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

describe('OdooStandIn as the addon game_server_status', () => {
  let clock = new Date('2026-10-01T12:00:00Z');
  let sut: OdooStandIn;
  let w: ReturnType<typeof wire>;
  let mc: number;
  let cs: number;

  beforeEach(async () => {
    clock = new Date('2026-10-01T12:00:00Z');
    sut = new OdooStandIn({ now: () => clock });
    w = wire(sut, await sut.start());
    [mc, cs] = sut.seed('game.server', [
      { name: 'mc', game: 'minecraft', host: 'mc.example', port: 25565 },
      { name: 'cs', game: 'csgo', host: 'cs.example', port: 27015 },
    ]) as [number, number];
  });

  afterEach(async () => {
    await sut.stop();
  });

  const apply = async (reports: unknown[]) =>
    (await w.json2('game.server', 'apply_status_reports', { reports })).body as Record<
      string,
      unknown
    >;
  const up = (id: number, checkedAt: string, players: number, latency = 20) => ({
    server_id: id,
    checked_at: checkedAt,
    online: true,
    players_online: players,
    latency_ms: latency,
  });
  const down = (id: number, checkedAt: string, code = 'timeout') => ({
    server_id: id,
    checked_at: checkedAt,
    online: false,
    error_code: code,
    error_message: 'no answer',
  });
  const stats = (id: number) =>
    sut.records('game.server.stat').filter((s) => s['server_id'] === id);
  const server = (id: number) => sut.records('game.server').find((s) => s.id === id);

  describe('stat buckets', () => {
    it('adds each applied report to the bucket holding its check time, with exact sums', async () => {
      await apply([
        up(mc, '2026-10-01 11:00:05', 4, 10),
        up(mc, '2026-10-01 11:05:00', 8, 30),
        down(mc, '2026-10-01 11:10:00'),
      ]);

      expect(stats(mc)).toEqual([
        expect.objectContaining({
          game: 'minecraft',
          bucket_start: '2026-10-01 11:00:00',
          bucket_minutes: 15,
          polls: 3,
          polls_online: 2,
          players_sum: 12,
          players_peak: 8,
          latency_sum: 40,
          players_avg: 6,
          latency_avg: 20,
          uptime_pct: (100 * 2) / 3,
        }),
      ]);
    });

    it('starts a new row at each bucket boundary counted from the epoch', async () => {
      await apply([up(mc, '2026-10-01 11:14:59', 1), up(mc, '2026-10-01 11:15:00', 2)]);

      expect(stats(mc).map((s) => [s['bucket_start'], s['polls']])).toEqual([
        ['2026-10-01 11:00:00', 1],
        ['2026-10-01 11:15:00', 1],
      ]);
    });

    it('counts nothing for a replayed batch nor for a report older than the last applied', async () => {
      const batch = [up(mc, '2026-10-01 11:01:00', 3), up(cs, '2026-10-01 11:01:00', 5)];
      await apply(batch);
      const before = sut.records('game.server.stat');

      const replay = await apply(batch);
      const late = await apply([down(mc, '2026-10-01 11:00:30')]);

      expect(replay).toMatchObject({ applied: 0, ignored: 2 });
      expect(late).toMatchObject({ applied: 0, ignored: 1 });
      expect(sut.records('game.server.stat')).toEqual(before);
    });

    it('uses the bucket size set in ir.config_parameter', async () => {
      sut.setParam('game_server_status.bucket_minutes', 60);

      await apply([up(mc, '2026-10-01 11:59:00', 1), up(mc, '2026-10-01 11:01:00', 1)]);

      expect(stats(mc)).toEqual([
        expect.objectContaining({
          bucket_start: '2026-10-01 11:00:00',
          bucket_minutes: 60,
          polls: 2,
        }),
      ]);
    });

    it('refuses a second row for the same server and bucket start', async () => {
      await apply([up(mc, '2026-10-01 11:00:00', 1)]);

      const answer = await w.json2('game.server.stat', 'create', {
        vals_list: [{ server_id: mc, bucket_start: '2026-10-01 11:00:00', bucket_minutes: 15 }],
      });

      expect(answer).toMatchObject({
        status: 422,
        body: { name: 'odoo.exceptions.ValidationError' },
      });
    });
  });

  describe('outages', () => {
    it('opens an outage at the third consecutive failure, from the first one, and closes it when the server answers', async () => {
      const opening = await apply([
        up(mc, '2026-10-01 11:00:00', 1),
        down(mc, '2026-10-01 11:01:00', 'refused'),
        down(mc, '2026-10-01 11:02:00'),
      ]);
      const failing = server(mc);
      const opened = await apply([down(mc, '2026-10-01 11:03:00')]);
      const open = server(mc);
      const closed = await apply([up(mc, '2026-10-01 11:04:30', 2)]);

      expect(opening).toMatchObject({ outages_opened: 0, outages_closed: 0 });
      expect(failing).toMatchObject({
        failing_since: '2026-10-01 11:01:00',
        open_outage_id: false,
      });
      expect(opened).toMatchObject({ outages_opened: 1, outages_closed: 0 });
      expect(open?.['open_outage_id']).toBeTypeOf('number');
      expect(closed).toMatchObject({ outages_opened: 0, outages_closed: 1 });
      expect(server(mc)).toMatchObject({ failing_since: false, open_outage_id: false });
      expect(sut.records('game.server.outage')).toEqual([
        expect.objectContaining({
          server_id: mc,
          game: 'minecraft',
          start: '2026-10-01 11:01:00',
          end: '2026-10-01 11:04:30',
          duration_s: 210,
          reason: 'timeout: no answer',
          state: 'closed',
        }),
      ]);
    });

    it('opens nothing for a run shorter than the threshold set in ir.config_parameter', async () => {
      sut.setParam('game_server_status.outage_threshold', 5);

      const result = await apply([
        down(mc, '2026-10-01 11:01:00'),
        down(mc, '2026-10-01 11:02:00'),
        down(mc, '2026-10-01 11:03:00'),
        down(mc, '2026-10-01 11:04:00'),
        up(mc, '2026-10-01 11:05:00', 1),
      ]);

      expect(result).toMatchObject({ outages_opened: 0, outages_closed: 0 });
      expect(sut.records('game.server.outage')).toEqual([]);
    });

    it('keeps an outage open, state open and duration 0, while the server stays down', async () => {
      await apply([1, 2, 3, 4].map((m) => down(cs, `2026-10-01 11:0${m}:00`)));

      expect(sut.records('game.server.outage')).toEqual([
        expect.objectContaining({ server_id: cs, end: false, duration_s: 0, state: 'open' }),
      ]);
    });
  });

  describe('deletions and relations', () => {
    it('logs every deleted server in game.server.deletion and deletes its stats and outages', async () => {
      await apply([1, 2, 3].map((m) => down(mc, `2026-10-01 11:0${m}:00`)));
      clock = new Date('2026-10-01T12:30:00Z');

      await w.json2('game.server', 'unlink', { ids: [mc] });

      expect(sut.records('game.server.deletion')).toEqual([
        expect.objectContaining({ server_ref: mc, deleted_at: '2026-10-01 12:30:00' }),
      ]);
      expect(sut.records('game.server.stat').map((s) => s['server_id'])).not.toContain(mc);
      expect(sut.records('game.server.outage')).toEqual([]);
    });

    it('reads a many2one as [id, name]', async () => {
      await apply([up(mc, '2026-10-01 11:00:00', 1)]);

      const answer = await w.json2('game.server.stat', 'search_read', {
        domain: [['server_id', '=', mc]],
        fields: ['server_id', 'polls'],
      });

      expect(answer.body).toEqual([
        { id: expect.any(Number) as unknown, server_id: [mc, 'mc'], polls: 1 },
      ]);
    });

    it('describes a many2one’s target and refuses to search a field Odoo does not store', async () => {
      const fields = await w.json2('game.server', 'fields_get', {
        allfields: ['open_outage_id', 'uptime_24h'],
        attributes: ['type', 'relation', 'store'],
      });
      const search = await w.json2('game.server', 'search', { domain: [['uptime_24h', '>', 50]] });

      expect(fields.body).toEqual({
        open_outage_id: { type: 'many2one', relation: 'game.server.outage', store: true },
        uptime_24h: { type: 'float', store: false },
      });
      expect(search).toMatchObject({ status: 500, body: { name: 'builtins.ValueError' } });
    });

    it('follows a server’s game into its stored related fields', async () => {
      await apply([up(mc, '2026-10-01 11:00:00', 1)]);

      await w.json2('game.server', 'write', { ids: [mc], vals: { game: 'minecraft-java' } });

      expect(stats(mc)[0]?.['game']).toBe('minecraft-java');
    });
  });

  describe('figures on game.server', () => {
    it('computes peak players over 24 h and uptime over 24 h, 7 and 30 days from the buckets', async () => {
      sut.seed('game.server.stat', [
        {
          server_id: mc,
          bucket_start: '2026-10-01 10:00:00',
          bucket_minutes: 15,
          polls: 10,
          polls_online: 9,
          players_peak: 7,
        },
        {
          server_id: mc,
          bucket_start: '2026-09-28 10:00:00',
          bucket_minutes: 15,
          polls: 10,
          polls_online: 1,
          players_peak: 50,
        },
        {
          server_id: mc,
          bucket_start: '2026-09-10 00:00:00',
          bucket_minutes: 1440,
          polls: 20,
          polls_online: 0,
          players_peak: 90,
        },
        {
          server_id: mc,
          bucket_start: '2026-08-01 00:00:00',
          bucket_minutes: 1440,
          polls: 99,
          polls_online: 99,
          players_peak: 99,
        },
      ]);

      const answer = await w.json2('game.server', 'read', {
        ids: [mc, cs],
        fields: ['peak_players_24h', 'uptime_24h', 'uptime_7d', 'uptime_30d'],
      });

      expect(answer.body).toEqual([
        { id: mc, peak_players_24h: 7, uptime_24h: 90, uptime_7d: 50, uptime_30d: 25 },
        { id: cs, peak_players_24h: 0, uptime_24h: 0, uptime_7d: 0, uptime_30d: 0 },
      ]);
    });

    it('computes the players and uptime figures of a seeded stat row', () => {
      sut.seed('game.server.stat', [
        {
          server_id: cs,
          bucket_start: '2026-10-01 10:00:00',
          polls: 4,
          polls_online: 2,
          players_sum: 9,
          latency_sum: 31,
        },
      ]);

      expect(stats(cs)[0]).toMatchObject({
        game: 'csgo',
        players_avg: 4.5,
        latency_avg: 15.5,
        uptime_pct: 50,
      });
    });
  });

  describe('ir.config_parameter', () => {
    it('gets and sets parameters over RPC, a default standing in for an unset one', async () => {
      const unset = await w.executeKw('ir.config_parameter', 'get_param', [
        'game_server_status.outage_threshold',
        '3',
      ]);
      await w.json2('ir.config_parameter', 'set_param', {
        key: 'game_server_status.outage_threshold',
        value: '4',
      });
      const set = await w.json2('ir.config_parameter', 'get_param', {
        key: 'game_server_status.outage_threshold',
      });

      expect(result(unset)).toBe('3');
      expect(set.body).toBe('4');
      expect(sut.param('game_server_status.outage_threshold')).toBe('4');
    });
  });

  describe('read_group and formatted_read_group', () => {
    beforeEach(async () => {
      clock = new Date('2026-10-02T12:00:00Z');
      await apply([
        up(mc, '2026-10-01 10:10:00', 4),
        up(mc, '2026-10-01 10:20:00', 6),
        up(mc, '2026-10-02 09:00:00', 1),
        up(cs, '2026-10-01 10:10:00', 10),
        down(cs, '2026-10-01 10:20:00'),
      ]);
    });

    it('answers formatted_read_group on 19: groupby specs, aggregate specs and __extra_domain', async () => {
      const answer = await w.json2('game.server.stat', 'formatted_read_group', {
        domain: [],
        groupby: ['server_id', 'bucket_start:day'],
        aggregates: ['polls:sum', 'players_peak:max', '__count'],
      });

      expect(answer.body).toEqual([
        {
          server_id: [mc, 'mc'],
          'bucket_start:day': ['2026-10-01 00:00:00', '01 Oct 2026'],
          'polls:sum': 2,
          'players_peak:max': 6,
          __count: 2,
          __extra_domain: [
            '&',
            ['server_id', '=', mc],
            '&',
            ['bucket_start', '>=', '2026-10-01 00:00:00'],
            ['bucket_start', '<', '2026-10-02 00:00:00'],
          ],
        },
        expect.objectContaining({ server_id: [mc, 'mc'], 'polls:sum': 1, __count: 1 }),
        expect.objectContaining({ server_id: [cs, 'cs'], 'polls:sum': 2, 'players_peak:max': 10 }),
      ]);
    });

    it('answers read_group as 17 and 18 do: labels, __range, field-named aggregates and __count', async () => {
      const answer = await w.executeKw(
        'game.server.stat',
        'read_group',
        [[['server_id', '=', mc]], ['total:sum(polls)', 'players_peak:max'], ['bucket_start:day']],
        { lazy: false },
      );

      expect(result(answer)).toEqual([
        {
          'bucket_start:day': '01 Oct 2026',
          __range: {
            'bucket_start:day': { from: '2026-10-01 00:00:00', to: '2026-10-02 00:00:00' },
          },
          total: 2,
          players_peak: 6,
          __count: 2,
          __domain: [
            '&',
            ['server_id', '=', mc],
            '&',
            ['bucket_start', '>=', '2026-10-01 00:00:00'],
            ['bucket_start', '<', '2026-10-02 00:00:00'],
          ],
        },
        expect.objectContaining({ 'bucket_start:day': '02 Oct 2026', total: 1, __count: 1 }),
      ]);
    });

    it('counts per first groupby as <field>_count when lazy', async () => {
      const answer = await w.executeKw('game.server.stat', 'read_group', [
        [],
        ['polls'],
        ['game', 'server_id'],
      ]);

      expect(result(answer)).toEqual([
        expect.objectContaining({
          game: 'csgo',
          game_count: 2,
          polls: 2,
          __context: { group_by: ['server_id'] },
        }),
        expect.objectContaining({ game: 'minecraft', game_count: 3, polls: 3 }),
      ]);
    });

    it('has no formatted_read_group when imitating Odoo 17', async () => {
      const old = new OdooStandIn({ serverVersion: 17 });
      const oldWire = wire(old, await old.start());

      const answer = await oldWire.executeKw('game.server.stat', 'formatted_read_group', [], {
        domain: [],
      });
      await old.stop();

      expect(answer.body).toMatchObject({ error: { data: { name: 'builtins.AttributeError' } } });
    });
  });

  describe('apply_status_reports checks', () => {
    it('refuses a report checked more than 10 minutes after its clock, applying nothing', async () => {
      const answer = await w.json2('game.server', 'apply_status_reports', {
        reports: [up(mc, '2026-10-01 11:59:00', 1), up(cs, '2026-10-01 12:10:01', 1)],
      });

      expect(answer).toMatchObject({
        status: 422,
        body: { name: 'odoo.exceptions.ValidationError' },
      });
      expect(sut.records('game.server.stat')).toEqual([]);
    });
  });

  describe('onCommit', () => {
    it('runs between the commit and the answer, and can hang up so the client never hears', async () => {
      const seen: string[] = [];
      sut.onCommit((call, answer) => {
        seen.push(call.method);
        if (call.method === 'apply_status_reports') answer.hangUp();
      });

      const hungUp = await w
        .json2('game.server', 'apply_status_reports', {
          reports: [up(mc, '2026-10-01 11:00:00', 3)],
        })
        .catch((err: unknown) => err);
      sut.onCommit(undefined);

      expect(hungUp).toBeInstanceOf(Error);
      expect(seen).toEqual(['apply_status_reports']);
      expect(server(mc)).toMatchObject({ is_online: true, players_online: 3 });
    });
  });

  describe('many2many', () => {
    it('sets a many2many by list or by command, reads ids, searches by membership, forgets deleted ids', async () => {
      const odoo = new OdooStandIn();
      const url = await odoo.start();
      try {
        const [eu, us] = odoo.seed('game.server.tag', [{ name: 'EU' }, { name: 'US' }]);
        const [a, b] = odoo.seed('game.server', [
          { name: 'A', game: 'minecraft', host: 'a.test', port: 1, tag_ids: [eu] },
          { name: 'B', game: 'minecraft', host: 'b.test', port: 2 },
        ]);
        const call = wire(odoo, url);
        await call.json2('game.server', 'write', {
          ids: [b],
          vals: { tag_ids: [[6, 0, [us, eu]]] },
        });
        const read = await call.json2('game.server', 'read', { ids: [a, b], fields: ['tag_ids'] });
        const inUs = await call.json2('game.server', 'search', {
          domain: [['tag_ids', 'in', [us]]],
        });
        const refused = await call.json2('game.server', 'write', {
          ids: [a],
          vals: { tag_ids: [[4, us]] },
        });
        await call.json2('game.server.tag', 'unlink', { ids: [eu] });
        const after = await call.json2('game.server', 'read', { ids: [a, b], fields: ['tag_ids'] });

        expect(read.body).toEqual([
          { id: a, tag_ids: [eu] },
          { id: b, tag_ids: [us, eu] },
        ]);
        expect(inUs.body).toEqual([b]);
        // Commands that need the current set are not mirrored: said, never guessed.
        expect(refused.status).toBe(500);
        expect(JSON.stringify(refused.body)).toContain('is not mirrored');
        expect(after.body).toEqual([
          { id: a, tag_ids: [] },
          { id: b, tag_ids: [us] },
        ]);
      } finally {
        await odoo.stop();
      }
    });
  });
});
