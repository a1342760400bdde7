/*
 * How long the fleet dashboard takes to open on a real Odoo, as a person sees it and as Odoo
 * computes it.
 *
 *   npm run bench:odoo:dashboard -- --url http://127.0.0.1:8069 --db DB \
 *     [--login admin --password admin] [--runs 5]
 *
 * Logs in with Debian's Chromium (playwright-core), opens the Servers list, then clicks the
 * Dashboard menu and waits until its figures are drawn: that click-to-drawn time is the opening
 * time, a warm web client as a person has it. Then times the one call the dashboard makes
 * (`game.server.dashboard.dashboard_data`) over JSON-RPC on its own. Median of `--runs` each,
 * every run printed, one JSON line. Fill a database with a fleet's month first
 * (bench/odoo_fleet_fill.py); nothing here passes or fails on time.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { percentile } from './writer-reports.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    db: { type: 'string' },
    login: { type: 'string', default: 'admin' },
    password: { type: 'string', default: 'admin' },
    runs: { type: 'string', default: '5' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (!args.url || !args.db) {
  console.error(
    'usage: npm run bench:odoo:dashboard -- --url URL --db DB [--login L --password P]',
  );
  process.exit(2);
}
const url = args.url.replace(/\/$/u, '');
const runs = Number(args.runs);

async function rpc(service: string, method: string, ...rpcArgs: unknown[]): Promise<unknown> {
  const response = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      id: 1,
      params: { service, method, args: rpcArgs },
    }),
  });
  const body = (await response.json()) as {
    result?: unknown;
    error?: { data?: { message?: string } };
  };
  if (body.error) throw new Error(body.error.data?.message ?? 'Odoo error');
  return body.result;
}

function median(values: number[]): number {
  return Math.round(percentile(values, 50));
}

const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
const problems: string[] = [];
page.on('pageerror', (error) => problems.push(String(error)));
await page.goto(`${url}/web/login?db=${encodeURIComponent(args.db)}`);
await page.fill('input[name=login]', args.login);
await page.fill('input[name=password]', args.password);
await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
const opening: number[] = [];
for (let run = 0; run < runs; run += 1) {
  await page.goto(`${url}/web#action=game_server_status.action_game_server`);
  await page.waitForSelector('.o_kanban_view, .o_list_view', { timeout: 60_000 });
  const started = performance.now();
  await page.click(
    '.o_main_navbar a[data-menu-xmlid="game_server_status.menu_game_server_dashboard"]',
  );
  await page.waitForSelector('.o_gss_dashboard_body .o_gss_online', { timeout: 60_000 });
  opening.push(performance.now() - started);
}
await browser.close();

const uid = await rpc('common', 'login', args.db, args.login, args.password);
const call: number[] = [];
let fleet: unknown = null;
for (let run = 0; run < runs; run += 1) {
  const started = performance.now();
  const data = (await rpc(
    'object',
    'execute_kw',
    args.db,
    uid,
    args.password,
    'game.server.dashboard',
    'dashboard_data',
    [],
  )) as { fleet: unknown };
  call.push(performance.now() - started);
  fleet = data.fleet;
}
const version = ((await rpc('common', 'version')) as { server_serie: string }).server_serie;

console.log(`# Odoo ${version} ${args.db}: ${JSON.stringify(fleet)}`);
console.log(
  `dashboard opened (menu click to figures drawn): ${opening.map(Math.round).join(', ')} ms, median ${median(opening)} ms`,
);
console.log(
  `dashboard_data call alone:                       ${call.map(Math.round).join(', ')} ms, median ${median(call)} ms`,
);
if (problems.length) console.log(`page errors: ${problems.join(' | ')}`);
console.log(
  JSON.stringify({
    version,
    db: args.db,
    fleet,
    openMs: opening.map(Math.round),
    openMedianMs: median(opening),
    callMs: call.map(Math.round),
    callMedianMs: median(call),
    pageErrors: problems.length,
  }),
);
