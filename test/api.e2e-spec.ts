import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView } from '#common';
import { createApi } from '../apps/api/src/api.app.js';
import { type ApiHarness, newApiKey, startApi } from './support/api-harness.js';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  fields: { field: string; errors: string[] }[];
  requestId: string | null;
  details?: Record<string, unknown>;
}

/** Checks the one error shape, and that the request id matches the header. */
async function errorOf(res: Response, status: number): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  const body = (await res.json()) as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(
    [
      'error',
      'fields',
      'message',
      'requestId',
      'statusCode',
      ...(body.details ? ['details'] : []),
    ].sort(),
  );
  expect(body.statusCode).toBe(status);
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  expect(body.requestId).toMatch(/^[\w.-]+$/);
  return body;
}

const fieldsOf = (body: ErrorBody) => body.fields.map((f) => f.field).sort();

const jsonBody = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * The API over real HTTP, real Redis and the Odoo stand-in: auth and roles, the servers
 * routes, the one error shape, the docs, the status page files and Bull Board's protection.
 */
describe('API', () => {
  let sut: ApiHarness;

  beforeAll(async () => {
    sut = await startApi({ name: 'api' });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const createServer = async (body: Record<string, unknown>): Promise<ServerView> => {
    const res = await sut.request('/servers', jsonBody(body));
    expect(res.status).toBe(201);
    return (await res.json()) as ServerView;
  };

  describe('auth', () => {
    it('answers 401 without a key, with the error shape and a Bearer challenge', async () => {
      const res = await sut.request('/servers', { as: null });

      const body = await errorOf(res, 401);
      expect(body.message).toContain('API key');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers 401 to a wrong key, in either header', async () => {
      const wrong = newApiKey();

      await errorOf(
        await sut.request('/servers', { as: null, headers: { 'X-API-Key': wrong } }),
        401,
      );
      await errorOf(
        await sut.request('/servers', { as: null, headers: { Authorization: `Bearer ${wrong}` } }),
        401,
      );
    });

    it('takes the key as X-API-Key or as a Bearer token, and says whose it is', async () => {
      const viaHeader = await sut.request('/me', { as: 'viewer' });
      const viaBearer = await sut.request('/me', {
        as: null,
        headers: { Authorization: `Bearer ${sut.keys.admin}` },
      });

      expect(await viaHeader.json()).toEqual({ name: 'dashboard', role: 'viewer' });
      expect(await viaBearer.json()).toEqual({ name: 'ops', role: 'admin' });
    });

    it('lets a viewer read every resource', async () => {
      for (const path of ['/servers', '/games', '/stats', '/me']) {
        expect((await sut.request(path, { as: 'viewer' })).status, path).toBe(200);
      }
    });

    it('answers 403 to a viewer that creates, changes, deletes or polls', async () => {
      const server = await createServer({
        name: 'Guarded',
        game: 'minecraft',
        host: 'guarded.test',
        port: 25565,
      });
      const attempts: [string, RequestInit][] = [
        ['/servers', jsonBody({ name: 'x', game: 'minecraft', host: 'h', port: 1 })],
        [`/servers/${server.id}`, jsonBody({ name: 'renamed' }, 'PATCH')],
        [`/servers/${server.id}`, { method: 'DELETE' }],
        [`/servers/${server.id}/poll`, { method: 'POST' }],
      ];

      for (const [path, init] of attempts) {
        const body = await errorOf(await sut.request(path, { ...init, as: 'viewer' }), 403);
        expect(body.message).toContain("'dashboard' is a viewer key");
      }
      const unchanged = (await (await sut.request(`/servers/${server.id}`)).json()) as ServerView;
      expect(unchanged.name).toBe('Guarded');
    });

    it('needs no key for health, metrics, docs and the status page', async () => {
      for (const path of [
        '/health/live',
        '/metrics',
        '/docs/openapi.json',
        '/status',
        '/status/status.css',
      ]) {
        expect((await sut.request(path, { as: null })).status, path).toBe(200);
      }
    });

    it('refuses to start without API_KEYS, with a bad entry or a key given twice, never echoing a key', async () => {
      const key = newApiKey();
      const base = { ...sut.env };
      delete base['API_KEYS'];

      await expect(createApi(base)).rejects.toThrow(/API_KEYS: not set/);
      await expect(createApi({ ...base, API_KEYS: `ops:root:${key}` })).rejects.toThrow(/API_KEYS/);
      await expect(createApi({ ...base, API_KEYS: 'ops:admin:short' })).rejects.toThrow(/API_KEYS/);
      const twice = createApi({ ...base, API_KEYS: `a:admin:${key}\nb:viewer:${key}` });
      await expect(twice).rejects.toThrow("API_KEYS: 'b' repeats the key of another entry");
      await expect(
        createApi({ ...base, API_KEYS: `a:admin:${key}` + ',a:viewer:' + newApiKey() }),
      ).rejects.toThrow("API_KEYS: the name 'a' is given twice");
      await twice.catch((err: Error) => expect(err.message).not.toContain(key));
    });
  });

  describe('servers', () => {
    it('creates a server, answering 201 with it and its empty status', async () => {
      const created = await createServer({
        name: 'Survival',
        game: 'minecraft',
        host: 'mc.example.test',
        port: 25565,
        queryPort: 25575,
        pollIntervalS: 30,
        notes: 'EU',
      });

      expect(created).toMatchObject({
        name: 'Survival',
        game: 'minecraft',
        host: 'mc.example.test',
        port: 25565,
        queryPort: 25575,
        pollIntervalS: 30,
        notes: 'EU',
        active: true,
        status: { online: false, lastChecked: null, playerNames: [] },
      });
      expect(sut.odoo.records('game.server').find((r) => r.id === created.id)).toMatchObject({
        name: 'Survival',
        query_port: 25575,
        poll_interval: 30,
      });
    });

    it('gets one server, and answers 404 for an unknown id', async () => {
      const created = await createServer({
        name: 'One',
        game: 'minecraft',
        host: 'one.test',
        port: 25565,
      });

      const res = await sut.request(`/servers/${created.id}`, { as: 'viewer' });
      expect(await res.json()).toEqual(created);
      const missing = await errorOf(await sut.request('/servers/999999'), 404);
      expect(missing.message).toBe('Server 999999 does not exist');
    });

    it('changes only the fields sent, and clears optional ones with null', async () => {
      const created = await createServer({
        name: 'Patch me',
        game: 'minecraft',
        host: 'patch.test',
        port: 25565,
        queryPort: 25566,
        notes: 'old',
      });

      const res = await sut.request(
        `/servers/${created.id}`,
        jsonBody(
          { name: 'Patched', port: 25570, queryPort: null, notes: null, pollIntervalS: 120 },
          'PATCH',
        ),
      );

      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        id: created.id,
        name: 'Patched',
        host: 'patch.test',
        port: 25570,
        queryPort: null,
        notes: null,
        pollIntervalS: 120,
      });
    });

    it('archives a server with active=false: hidden from the list, still readable, listed with active=false', async () => {
      const created = await createServer({
        name: 'Archive me',
        game: 'minecraft',
        host: 'arch.test',
        port: 25565,
      });

      const patched = await sut.request(
        `/servers/${created.id}`,
        jsonBody({ active: false }, 'PATCH'),
      );
      const active = (await (await sut.request('/servers?limit=500')).json()) as {
        items: ServerView[];
      };
      const archived = (await (await sut.request('/servers?active=false')).json()) as {
        items: ServerView[];
      };

      expect(((await patched.json()) as ServerView).active).toBe(false);
      expect(active.items.map((s) => s.id)).not.toContain(created.id);
      expect(archived.items.map((s) => s.id)).toContain(created.id);
      expect((await sut.request(`/servers/${created.id}`)).status).toBe(200);
    });

    it("keeps a server's customer and tags: created, listed by either, changed, cleared", async () => {
      const [guild] = sut.odoo.seed('res.partner', [{ name: 'Pixel Guild' }]);
      const created = await createServer({
        name: 'Rented',
        game: 'minecraft',
        host: 'rented.test',
        port: 25565,
        customerId: guild,
        tags: ['EU', ' premium ', 'EU'],
      });
      expect(created).toMatchObject({
        customer: { id: guild, name: 'Pixel Guild' },
        tags: ['EU', 'premium'],
      });
      const other = await createServer({
        name: 'Plain',
        game: 'minecraft',
        host: 'p.test',
        port: 1,
      });
      expect(other).toMatchObject({ customer: null, tags: [] });
      expect(
        sut.odoo
          .records('game.server.tag')
          .map((t) => t.name)
          .sort(),
      ).toEqual(['EU', 'premium']);

      const byCustomer = (await (await sut.request(`/servers?customer=${guild}`)).json()) as {
        items: ServerView[];
      };
      const byTag = (await (await sut.request('/servers?tag=premium')).json()) as {
        items: ServerView[];
        total: number;
      };
      const byUnknownTag = (await (await sut.request('/servers?tag=nope')).json()) as {
        total: number;
      };
      expect(byCustomer.items.map((s) => s.id)).toEqual([created.id]);
      expect(byTag.items.map((s) => s.id)).toEqual([created.id]);
      expect(byUnknownTag.total).toBe(0);

      const patched = await sut.request(
        `/servers/${created.id}`,
        jsonBody({ customerId: null, tags: ['US'] }, 'PATCH'),
      );
      expect(await patched.json()).toMatchObject({ customer: null, tags: ['US'] });
      const untagged = await sut.request(`/servers/${created.id}`, jsonBody({ tags: [] }, 'PATCH'));
      expect(await untagged.json()).toMatchObject({ tags: [] });
    });

    it('refuses a customer Odoo does not have, or bad tags, naming the field and writing nothing', async () => {
      const before = sut.odoo.records('game.server').length;
      const unknown = await errorOf(
        await sut.request(
          '/servers',
          jsonBody({ name: 'X', game: 'minecraft', host: 'x.test', port: 1, customerId: 987654 }),
        ),
        400,
      );
      expect(unknown.fields).toEqual([
        { field: 'customerId', errors: ['customerId 987654 is not a contact in Odoo'] },
      ]);
      const badTags = await errorOf(
        await sut.request(
          '/servers',
          jsonBody({
            name: 'X',
            game: 'minecraft',
            host: 'x.test',
            port: 1,
            tags: ['', 'x'.repeat(65)],
          }),
        ),
        400,
      );
      expect(fieldsOf(badTags)).toEqual(['tags']);
      expect(sut.odoo.records('game.server').length).toBe(before);
      const server = await createServer({ name: 'Y', game: 'minecraft', host: 'y.test', port: 1 });
      await errorOf(
        await sut.request(`/servers/${server.id}`, jsonBody({ customerId: 987654 }, 'PATCH')),
        400,
      );
    });

    it('answers 404 to changing or deleting a server that does not exist', async () => {
      await errorOf(await sut.request('/servers/999998', jsonBody({ name: 'x' }, 'PATCH')), 404);
      await errorOf(await sut.request('/servers/999998', { method: 'DELETE' }), 404);
    });

    it('deletes a server: 204, then 404', async () => {
      const created = await createServer({
        name: 'Delete me',
        game: 'minecraft',
        host: 'del.test',
        port: 25565,
      });

      const res = await sut.request(`/servers/${created.id}`, { method: 'DELETE' });

      expect(res.status).toBe(204);
      expect(sut.odoo.records('game.server').some((r) => r.id === created.id)).toBe(false);
      await errorOf(await sut.request(`/servers/${created.id}`), 404);
    });
  });

  describe('listing', () => {
    let ids: number[];

    beforeAll(() => {
      // Servers with live fields as the writer leaves them.
      ids = sut.odoo.seed('game.server', [
        {
          name: 'Zeta',
          game: 'minecraft',
          host: 'z.list.test',
          port: 1,
          is_online: true,
          players_online: 5,
        },
        { name: 'Alpha', game: 'minecraft', host: 'a.list.test', port: 2, is_online: false },
        {
          name: 'Beta',
          game: 'csgo',
          host: 'b.list.test',
          port: 3,
          is_online: true,
          players_online: 30,
        },
        {
          name: 'Gamma',
          game: 'csgo',
          host: 'g.list.test',
          port: 4,
          is_online: true,
          players_online: 12,
        },
      ]);
    });

    const list = async (query: string) => {
      const res = await sut.request(`/servers?${query}`, { as: 'viewer' });
      expect(res.status).toBe(200);
      return (await res.json()) as { items: ServerView[]; total: number };
    };
    const names = (page: { items: ServerView[] }) => page.items.map((s) => s.name);

    it('filters by text in name, host or game, any case', async () => {
      expect(names(await list('q=LIST.test&sort=name'))).toEqual([
        'Alpha',
        'Beta',
        'Gamma',
        'Zeta',
      ]);
      expect(names(await list('q=gam'))).toEqual(['Gamma']);
      expect(names(await list('q=csgo&sort=name'))).toEqual(['Beta', 'Gamma']);
    });

    it('filters by game and by online, and counts the matches on every page', async () => {
      const page = await list('q=list.test&game=csgo&online=true&limit=1');

      expect(page.total).toBe(2);
      expect(page.items).toHaveLength(1);
      expect(names(await list('q=list.test&online=false'))).toEqual(['Alpha']);
    });

    it('sorts by any key, descending with a leading minus', async () => {
      expect(names(await list('q=list.test&online=true&sort=-players'))).toEqual([
        'Beta',
        'Gamma',
        'Zeta',
      ]);
      expect(names(await list('q=list.test&online=true&sort=players'))).toEqual([
        'Zeta',
        'Gamma',
        'Beta',
      ]);
      expect((await list('q=list.test&sort=-id')).items.map((s) => s.id)).toEqual(
        [...ids].reverse(),
      );
    });

    it('pages with limit and offset without overlap', async () => {
      const first = await list('q=list.test&sort=name&limit=2&offset=0');
      const second = await list('q=list.test&sort=name&limit=2&offset=2');

      expect([...names(first), ...names(second)]).toEqual(['Alpha', 'Beta', 'Gamma', 'Zeta']);
      expect(first.total).toBe(4);
    });
  });

  describe('error shape', () => {
    it('names every bad field of a creation, unknown ones included, and stores nothing', async () => {
      const before = sut.odoo.records('game.server').length;

      const body = await errorOf(
        await sut.request(
          '/servers',
          jsonBody({
            name: '',
            game: 'pong',
            host: 'bad host!',
            port: 70_000,
            queryPort: 0,
            pollIntervalS: 1,
            extra: 1,
          }),
        ),
        400,
      );

      expect(fieldsOf(body)).toEqual([
        'extra',
        'game',
        'host',
        'name',
        'pollIntervalS',
        'port',
        'queryPort',
      ]);
      expect(body.message).toMatch(/^7 fields are invalid: /);
      expect(body.fields.find((f) => f.field === 'port')?.errors).toEqual([
        'port must not be greater than 65535',
      ]);
      expect(sut.odoo.records('game.server')).toHaveLength(before);
    });

    it('names the missing required fields', async () => {
      const body = await errorOf(await sut.request('/servers', jsonBody({})), 400);

      expect(fieldsOf(body)).toEqual(['game', 'host', 'name', 'port']);
    });

    it('refuses null for a required field in a change, and unknown fields', async () => {
      const created = await createServer({
        name: 'Strict',
        game: 'minecraft',
        host: 'strict.test',
        port: 25565,
      });

      const body = await errorOf(
        await sut.request(
          `/servers/${created.id}`,
          jsonBody({ name: null, port: 'x', active: 'no', owner: 'me' }, 'PATCH'),
        ),
        400,
      );

      expect(fieldsOf(body)).toEqual(['active', 'name', 'owner', 'port']);
    });

    it('names bad query parameters and path parameters', async () => {
      const list = await errorOf(
        await sut.request('/servers?limit=0&offset=-1&online=maybe&sort=size&page=2'),
        400,
      );
      const id = await errorOf(await sut.request('/servers/abc'), 400);

      expect(fieldsOf(list)).toEqual(['limit', 'offset', 'online', 'page', 'sort']);
      expect(list.fields.find((f) => f.field === 'online')?.errors).toEqual([
        'online must be true or false',
      ]);
      expect(fieldsOf(id)).toEqual(['id']);
    });

    it('answers a body that is not JSON with 400 in the same shape', async () => {
      const res = await sut.request('/servers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      });

      const body = await errorOf(res, 400);
      expect(body.fields).toEqual([]);
    });

    it('answers an unknown route with 404 in the same shape', async () => {
      const body = await errorOf(await sut.request('/no/such/route'), 404);

      expect(body.message).toBe('Cannot GET /no/such/route');
    });

    it("keeps a caller's request id, and makes one up for a strange one", async () => {
      const kept = await sut.request('/servers/999997', {
        headers: { 'X-Request-Id': 'trace-42.a_b' },
      });
      const replaced = await sut.request('/servers/999997', {
        headers: { 'X-Request-Id': 'a b<script>' },
      });

      expect((await errorOf(kept, 404)).requestId).toBe('trace-42.a_b');
      expect((await errorOf(replaced, 404)).requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers 503 while Odoo is down and 502 when Odoo refuses our own key', async () => {
      await sut.odoo.setDown(true);
      try {
        const down = await errorOf(await sut.request('/servers'), 503);
        expect(down.message).toBe('Odoo is unavailable; retry later');
      } finally {
        await sut.odoo.setDown(false);
      }
      sut.odoo.failNext(1, 'access');
      const refused = await errorOf(await sut.request('/servers?limit=1'), 502);
      expect(refused.message).toBe('Odoo answered with an error (access)');
    });
  });

  describe('games', () => {
    it('lists every supported game with its provider and default port', async () => {
      const res = await sut.request('/games', { as: 'viewer' });
      const games = (await res.json()) as {
        id: string;
        provider: string;
        aliases: string[];
        defaultPort: number | null;
      }[];

      expect(games).toContainEqual(
        expect.objectContaining({ id: 'minecraft', provider: 'minecraft', defaultPort: 25565 }),
      );
      // Current ids only, each with GameDig's former ids of it.
      expect(games).toContainEqual(expect.objectContaining({ id: 'ase', aliases: ['arkse'] }));
      expect(games.some((g) => g.id === 'arkse')).toBe(false);
      expect(games.map((g) => g.id)).toEqual([...games.map((g) => g.id)].sort());
    });
  });

  describe('docs', () => {
    it('serves an OpenAPI document generated from the code, with the key scheme and the DTOs', async () => {
      const doc = (await (await sut.request('/docs/openapi.json', { as: null })).json()) as {
        paths: Record<string, Record<string, unknown>>;
        components: {
          schemas: Record<string, { properties?: Record<string, unknown> }>;
          securitySchemes: object;
        };
      };

      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/games',
          '/health/live',
          '/health/ready',
          '/me',
          '/servers',
          '/servers/{id}',
          '/servers/{id}/history',
          '/servers/{id}/poll',
          '/stats',
        ].sort(),
      );
      expect(Object.keys(doc.paths['/servers/{id}'] ?? {}).sort()).toEqual([
        'delete',
        'get',
        'patch',
      ]);
      expect(doc.components.securitySchemes).toEqual({
        'api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      });
      for (const schema of [
        'CreateServerDto',
        'UpdateServerDto',
        'ServerDto',
        'ApiErrorDto',
        'HistoryDto',
        'StatsDto',
      ]) {
        expect(doc.components.schemas[schema], schema).toBeDefined();
      }
      expect(
        Object.keys(doc.components.schemas['CreateServerDto']?.properties ?? {}).sort(),
      ).toEqual([
        'customerId',
        'game',
        'host',
        'name',
        'notes',
        'pollIntervalS',
        'port',
        'published',
        'queryPort',
        'showAddress',
        'tags',
      ]);
    });

    it('serves the browsable docs at /docs', async () => {
      const res = await sut.request('/docs', { as: null });

      expect(res.status).toBe(200);
      expect(await res.text()).toContain('swagger-ui');
    });
  });

  describe('status page files', () => {
    it('redirects / to the page, served with a script policy that allows only its own script', async () => {
      const root = await sut.request('/', { as: null, redirect: 'manual' });
      const page = await sut.request('/status', { as: null });

      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/status');
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toMatch(
        /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/,
      );
      expect(await page.text()).toContain('<title>Game servers</title>');
    });

    it('serves only the listed files, with their types', async () => {
      const css = await sut.request('/status/status.css', { as: null });

      expect(css.headers.get('content-type')).toContain('text/css');
      await errorOf(await sut.request('/status/index.html', { as: null }), 404);
      await errorOf(await sut.request('/status/..%2Fstatus-page.controller.ts', { as: null }), 404);
    });
  });

  describe('Bull Board', () => {
    const basic = (key: string) => ({
      Authorization: `Basic ${Buffer.from(`anyone:${key}`).toString('base64')}`,
    });

    it('asks a browser for a password (the key) with a Basic challenge', async () => {
      const res = await sut.request('/queues', { as: null });

      await errorOf(res, 401);
      expect(res.headers.get('www-authenticate')).toBe(
        'Basic realm="Game Server Status", charset="UTF-8"',
      );
    });

    it('answers 403 to a viewer key, by any means', async () => {
      await errorOf(await sut.request('/queues', { as: 'viewer' }), 403);
      await errorOf(
        await sut.request('/queues/api/queues', { as: null, headers: basic(sut.keys.viewer) }),
        403,
      );
    });

    it('opens for an admin key given by Basic log-in or X-API-Key', async () => {
      const page = await sut.request('/queues', { as: null, headers: basic(sut.keys.admin) });
      const api = await sut.request('/queues/api/queues', { as: 'admin' });

      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const queues = (await api.json()) as { queues: { name: string }[] };
      expect(queues.queues.map((q) => q.name).sort()).toEqual(['poll', 'report']);
    });
  });

  describe('logs', () => {
    it('writes JSON lines with the request id and the key owner, and never a key', async () => {
      await sut.request('/servers?limit=1', {
        as: 'viewer',
        headers: { 'X-Request-Id': 'log-check-1' },
      });
      await sut.request('/queues', {
        as: null,
        headers: { Authorization: `Bearer ${sut.keys.admin}` },
      });
      await sut.request('/servers', {
        as: null,
        headers: { 'X-API-Key': 'not-a-key-but-secret-looking' },
      });

      const lines = sut.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
      const line = lines.find(
        (l) => (l['req'] as { id?: string } | undefined)?.id === 'log-check-1',
      );
      expect(line).toMatchObject({
        msg: 'request completed',
        apiKey: 'dashboard',
        req: { method: 'GET', url: '/servers?limit=1' },
        res: { statusCode: 200 },
      });
      const all = sut.logs.join('\n');
      for (const secret of [sut.keys.admin, sut.keys.viewer, 'not-a-key-but-secret-looking']) {
        expect(all).not.toContain(secret);
      }
    });
  });
});
