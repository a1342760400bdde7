import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  onTestFinished,
} from 'vitest';
import { DEMO_FLEET, demoFleet, queryPort } from '../apps/poller/src/seed/demo-fleet.js';
import { type CommandResult, ensureBuilt, runDist } from './support/built.js';
import { GAME_SERVER_MODEL, OdooStandIn } from './support/odoo-stand-in.js';

const SEED = 'apps/poller/src/seed.js';

/** The environment the poller gets, pointing at `odoo`. */
function odooEnv(odoo: OdooStandIn): NodeJS.ProcessEnv {
  return {
    ODOO_URL: odoo.url,
    ODOO_DB: odoo.db,
    ODOO_LOGIN: odoo.login,
    ODOO_API_KEY: odoo.apiKey,
  };
}

function creates(odoo: OdooStandIn): number[] {
  return odoo.calls
    .filter((call) => call.model === GAME_SERVER_MODEL && call.method === 'create')
    .map((call) => call.recordCount);
}

const lines = (result: CommandResult): string[] => result.stdout.trim().split('\n');

/** The seed command as an operator runs it, against the Odoo stand-in. */
describe('seed', () => {
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'gss-seed-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe.each([
    [19, 'json2'],
    [17, 'jsonrpc'],
  ] as const)('into Odoo %i (%s)', (serverVersion, _protocol) => {
    let odoo: OdooStandIn;
    const seed = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      runDist(SEED, args, { ...odooEnv(odoo), ...env }, 30_000);

    beforeEach(async () => {
      odoo = new OdooStandIn({ serverVersion });
      await odoo.start();
    });

    afterEach(async () => {
      await odoo?.stop();
    });

    it('--empty checks Odoo, tells the catalog size, and writes nothing', async () => {
      odoo.seed(GAME_SERVER_MODEL, [
        { name: 'Old', game: 'minecraft', host: 'old.test', port: 25565 },
      ]);

      const sut = await seed(['--empty']);

      expect(sut.code).toBe(0);
      expect(sut.stdout).toContain('whose catalog has 1 servers');
      expect(lines(sut).at(-1)).toBe('added 0, skipped 0 (already there), bad 0');
      expect(creates(odoo)).toEqual([]);
    });

    it('--demo adds the demo set in one create call, and a second run adds nothing', async () => {
      const first = await seed(['--demo']);
      const second = await seed(['--demo']);

      expect(first.code).toBe(0);
      expect(lines(first).at(-1)).toBe(
        `added ${DEMO_FLEET.length}, skipped 0 (already there), bad 0`,
      );
      expect(second.code).toBe(0);
      expect(lines(second).at(-1)).toBe(
        `added 0, skipped ${DEMO_FLEET.length} (already there), bad 0`,
      );
      expect(creates(odoo)).toEqual([DEMO_FLEET.length]);
      const records = odoo.records(GAME_SERVER_MODEL);
      expect(records).toHaveLength(DEMO_FLEET.length);
      expect(new Set(records.map((r) => r['host']))).toEqual(new Set(['127.0.0.1']));
      expect(records.find((r) => r['game'] === 'valheim')).toMatchObject({
        port: 2456,
        query_port: 2457,
      });
    });
  });

  describe('against Odoo 19', () => {
    let odoo: OdooStandIn;
    const seed = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      runDist(SEED, args, { ...odooEnv(odoo), ...env }, 30_000);
    const sheet = async (name: string, text: string): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };

    beforeEach(async () => {
      odoo = new OdooStandIn();
      await odoo.start();
    });

    afterEach(async () => {
      await odoo?.stop();
    });

    it('links each row to its customer by name or reference, and refuses unknown or ambiguous ones unless told to create them', async () => {
      odoo.seed('res.partner', [
        { name: 'Pixel Guild', ref: 'C-001' },
        { name: 'Twin Co' },
        { name: 'Twin Co' },
      ]);
      const path = await sheet(
        'customers.csv',
        [
          'Name,Game,Address,Customer,Tags',
          'One,minecraft,one.test:25565,Pixel Guild,"EU, premium"',
          'Two,minecraft,two.test:25565,C-001,EU',
          'Three,minecraft,three.test:25565,Twin Co,',
          'Four,minecraft,four.test:25565,Newcomer,',
          'Five,minecraft,five.test:25565,,',
        ].join('\n'),
      );

      const dry = await seed(['--file', path, '--dry-run', '--create-customers']);
      const refused = await seed(['--file', path]);
      const contactsBefore = odoo.records('res.partner').length;
      const created = await seed(['--file', path, '--create-customers']);

      expect(dry.stdout).toContain("would create customer 'Newcomer'");
      expect(contactsBefore).toBe(3);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(
        "line 4: customer 'Twin Co' matches 2 contacts in Odoo; give its reference instead",
      );
      expect(refused.stdout).toContain(
        "line 5: customer 'Newcomer' is not a contact in Odoo (add it there, or seed with --create-customers)",
      );
      expect(lines(refused).at(-1)).toBe('added 3, skipped 0 (already there), bad 2');
      expect(created.stderr).toBe('');
      expect(created.stdout).toContain("created customer 'Newcomer'");
      expect(lines(created).at(-1)).toBe('added 1, skipped 3 (already there), bad 1');
      const [guild] = odoo.records('res.partner').map((p) => p.id);
      const newcomer = odoo.records('res.partner').find((p) => p['name'] === 'Newcomer');
      const tags = new Map(odoo.records('game.server.tag').map((t) => [t.id, t['name']]));
      const byName = new Map(odoo.records(GAME_SERVER_MODEL).map((r) => [r['name'], r]));
      expect(byName.get('One')).toMatchObject({ partner_id: guild });
      expect((byName.get('One')?.['tag_ids'] as number[]).map((id) => tags.get(id))).toEqual([
        'EU',
        'premium',
      ]);
      expect(byName.get('Two')).toMatchObject({ partner_id: guild });
      expect(byName.get('Four')).toMatchObject({ partner_id: newcomer?.id });
      expect(byName.get('Five')).toMatchObject({ partner_id: false, tag_ids: [] });
    });

    it('--demo-host points every demo server at the given host', async () => {
      const sut = await seed(['--demo', '--demo-host', 'demo-games.test']);

      expect(sut.code).toBe(0);
      expect(new Set(odoo.records(GAME_SERVER_MODEL).map((r) => r['host']))).toEqual(
        new Set(['demo-games.test']),
      );
    });

    it('--demo writes the ports the DEMO_*_PORT variables give, as demo-games serves them', async () => {
      // Data only: nobody queries these ports.
      const ports = { DEMO_MC_SURVIVAL_PORT: '41001', DEMO_VALHEIM_QUERY_PORT: '41002' };

      const sut = await seed(['--demo'], ports);

      expect(sut.code).toBe(0);
      const written = odoo
        .records(GAME_SERVER_MODEL)
        .map((r) => Number(r['query_port'] || r['port']));
      const byNumber = (a: number, b: number) => a - b;
      expect(written.sort(byNumber)).toEqual(demoFleet(ports).map(queryPort).sort(byNumber));
      expect(written).toEqual(expect.arrayContaining([41001, 41002]));
    });

    it('--demo refuses a DEMO_*_PORT that is not a port, naming it, and writes nothing', async () => {
      const sut = await seed(['--demo'], { DEMO_RUST_PORT: 'rust' });

      expect(sut.code).toBe(2);
      expect(sut.stderr).toContain("DEMO_RUST_PORT must be a port (1-65535), not 'rust'");
      expect(creates(odoo)).toEqual([]);
    });

    describe('a CSV with loose headers, good rows and bad ones', () => {
      const CSV = [
        'Server Name,Game ID,IP,Port,Query Port,Interval (s),Enabled,Comment,Owner',
        'Survival EU,Minecraft,mc1.test,25565,,,yes,"first line',
        'second line",ops',
        'Bedrock Hub,Minecraft: Bedrock Edition,bedrock.test:19132,,,,,,ops',
        'CS Retro,csgo,cs.test,27015,27016,30,no,,ops',
        'Typo,minecrfat,x.test,25565,,,,,ops',
        'Too high,minecraft,y.test,70000,,,,,ops',
        'No host,minecraft,,25565,,,,,ops',
        'Survival EU again,minecraft,MC1.TEST,25565,,,,,ops',
        '',
        'Too often,valheim,v.test,2456,2457,1,,,ops',
      ].join('\n');
      const BAD: unknown[] = [
        expect.stringMatching(/^line 6: unknown game 'minecrfat' \(closest ids: minecraft, /),
        "line 7: bad port '70000'",
        'line 8: missing host',
        'line 9: same game, host and port as line 2 (Survival EU again (minecraft MC1.TEST:25565))',
        'line 11: pollIntervalS must not be less than 5',
      ];

      it('writes the good rows, reports each bad one with its line and reason, and exits 1', async () => {
        const path = await sheet('servers.csv', CSV);

        const sut = await seed(['--file', path]);

        expect(sut.code).toBe(1);
        expect(lines(sut)).toEqual([
          expect.stringContaining(`seed: ${path} into ${odoo.url}`),
          'ignored columns: Owner',
          ...BAD,
          'added 3, skipped 0 (already there), bad 5',
        ]);
        const byName = new Map(odoo.records(GAME_SERVER_MODEL).map((r) => [r['name'], r]));
        expect([...byName.keys()].sort()).toEqual(['Bedrock Hub', 'CS Retro', 'Survival EU']);
        expect(byName.get('Survival EU')).toMatchObject({
          game: 'minecraft',
          host: 'mc1.test',
          port: 25565,
          active: true,
          notes: 'first line\nsecond line',
        });
        expect(byName.get('Bedrock Hub')).toMatchObject({ game: 'mbe', port: 19132 });
        expect(byName.get('CS Retro')).toMatchObject({
          query_port: 27016,
          poll_interval: 30,
          active: false,
        });
      });

      it('adds nothing on a second run and reports the same bad rows', async () => {
        const path = await sheet('again.csv', CSV);
        await seed(['--file', path]);

        const sut = await seed(['--file', path]);

        expect(sut.code).toBe(1);
        expect(lines(sut).slice(2)).toEqual([...BAD, 'added 0, skipped 3 (already there), bad 5']);
        expect(creates(odoo)).toEqual([3]);
      });

      it('--dry-run reports what it would add and skip, and writes nothing', async () => {
        odoo.seed(GAME_SERVER_MODEL, [
          { name: 'Here', game: 'csgo', host: 'CS.test', port: 27015 },
        ]);
        const path = await sheet('dry.csv', CSV);

        const sut = await seed(['--file', path, '--dry-run']);

        expect(sut.code).toBe(1);
        expect(sut.stdout).toContain('would add line 2: Survival EU (minecraft mc1.test:25565)');
        expect(sut.stdout).toContain('would add line 4: Bedrock Hub (mbe bedrock.test:19132)');
        expect(sut.stdout).toContain('already there line 5: CS Retro (csgo cs.test:27015)');
        expect(lines(sut).at(-1)).toBe(
          'dry run, nothing written: would add 2, skipped 1 (already there), bad 5',
        );
        expect(creates(odoo)).toEqual([]);
        expect(odoo.records(GAME_SERVER_MODEL)).toHaveLength(1);
      });

      const OFFLINE_TOTAL =
        'dry run, nothing written: would add 3, catalog not read (already there unknown), bad 5';

      it('--dry-run checks every row with no Odoo configured, saying the catalog was not read', async () => {
        const path = await sheet('offline.csv', CSV);

        const sut = await runDist(SEED, ['--file', path, '--dry-run'], {}, 30_000);

        expect(sut.code).toBe(1);
        expect(lines(sut)).toEqual([
          `seed: ${path}, checked without the catalog (Odoo is not configured: ODOO_URL: not set; ODOO_DB: not set; ODOO_LOGIN: not set; ODOO_API_KEY: not set): every row is checked, but not whether it is already there`,
          'ignored columns: Owner',
          'would add line 2: Survival EU (minecraft mc1.test:25565)',
          'would add line 4: Bedrock Hub (mbe bedrock.test:19132)',
          'would add line 5: CS Retro (csgo cs.test:27015)',
          ...BAD,
          OFFLINE_TOTAL,
        ]);
      });

      it('--dry-run checks every row while Odoo does not answer, saying why', async () => {
        const path = await sheet('unreachable.csv', CSV);
        await odoo.stop();

        const sut = await seed(['--file', path, '--dry-run']);

        expect(sut.code).toBe(1);
        expect(lines(sut)[0]).toMatch(
          /^seed: \S+, checked without the catalog \(the catalog at http:\/\/127\.0\.0\.1:\d+: Odoo not ready: no Odoo answers at \S+: .*ECONNREFUSED.*\): every row is checked, but not whether it is already there$/,
        );
        expect(lines(sut).slice(2)).toEqual([
          'would add line 2: Survival EU (minecraft mc1.test:25565)',
          'would add line 4: Bedrock Hub (mbe bedrock.test:19132)',
          'would add line 5: CS Retro (csgo cs.test:27015)',
          ...BAD,
          OFFLINE_TOTAL,
        ]);
      });
    });

    it('reads an XLSX sheet, numbers and text cells alike', async () => {
      const workbook = new ExcelJS.Workbook();
      const worksheet = workbook.addWorksheet('Servers');
      worksheet.addRow(['Name', 'Type', 'Hostname', 'Game Port', 'Active']);
      worksheet.addRow(['Creative', 'minecraft', 'creative.test', 25566, 'TRUE']);
      worksheet.addRow(['Quake night', 'Quake 3: Arena', '127.0.0.1', 27960, '']);
      worksheet.addRow([]);
      worksheet.addRow(['Wrong game', 'pong', 'pong.test', 1, '']);
      const path = join(dir, 'servers.xlsx');
      await workbook.xlsx.writeFile(path);

      const sut = await seed(['--file', path]);

      expect(sut.code).toBe(1);
      expect(sut.stdout).toMatch(/^line 5: unknown game 'pong' \(closest ids: /m);
      expect(lines(sut).at(-1)).toBe('added 2, skipped 0 (already there), bad 1');
      expect(
        odoo
          .records(GAME_SERVER_MODEL)
          .map((r) => [r['name'], r['game'], r['host'], r['port']])
          .sort(),
      ).toEqual([
        ['Creative', 'minecraft', 'creative.test', 25566],
        ['Quake night', 'q3a', '127.0.0.1', 27960],
      ]);
    });

    it('reports a bad header as line 1, writes nothing and exits 1', async () => {
      const path = await sheet('header.csv', 'Server,Host,IP,Port\nA,a.test,1.2.3.4,1\n');

      const sut = await seed(['--file', path]);

      expect(sut.code).toBe(1);
      expect(lines(sut).slice(1)).toEqual([
        "line 1: bad header: columns 'Host' and 'IP' both give the address (host); no name column; no game column (the header reads: Server, Host, IP, Port)",
        'added 0, skipped 0 (already there), bad 1',
      ]);
      expect(creates(odoo)).toEqual([]);
    });

    it('writes a big sheet in one create call per 500 servers', async () => {
      const rows = Array.from(
        { length: 1_201 },
        (_, i) => `Server ${i},minecraft,mc${i}.test:25565`,
      );
      const path = await sheet('big.csv', ['name,game,address', ...rows].join('\n'));

      const sut = await seed(['--file', path]);

      expect(sut.code).toBe(0);
      expect(creates(odoo)).toEqual([500, 500, 201]);
      expect(odoo.records(GAME_SERVER_MODEL)).toHaveLength(1_201);
    });

    it('takes its source from SEED_SOURCE (and names a bad one), and adds nothing to a catalog in use with SEED_IF_EMPTY', async () => {
      const path = await sheet('env.csv', 'name,game,address\nFrom env,minecraft,env.test:25565\n');

      const filled = await seed([], { SEED_SOURCE: `file:${path}` });
      const again = await seed([], { SEED_SOURCE: 'demo', SEED_IF_EMPTY: 'true' });
      const bad = await seed([], { SEED_SOURCE: 'spreadsheet' });

      expect(filled.code).toBe(0);
      expect(lines(filled).at(-1)).toBe('added 1, skipped 0 (already there), bad 0');
      expect(again.code).toBe(0);
      expect(lines(again).at(-1)).toBe('the catalog is not empty: nothing added (--if-empty)');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(
        'SEED_SOURCE must be empty, demo, file:/path/to/sheet or snapshot:NAME',
      );
      expect(odoo.records(GAME_SERVER_MODEL).map((r) => r['name'])).toEqual(['From env']);
    });

    it('SEED_SOURCE=snapshot:NAME checks Odoo and adds nothing: the catalog came with the snapshot', async () => {
      odoo.seed(GAME_SERVER_MODEL, [
        { name: 'Restored', game: 'minecraft', host: 'demo-games', port: 25565 },
      ]);

      const sut = await seed([], {
        SEED_SOURCE: 'snapshot:prod-2026-12-07',
        SEED_IF_EMPTY: 'true',
      });

      expect(sut.code, sut.stderr).toBe(0);
      expect(sut.stdout).toContain('whose catalog has 1 servers');
      expect(lines(sut).at(-1)).toBe(
        'the catalog came with the snapshot prod-2026-12-07: nothing added',
      );
      expect(creates(odoo)).toEqual([]);
    });

    it('--snapshot hands the file to the snapshot tool, whose refusal and exit status it passes on', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gss-seed-snapshot-'));
      onTestFinished(() => rm(dir, { recursive: true, force: true }));
      const file = join(dir, 'prod.gss-snapshot');
      await writeFile(file, 'not a snapshot');

      const sut = await seed(['--snapshot', file, '--odoo-bin', 'odoo-bin', '--data-dir', dir]);

      expect(sut.code, sut.stderr).toBe(2);
      expect(sut.stderr).toContain(`gss_snapshot: cannot read ${file} as a snapshot`);
      expect(creates(odoo)).toEqual([]);
    });

    describe('--from-odoo', () => {
      let source: OdooStandIn;

      beforeEach(async () => {
        source = new OdooStandIn({ serverVersion: 17, db: 'production', login: 'reader' });
        await source.start();
      });

      afterEach(async () => {
        await source?.stop();
      });

      /** The options naming the source stand-in, then `more`. */
      const fromSource = (...more: string[]): string[] => [
        '--from-odoo',
        source.url,
        '--from-db',
        source.db,
        '--from-login',
        source.login,
        ...more,
      ];

      it('copies the catalog fields of another Odoo (over JSON-RPC), archived servers too, and no status', async () => {
        const [, , badId] = source.seed(GAME_SERVER_MODEL, [
          {
            name: 'Prod Survival',
            game: 'minecraft',
            host: 'mc.prod.test',
            port: 25565,
            query_port: 25575,
            poll_interval: 30,
            is_online: true,
            players_online: 42,
            last_checked: '2026-11-01 10:00:00',
          },
          { name: 'Prod Retired', game: 'csgo', host: 'cs.prod.test', port: 27015, active: false },
          { name: 'Prod Pong', game: 'pong', host: 'pong.prod.test', port: 1 },
        ]);
        const keyFile = join(dir, 'source-key');
        await writeFile(keyFile, `${source.apiKey}\n`);
        const args = fromSource('--from-api-key-file', keyFile);

        const first = await seed(args);
        const second = await seed(args);

        expect(first.code).toBe(1);
        expect(lines(first).slice(1)).toEqual([
          `source id ${badId}: game must be one of the supported game ids (GET /games)`,
          'added 2, skipped 0 (already there), bad 1',
        ]);
        expect(lines(second).at(-1)).toBe('added 0, skipped 2 (already there), bad 1');
        const copied = odoo.records(GAME_SERVER_MODEL);
        expect(copied.find((r) => r['name'] === 'Prod Survival')).toMatchObject({
          host: 'mc.prod.test',
          query_port: 25575,
          poll_interval: 30,
          active: true,
          is_online: false,
          players_online: 0,
          last_checked: false,
        });
        expect(copied.find((r) => r['name'] === 'Prod Retired')).toMatchObject({ active: false });
        expect(creates(source)).toEqual([]);
      });

      it('exits 2 naming the --from option that is wrong', async () => {
        const sut = await seed(
          fromSource('--from-api-key', source.apiKey, '--from-protocol', 'soap'),
        );

        expect(sut.code).toBe(2);
        expect(sut.stderr).toContain('--from-protocol: "soap" is not one of');
        expect(sut.stderr).not.toContain(source.apiKey);
      });
    });

    it.each([
      [[], 'no source: pick one'],
      [['--demo', '--empty'], 'one source at a time'],
    ])('exits 2 with the usage for %j', async (args, message) => {
      const sut = await seed(args);

      expect(sut.code).toBe(2);
      expect(sut.stderr).toContain(message);
      expect(sut.stderr).toContain('usage: seed');
    });

    it('exits 2 when the sheet cannot be read', async () => {
      const missing = await seed(['--file', join(dir, 'nope.csv')]);
      const wrongKind = await seed(['--file', await sheet('servers.ods', 'x')]);

      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('cannot read');
      expect(wrongKind.code).toBe(2);
      expect(wrongKind.stderr).toContain('only .csv (also .tsv, .txt) and .xlsx are read');
    });
  });

  it('exits 2 when Odoo does not answer, or does not know the key', async () => {
    const odoo = new OdooStandIn();
    await odoo.start();
    try {
      const wrongKey = await runDist(SEED, ['--empty'], {
        ...odooEnv(odoo),
        ODOO_API_KEY: 'wrong-key',
      });
      await odoo.stop();
      const down = await runDist(SEED, ['--demo'], odooEnv(odoo));

      expect(wrongKey.code).toBe(2);
      expect(wrongKey.stderr).toContain(`the catalog at ${odoo.url}`);
      expect(down.code).toBe(2);
      expect(down.stderr).toContain('ECONNREFUSED');
    } finally {
      await odoo.stop();
    }
  });
});
