import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView } from '#common';
import { toOdooDatetime } from '#odoo-client';
import { createPoller } from '../apps/poller/src/poller.app.js';
import { type ApiHarness, type KeyRole, startApi } from './support/api-harness.js';
import { CHROMIUM } from './support/chromium.js';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { QUIET } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

/**
 * The status page in a real browser, on top of the whole system: servers registered through
 * the API, polled by a real poller from real Minecraft responders, written to the Odoo
 * stand-in. The page must list them, follow a server going down without a reload, delete
 * one after confirmation, keep viewers read-only, and stay usable on a phone.
 */
describe('status page', () => {
  let api: ApiHarness;
  let poller: INestApplicationContext;
  let lobby: MinecraftResponder;
  let creative: MinecraftResponder;
  let browser: Browser;
  /** Where the screenshots go, kept to be looked at after the run; a directory per run. */
  let screenshots: string;
  const servers: Record<string, ServerView> = {};
  /** Script errors and CSP violations the page reported; must stay empty. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    lobby = await startMinecraftResponder({ players: 3, maxPlayers: 20, motd: 'Lobby' });
    creative = await startMinecraftResponder({ players: 8, maxPlayers: 50, motd: 'Creative' });
    api = await startApi({ name: 'status-page', env: { POLL_INTERVAL_S: '2' } });
    ({ app: poller } = await createPoller(
      {
        ...api.env,
        POLL_TIMEOUT_MS: '500',
        SCHEDULER_TICK_MS: '100',
        CATALOG_SYNC_MS: '200',
        WRITER_FLUSH_MS: '100',
      },
      QUIET,
    ));
    for (const [name, responder] of [
      ['Lobby', lobby],
      ['Creative', creative],
    ] as const) {
      const res = await api.request('/servers', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, game: 'minecraft', host: '127.0.0.1', port: responder.port }),
      });
      servers[name] = (await res.json()) as ServerView;
    }
    // A day of history for Lobby's chart: players rising by one an hour.
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    api.odoo.seed(
      'game.server.stat',
      Array.from({ length: 20 }, (_, i) => ({
        server_id: servers['Lobby']?.id,
        game: 'minecraft',
        bucket_start: toOdooDatetime(hour - (20 - i) * 3_600_000),
        bucket_minutes: 15,
        polls: 15,
        polls_online: 15,
        players_sum: 15 * i,
        players_peak: i,
        latency_sum: 15 * 5,
      })),
    );
    await waitFor('both servers online in Odoo', () =>
      api.odoo.records('game.server').every((r) => r['is_online'] === true),
    );
    browser = await chromium.launch(CHROMIUM);
    screenshots = await mkdtemp(join(tmpdir(), 'gss-status-page-'));
    console.log(`status page screenshots: ${screenshots}`);
  });

  afterAll(async () => {
    await browser?.close();
    await poller?.close();
    await api?.stop();
    await lobby?.stop();
    await creative?.stop();
  });

  async function openPage(options: { width?: number; height?: number; mobile?: boolean } = {}) {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
      isMobile: options.mobile ?? false,
      hasTouch: options.mobile ?? false,
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      // A 401 or 404 answer is logged as "Failed to load resource"; the page handles those.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        pageErrors.push(msg.text());
      }
    });
    await page.goto(`${api.url}/status`);
    return page;
  }

  async function logIn(page: Page, role: KeyRole | 'wrong'): Promise<void> {
    await page.locator('#key-input').waitFor();
    await page.fill('#key-input', role === 'wrong' ? 'not-a-valid-key-at-all' : api.keys[role]);
    await page.click('#key-form button[type=submit]');
  }

  const row = (page: Page, name: string) => page.locator('#servers tbody tr', { hasText: name });
  const rowNames = (page: Page) => page.locator('#servers tbody .server-name').allTextContents();

  it('asks for a key, then lists the servers with game, status, players, map and last check', async () => {
    const page = await openPage();
    await logIn(page, 'admin');

    await row(page, 'Creative').waitFor();
    await waitFor('live figures in the rows', async () =>
      (await row(page, 'Lobby').textContent())?.includes('3/20'),
    );
    expect(await rowNames(page)).toEqual(['Creative', 'Lobby']);
    const lobbyRow = row(page, 'Lobby');
    expect(await lobbyRow.locator('.badge').textContent()).toBe('Online');
    expect(await lobbyRow.locator('[data-label=Game]').textContent()).toBe('minecraft');
    expect(await lobbyRow.locator('.server-address').textContent()).toBe(`127.0.0.1:${lobby.port}`);
    expect(await lobbyRow.locator('[data-label="Last check"]').textContent()).toMatch(/ago$/);
    expect(await page.locator('#who').textContent()).toBe('ops (admin)');
    expect(await page.locator('#queues-link').isVisible()).toBe(true);
    await page.context().close();
  });

  it('draws a players-over-time chart from the history of each server', async () => {
    const page = await openPage();
    await logIn(page, 'admin');

    const chart = row(page, 'Lobby').locator('td.chart svg');
    await chart.locator('polyline').waitFor();
    const points = (await chart.locator('polyline').getAttribute('points'))?.split(' ') ?? [];
    expect(points.length).toBeGreaterThanOrEqual(20);
    expect(await chart.getAttribute('aria-label')).toBe('Players over 24 h, peak 19');
    await page.screenshot({ path: join(screenshots, 'desktop.png'), fullPage: true });
    await page.context().close();
  });

  it('filters by search text and by status', async () => {
    const page = await openPage();
    await logIn(page, 'viewer');
    await row(page, 'Lobby').waitFor();

    await page.fill('#q', 'crea');
    await waitFor('only Creative listed', async () => (await rowNames(page)).join() === 'Creative');
    await page.fill('#q', '');
    await page.selectOption('#online', 'false');
    await waitFor('no offline server listed', async () => (await rowNames(page)).length === 0);
    expect(await page.locator('#status-line').textContent()).toMatch(/^0 servers/);
    await page.context().close();
  });

  it('keeps a viewer read-only: no delete button, no job queue link', async () => {
    const page = await openPage();
    await logIn(page, 'viewer');
    await row(page, 'Lobby').waitFor();

    expect(await page.locator('button.delete').count()).toBe(0);
    expect(await page.locator('#queues-link').isVisible()).toBe(false);
    await page.context().close();
  });

  it('refuses a wrong key and asks again', async () => {
    const page = await openPage();
    await logIn(page, 'wrong');

    await waitFor(
      'the refusal shown',
      async () => (await page.locator('#key-error').textContent()) !== '',
    );
    expect(await page.locator('#key-error').textContent()).toContain('refused');
    expect(await page.locator('#app').isVisible()).toBe(false);
    await page.context().close();
  });

  it('remembers the key across reloads', async () => {
    const page = await openPage();
    await logIn(page, 'viewer');
    await row(page, 'Lobby').waitFor();

    await page.reload();

    await row(page, 'Lobby').waitFor();
    expect(await page.locator('#key-form').isVisible()).toBe(false);
    await page.context().close();
  });

  it('shows a server going offline without a reload', async () => {
    const page = await openPage();
    await logIn(page, 'admin');
    await row(page, 'Lobby').locator('.badge', { hasText: 'Online' }).waitFor();

    await lobby.stop();

    await row(page, 'Lobby').locator('.badge', { hasText: 'Offline' }).waitFor({ timeout: 20_000 });
    expect(await row(page, 'Lobby').locator('.error-text').textContent()).toMatch(/^refused: /);
    expect(await row(page, 'Lobby').locator('[data-label=Players]').textContent()).toBe('–');
    await page.context().close();
  });

  it('deletes a server only after confirmation', async () => {
    const page = await openPage();
    await logIn(page, 'admin');
    await row(page, 'Creative').waitFor();
    const creativeId = servers['Creative']?.id;

    page.once('dialog', (dialog) => void dialog.dismiss());
    await row(page, 'Creative').locator('button.delete').click();
    expect(api.odoo.records('game.server').some((r) => r.id === creativeId)).toBe(true);

    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await row(page, 'Creative').locator('button.delete').click();

    await row(page, 'Creative').waitFor({ state: 'detached' });
    expect(asked).toContain(`Delete Creative (127.0.0.1:${creative.port})?`);
    expect(api.odoo.records('game.server').some((r) => r.id === creativeId)).toBe(false);
    expect(await page.locator('#toast').textContent()).toContain('Deleted Creative');
    await page.context().close();
  });

  it('is usable on a phone: one card per server, nothing wider than the screen', async () => {
    const page = await openPage({ width: 390, height: 844, mobile: true });
    await logIn(page, 'admin');
    await row(page, 'Lobby').waitFor();

    expect(await page.locator('#servers thead').isVisible()).toBe(false);
    // A string, because the tests compile without the DOM's types.
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    const box = await row(page, 'Lobby').boundingBox();
    expect(box?.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(screenshots, 'phone.png'), fullPage: true });
    await page.context().close();
  });

  it('ran without a script error or a blocked resource', () => {
    expect(pageErrors).toEqual([]);
  });
});
