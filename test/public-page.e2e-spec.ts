import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOdooDatetime } from '#odoo-client';
import { type ApiHarness, startApi } from './support/api-harness.js';
import { CHROMIUM } from './support/chromium.js';

const HOUR_MS = 3_600_000;

/**
 * The public status page through the real API and the Odoo stand-in (which mirrors the addon's
 * game.server.public_status): only published servers, their address only when shown, one Odoo
 * call per cache period however many players ask, a limit per address, no script and no cookie.
 */
describe('public status page', () => {
  let api: ApiHarness;
  let strict: ApiHarness;
  const publicCalls = (harness: ApiHarness) =>
    harness.odoo.calls.filter((c) => c.method === 'public_status').length;

  beforeAll(async () => {
    api = await startApi({
      name: 'public-page',
      env: { PUBLIC_CACHE_S: '60', PUBLIC_RATE_LIMIT: '10000' },
    });
    const now = new Date();
    const [lobby] = api.odoo.seed('game.server', [
      {
        name: 'EU Lobby',
        game: 'minecraft',
        host: '203.0.113.7',
        port: 25565,
        published: true,
        show_address: true,
        public_slug: 'eu-lobby',
        is_online: true,
        players_online: 12,
        players_max: 40,
        map_name: 'world',
        version: '1.21.4',
        last_checked: toOdooDatetime(now),
      },
      {
        name: 'Arena <b>',
        game: 'quake3',
        host: '198.51.100.9',
        port: 27960,
        published: true,
        public_slug: 'arena',
        is_online: false,
        players_online: 0,
        players_max: 16,
      },
      {
        name: 'Staff only',
        game: 'minecraft',
        host: '192.0.2.1',
        port: 25565,
        public_slug: 'staff-only',
      },
    ]);
    const hour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    api.odoo.seed('game.server.stat', [
      {
        server_id: lobby,
        game: 'minecraft',
        bucket_start: toOdooDatetime(hour - HOUR_MS),
        bucket_minutes: 15,
        polls: 4,
        polls_online: 4,
        players_sum: 40,
        players_peak: 12,
        latency_sum: 80,
      },
      {
        server_id: lobby,
        game: 'minecraft',
        bucket_start: toOdooDatetime(hour),
        bucket_minutes: 15,
        polls: 2,
        polls_online: 2,
        players_sum: 24,
        players_peak: 12,
        latency_sum: 40,
      },
    ]);
    strict = await startApi({ name: 'public-limit', env: { PUBLIC_RATE_LIMIT: '3' } });
  });

  afterAll(async () => {
    await api?.stop();
    await strict?.stop();
  });

  it('lists only the published servers as JSON, the address only where it is shown', async () => {
    const res = await api.request('/public/servers', { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/u);
    expect(res.headers.get('set-cookie')).toBeNull();
    const body = (await res.json()) as {
      hours: string[];
      servers: {
        slug: string;
        host: string | null;
        port: number | null;
        players24h: (number | null)[];
      }[];
    };
    expect(body.servers.map((s) => s.slug)).toEqual(['arena', 'eu-lobby']);
    const lobby = body.servers.find((s) => s.slug === 'eu-lobby');
    expect(lobby).toMatchObject({
      name: 'EU Lobby',
      online: true,
      players: 12,
      playersMax: 40,
      map: 'world',
      version: '1.21.4',
      host: '203.0.113.7',
      port: 25565,
    });
    expect(lobby?.players24h.slice(-2)).toEqual([10, 12]);
    expect(body.hours).toHaveLength(24);
    expect(body.servers.find((s) => s.slug === 'arena')).toMatchObject({
      host: null,
      port: null,
      online: false,
    });
  });

  it('answers an unpublished server exactly as a missing one', async () => {
    const hidden = await api.request('/public/servers/staff-only', { as: null });
    const missing = await api.request('/public/servers/no-such-server', { as: null });
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    const [a, b] = [
      (await hidden.json()) as Record<string, unknown>,
      (await missing.json()) as Record<string, unknown>,
    ];
    delete a['requestId'];
    delete b['requestId'];
    expect(a).toEqual(b);
    expect((await api.request('/public/servers/staff-only/badge.svg', { as: null })).status).toBe(
      404,
    );
  });

  it('makes one Odoo call per cache period however many ask at once', async () => {
    // A cold cache: the 50 requests arrive together, before Odoo has answered once.
    const burst = await startApi({
      name: 'public-burst',
      odoo: api.odoo,
      env: { PUBLIC_CACHE_S: '60', PUBLIC_RATE_LIMIT: '10000' },
    });
    try {
      const before = publicCalls(api);
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          burst.request(i % 2 ? '/public/servers' : '/public', {
            as: null,
            headers: { 'accept-language': 'fr' },
          }),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
      expect(publicCalls(api) - before).toBe(1);
      expect(answers[1]?.headers.get('cache-control')).toBe('public, max-age=60');
    } finally {
      await burst.stop();
    }
  });

  it('draws the page with no script, in the browser language, escaping what Odoo gave', async () => {
    const en = await api.request('/public', {
      as: null,
      headers: { 'accept-language': 'de-DE, en;q=0.8, fr;q=0.5' },
    });
    const html = await en.text();
    expect(en.headers.get('content-type')).toMatch(/^text\/html/u);
    const csp = en.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(html).not.toMatch(/<script/iu);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Arena &lt;b&gt;');
    expect(html).toContain('203.0.113.7:25565');
    expect(html).not.toContain('198.51.100.9');
    expect(html).not.toContain('Staff only');
    const fr = await (
      await api.request('/public', { as: null, headers: { 'accept-language': 'fr-FR,fr;q=0.9' } })
    ).text();
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toContain('Hors ligne');
    expect(fr).toContain('État des serveurs de jeu');
  });

  it('gives each server a card other sites may frame and a badge', async () => {
    const card = await api.request('/public/servers/eu-lobby/card', { as: null });
    expect(card.status).toBe(200);
    expect(card.headers.get('content-security-policy')).toContain('frame-ancestors *');
    expect(await card.text()).toContain('EU Lobby');
    const badge = await api.request('/public/servers/eu-lobby/badge.svg', { as: null });
    expect(badge.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(badge.headers.get('cache-control')).toBe('public, max-age=60');
    const svg = await badge.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/u);
    expect(svg).toContain('>12/40</text>');
    const offline = await (
      await api.request('/public/servers/arena/badge.svg', {
        as: null,
        headers: { 'accept-language': 'fr' },
      })
    ).text();
    expect(offline).toContain('>hors ligne</text>');
  });

  it('reads on a phone and a desktop in Chromium, with nothing refused by its policy', async () => {
    const browser = await chromium.launch(CHROMIUM);
    const screenshots = await mkdtemp(join(tmpdir(), 'gss-public-page-'));
    try {
      for (const [name, viewport, locale] of [
        ['phone-fr', { width: 390, height: 844 }, 'fr-FR'],
        ['desktop-en', { width: 1280, height: 800 }, 'en-US'],
      ] as const) {
        const context = await browser.newContext({ viewport, locale });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(String(e)));
        await page.goto(`${api.url}/public`);
        expect(await page.locator('article.server').count()).toBe(2);
        // The stylesheet applied (the cards are laid out, not bare text) and nothing overflows.
        const layout = await page.evaluate<{ width: number; radius: string }>(
          `({ width: document.documentElement.scrollWidth,
              radius: getComputedStyle(document.querySelector('article.server')).borderRadius })`,
        );
        expect(layout.width).toBeLessThanOrEqual(viewport.width);
        expect(layout.radius).toBe('8px');
        await page.screenshot({ path: join(screenshots, `public-${name}.png`), fullPage: true });
        expect(problems).toEqual([]);
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });

  it('publishes a server through the API: Odoo names it for links, the page shows it', async () => {
    const quick = await startApi({ name: 'public-api', env: { PUBLIC_CACHE_S: '1' } });
    try {
      const created = await quick.request('/servers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Night Raid #2',
          game: 'minecraft',
          host: '192.0.2.44',
          port: 25565,
          published: true,
        }),
      });
      expect(created.status).toBe(201);
      const server = (await created.json()) as { id: number; publicPage: unknown };
      expect(server.publicPage).toEqual({
        published: true,
        showAddress: false,
        slug: 'night-raid-2',
      });
      const shown = (await (
        await quick.request('/public/servers/night-raid-2', { as: null })
      ).json()) as {
        server: { name: string; host: string | null };
      };
      expect(shown.server).toMatchObject({ name: 'Night Raid #2', host: null });
      const patched = await quick.request(`/servers/${server.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ published: false }),
      });
      expect(((await patched.json()) as { publicPage: unknown }).publicPage).toEqual({
        published: false,
        showAddress: false,
        slug: 'night-raid-2',
      });
      const wrong = await quick.request(`/servers/${server.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ published: 'yes' }),
      });
      expect(wrong.status).toBe(400);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await quick.request('/public/servers/night-raid-2', { as: null })).status).toBe(404);
    } finally {
      await quick.stop();
    }
  });

  it('asks a failing Odoo once per period, serving the last data meanwhile', async () => {
    const flaky = await startApi({
      name: 'public-flaky',
      odoo: api.odoo,
      env: { PUBLIC_CACHE_S: '1', PUBLIC_RATE_LIMIT: '10000' },
    });
    try {
      expect((await flaky.request('/public/servers', { as: null })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      api.odoo.failNext(1, 'http500');
      const before = publicCalls(api);
      const answers = await Promise.all(
        Array.from({ length: 30 }, () => flaky.request('/public/servers', { as: null })),
      );
      for (let i = 0; i < 10; i += 1) answers.push(await flaky.request('/public', { as: null }));
      expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 40 }, () => 200));
      expect(publicCalls(api) - before).toBe(1);
    } finally {
      await flaky.stop();
    }
  });

  it('reaches nothing of the API without a key', async () => {
    expect((await api.request('/servers', { as: null })).status).toBe(401);
    expect((await api.request('/public/../servers', { as: null })).status).toBe(401);
  });

  it('limits each client address on the public pages, apart from the API', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push((await strict.request('/public/servers', { as: null })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await strict.request('/servers', { as: 'viewer' })).status).toBe(200);
  });
});
