/*
 * A storm: every server of a fleet spread over a few hosts goes down in the same round and comes
 * back, as when the machines of a host die. It times each apply_status_reports call of normal and
 * storm rounds, counts what Odoo wrote for people (outages, host incidents, chatter messages,
 * notification events), and has one client list `GET /servers?limit=50` through the API every
 * 100 ms throughout.
 *
 *   npm run bench:storm                                   the Odoo stand-in at Odoo's measured cost
 *   npm run bench:storm -- --url http://127.0.0.1:8069 --db gss --login gss-service \
 *     --api-key-file key [--servers 10000] [--hosts 40] [--batch 500]        a real Odoo
 *
 * Reports are applied as the writer sends them, one batch at a time (one writer lane). On a real
 * Odoo each run makes its own servers (`storm-<run>-<n>` on hosts `storm-<run>-<h>.test`) and
 * deletes them at the end; their incidents and messages stay as history. The stand-in keeps
 * outages but not host incidents, messages or events: those columns say so rather than guess.
 * Prints figures and one JSON line; nothing here passes or fails on time.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { offlineReport, onlineReport, ServerRepository, type StatusReport } from '#common';
import { OdooClient, type OdooDomain } from '#odoo-client';
import { OdooStandIn } from '../test/support/odoo-stand-in.js';
import { uniquePrefix, dropPrefix } from '../test/support/test-env.js';
import { apiGetter, startApi } from './api-load.js';
import { MEASURED_ODOO_COST, percentile, runWriterBench } from './writer-reports.js';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    db: { type: 'string' },
    login: { type: 'string' },
    'api-key-file': { type: 'string' },
    servers: { type: 'string', default: '10000' },
    hosts: { type: 'string', default: '40' },
    batch: { type: 'string', default: '500' },
  },
});

/** The rounds, one poll of every server each, a minute apart: failures open outages on the 3rd. */
const ROUNDS = [
  { name: 'normal', online: true },
  { name: 'normal', online: true },
  { name: 'down 1', online: false },
  { name: 'down 2', online: false },
  { name: 'down 3 (outages open)', online: false },
  { name: 'back', online: true },
] as const;

interface RoundFigures {
  name: string;
  callMs: number[];
  opened: number;
  closed: number;
}

interface Odoo {
  client: OdooClient;
  info: { url: string; db: string; login: string; apiKey: string };
  close: () => Promise<void>;
  standIn: boolean;
}

async function connect(): Promise<Odoo> {
  const { url, db, login } = args;
  const keyFile = args['api-key-file'];
  if (url) {
    if (!db || !login || !keyFile)
      throw new Error('with --url, give --db, --login and --api-key-file');
    const apiKey = readFileSync(keyFile, 'utf8').trim();
    const info = { url, db, login, apiKey };
    const client = new OdooClient({ ...info, protocol: 'auto', timeoutMs: 120_000 });
    return {
      client,
      info,
      standIn: false,
      close: () => {
        client.close();
        return Promise.resolve();
      },
    };
  }
  const odoo = new OdooStandIn();
  const standInUrl = await odoo.start();
  // Two workers: the writer's calls and the API's are served side by side, as on Odoo with --workers 2.
  odoo.setCost({ ...MEASURED_ODOO_COST, workers: 2 });
  const info = { url: standInUrl, db: odoo.db, login: odoo.login, apiKey: odoo.apiKey };
  const client = new OdooClient({ ...info, protocol: 'auto', timeoutMs: 120_000 });
  return {
    client,
    info,
    standIn: true,
    close: async () => {
      client.close();
      await odoo.stop();
    },
  };
}

function report(serverId: number, at: Date, online: boolean, i: number): StatusReport {
  return online
    ? onlineReport(serverId, at, {
        latencyMs: 15,
        playersOnline: i % 40,
        playersMax: 40,
        bots: 0,
        playerNames: [],
        name: 'storm',
        map: 'world',
        version: '1.21',
        gameMode: null,
        passwordProtected: false,
      })
    : offlineReport(serverId, at, { code: 'timeout', message: 'no answer in 3 s' });
}

async function main(): Promise<void> {
  const serverCount = Number(args.servers);
  const hostCount = Number(args.hosts);
  const batch = Number(args.batch);
  const run = randomBytes(3).toString('hex');
  const odoo = await connect();
  const { client } = odoo;
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const hosts = Array.from({ length: hostCount }, (_, h) => `storm-${run}-${h}.test`);
  const servers = await client.create(
    'game.server',
    Array.from({ length: serverCount }, (_, i) => ({
      name: `storm-${run}-${i}`,
      game: 'minecraft',
      host: hosts[i % hostCount],
      port: 20_000 + Math.floor(i / hostCount),
    })),
  );
  const repository = new ServerRepository(client);
  const prefix = uniquePrefix('bench-storm');
  const viewerKey = randomBytes(16).toString('hex');
  const api = await startApi(odoo.info, prefix, viewerKey);
  const get = apiGetter(api.url, viewerKey);
  let phase = 'normal';
  const listing: { phase: string; ms: number; ok: boolean }[] = [];
  const stopListing = new AbortController();
  const lister = (async () => {
    for (let i = 0; !stopListing.signal.aborted; i++) {
      const t0 = performance.now();
      const ok = await get(
        `/servers?limit=50&offset=${(i * 50) % Math.max(1, serverCount - 50)}`,
      ).catch(() => false);
      listing.push({ phase, ms: performance.now() - t0, ok });
      await sleep(100);
    }
  })();
  const startedAt = new Date();
  const first = Date.now() - ROUNDS.length * 60_000;
  const rounds: RoundFigures[] = [];
  try {
    out(
      `storm bench against ${odoo.standIn ? `the Odoo stand-in (${MEASURED_ODOO_COST.perCallMs} ms/call + ${MEASURED_ODOO_COST.perRecordMs} ms/record, 2 workers)` : `${odoo.info.url} (${odoo.info.db})`}: ` +
        `${serverCount} servers on ${hostCount} hosts, batches of ${batch}, one call at a time; ` +
        'GET /servers?limit=50 every 100 ms',
    );
    out();
    for (const [r, round] of ROUNDS.entries()) {
      phase = round.online ? (r === 0 || r === 1 ? 'normal' : 'recovery') : 'storm';
      const at = (i: number) => new Date(first + r * 60_000 + (i % 1_000));
      const figures: RoundFigures = { name: round.name, callMs: [], opened: 0, closed: 0 };
      for (let i = 0; i < servers.length; i += batch) {
        const reports = servers
          .slice(i, i + batch)
          .map((id, j) => report(id, at(i + j), round.online, i + j));
        const t0 = performance.now();
        const result = await repository.applyReports(reports);
        figures.callMs.push(performance.now() - t0);
        figures.opened += result.outagesOpened;
        figures.closed += result.outagesClosed;
      }
      rounds.push(figures);
    }
  } finally {
    stopListing.abort();
    await lister;
    await api.app.close();
    await dropPrefix(prefix);
  }

  // The stand-in keeps outages only: what it does not keep is not counted.
  const count = (model: string, domain: OdooDomain): Promise<number | null> =>
    odoo.standIn ? Promise.resolve(null) : client.searchCount(model, domain);
  const since = startedAt.toISOString().replace('T', ' ').slice(0, 19);
  const incidentIds = odoo.standIn
    ? []
    : (
        await client.searchReadAll<{ id: number }>(
          'game.server.incident',
          [['host', 'in', hosts]],
          {
            fields: ['id'],
          },
        )
      ).map((row) => row.id);
  const incidents = odoo.standIn ? null : incidentIds.length;
  // The addon's outage and incident subtypes: not the "created" notes of the run's own servers.
  const messages = await count('mail.message', [
    ['message_type', '=', 'notification'],
    ['subtype_id.res_model', 'in', ['game.server', 'game.server.incident']],
    ['date', '>=', since],
    '|',
    '&',
    ['model', '=', 'game.server'],
    ['res_id', 'in', servers],
    '&',
    ['model', '=', 'game.server.incident'],
    ['res_id', 'in', incidentIds],
  ]);
  const events = await count('game.server.event', [
    '|',
    ['server_id', 'in', servers],
    ['incident_id', 'in', incidentIds],
  ]);
  await client.unlink('game.server', servers);
  await odoo.close();

  const normal = rounds.slice(0, 2).flatMap((round) => round.callMs);
  const normalMedian = percentile(normal, 50);
  const row = (cells: (string | number)[]) =>
    cells.map((cell, i) => String(cell).padStart(i === 0 ? 24 : 10)).join('  ');
  out(row(['round', 'calls', 'median ms', 'max ms', 'x normal', 'opened', 'closed']));
  for (const round of rounds) {
    const median = percentile(round.callMs, 50);
    out(
      row([
        round.name,
        round.callMs.length,
        median.toFixed(0),
        Math.max(...round.callMs).toFixed(0),
        (median / normalMedian).toFixed(2),
        round.opened,
        round.closed,
      ]),
    );
  }
  const shown = (value: number | null) => (value === null ? 'not kept by the stand-in' : value);
  out();
  out(
    `host incidents: ${shown(incidents)}; chatter messages: ${shown(messages)}; events to notify: ${shown(events)}`,
  );
  const phases = ['normal', 'storm', 'recovery'].map((name) => {
    const ms = listing.filter((l) => l.phase === name).map((l) => l.ms);
    return {
      phase: name,
      requests: ms.length,
      failed: listing.filter((l) => l.phase === name && !l.ok).length,
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      p99: percentile(ms, 99),
    };
  });
  for (const p of phases) {
    out(
      `GET /servers?limit=50 while ${p.phase}: ${p.requests} requests, p50/p95/p99 ` +
        `${p.p50.toFixed(0)}/${p.p95.toFixed(0)}/${p.p99.toFixed(0)} ms, ${p.failed} failed`,
    );
  }
  const storm = rounds[4]!;
  const back = rounds[5]!;
  out(
    JSON.stringify({
      bench: 'storm',
      target: odoo.standIn ? 'stand-in' : 'odoo',
      servers: serverCount,
      hosts: hostCount,
      batch,
      normal_call_median_ms: Math.round(normalMedian),
      storm_call_median_ms: Math.round(percentile(storm.callMs, 50)),
      storm_call_max_ms: Math.round(Math.max(...storm.callMs)),
      recovery_call_median_ms: Math.round(percentile(back.callMs, 50)),
      storm_ratio: Number((percentile(storm.callMs, 50) / normalMedian).toFixed(2)),
      outages_opened: storm.opened,
      outages_closed: back.closed,
      incidents,
      messages,
      events,
      list_p95_ms: Object.fromEntries(phases.map((p) => [p.phase, Math.round(p.p95)])),
      list_failed: phases.reduce((sum, p) => sum + p.failed, 0),
    }),
  );
}

runWriterBench(main);
