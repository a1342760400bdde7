/*
 * CI for docker-compose.yml without Docker: Debian's docker-compose validates the file, each
 * service of our image runs its command and then its health check natively (hostnames mapped to
 * loopback, ports to free ones, secrets to files), and for the images we do not build every
 * file, secret, volume, dependency and Dockerfile stage the file names is checked to exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, matchesGlob, posix } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLEET, demoFleet, queryPort } from '../apps/poller/src/seed/demo-fleet.js';
import { AppProcess } from './support/app-process.js';
import { ROOT, ensureBuilt, runCommand } from './support/built.js';
import { freeDemoPorts } from './support/demo-games.js';
import { GAME_SERVER_MODEL, OdooStandIn } from './support/odoo-stand-in.js';
import { freePort } from './support/ports.js';
import { REDIS_URL, dropPrefix, uniquePrefix } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

interface Service {
  image?: string;
  build?: string | { context: string; target?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
  restart?: string;
}

interface ComposeFile {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

const RAW = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
/** Compose's `${NAME:-default}` with the default (the environment of `docker compose up`). */
const interpolate = (text: string): string =>
  text
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback)
    .replaceAll('$$', '$');
const COMPOSE = parse(interpolate(RAW), { merge: true }) as ComposeFile;
const SERVICES = Object.entries(COMPOSE.services);
const OURS = SERVICES.filter(([, service]) => service.build !== undefined).map(([name]) => name);
const service = (name: string): Service => COMPOSE.services[name] ?? {};
const isOneShot = (s: Service): boolean => s.restart === undefined || s.restart === 'no';

/** Dockerfile stages: name, the lines of each, the last one being what `build: .` makes. */
const STAGES = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  .split(/^(?=FROM )/m)
  .filter((part) => part.startsWith('FROM '))
  .map((part) => ({ name: /^FROM \S+ AS (\S+)/.exec(part)?.[1], lines: part.split('\n') }));

function stageOf(s: Service): (typeof STAGES)[number] | undefined {
  const target = typeof s.build === 'object' ? s.build.target : undefined;
  return target === undefined ? STAGES.at(-1) : STAGES.find((stage) => stage.name === target);
}

/** Bind mounts (`./odoo:/mnt/extra-addons:ro`) as repository path and container path. */
function bindMounts(s: Service): { source: string; target: string }[] {
  return (s.volumes ?? [])
    .map((volume) => volume.split(':'))
    .filter(([source]) => source?.startsWith('.') || source?.startsWith('/'))
    .map(([source = '', target = '']) => ({ source, target }));
}

/** The repository file behind a container path of a bind mount, if it lies in one. */
function repoPath(s: Service, containerPath: string): string | undefined {
  const mount = bindMounts(s).find((m) => containerPath.startsWith(`${m.target}/`));
  return mount && join(ROOT, mount.source, containerPath.slice(mount.target.length + 1));
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (Debian v1, as CI runs it)', async () => {
    const result = await runCommand('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);

    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('gives every variable a default, so `docker compose up` needs no .env', () => {
    const variables = [...RAW.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] ?? '');

    expect(variables.length).toBeGreaterThan(0);
    expect(variables.filter((v) => !/^\w+:-/.test(v))).toEqual([]);
  });

  it('takes what a deployment changes from the environment: queue prefix, database, image tags', () => {
    const raw = parse(RAW, { merge: true }) as ComposeFile;
    const fromEnv = (value: unknown): boolean => /\$\{\w+:-[^}]+\}/.test(String(value));

    for (const [name, s] of Object.entries(raw.services)) {
      // The tag (the image's last part) comes from a variable.
      if (s.image !== undefined) expect(s.image, name).toMatch(/:\$\{\w+:-[^}]+\}$/);
      const env = s.environment ?? {};
      for (const key of ['QUEUE_PREFIX', 'ODOO_DB', 'GSS_ODOO_DB']) {
        if (key in env) expect(fromEnv(env[key]), `${name} ${key}`).toBe(true);
      }
    }
    expect(raw.services['odoo']?.command?.filter(fromEnv)).toHaveLength(2);
  });

  it('has a health check on every long-running service, and none on one-shots', () => {
    const longRunning = SERVICES.filter(([, s]) => !isOneShot(s));

    expect(
      SERVICES.filter(([, s]) => isOneShot(s))
        .map(([name]) => name)
        .sort(),
    ).toEqual(['odoo-init', 'seed']);
    expect(longRunning.filter(([, s]) => !s.healthcheck).map(([name]) => name)).toEqual([]);
    expect(SERVICES.filter(([, s]) => isOneShot(s) && s.healthcheck).map(([name]) => name)).toEqual(
      [],
    );
  });

  it('waits only on services that exist, with a condition each can meet', () => {
    const problems: string[] = [];
    for (const [name, s] of SERVICES) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const other = COMPOSE.services[target];
        if (!other) problems.push(`${name} -> ${target}: no such service`);
        else if (condition === 'service_completed_successfully' && !isOneShot(other)) {
          problems.push(`${name} -> ${target}: waits for the end of a service that never ends`);
        } else if (condition === 'service_healthy' && !other.healthcheck) {
          problems.push(`${name} -> ${target}: waits for the health of a service without a check`);
        } else if (
          !['service_healthy', 'service_completed_successfully', 'service_started'].includes(
            condition,
          )
        ) {
          problems.push(`${name} -> ${target}: unknown condition ${condition}`);
        }
      }
    }

    expect(problems).toEqual([]);
    // The order the issue asks for: PostgreSQL, the init, Odoo, then the apps; Redis first too.
    expect(service('odoo-init').depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(service('odoo').depends_on).toEqual({
      'odoo-init': { condition: 'service_completed_successfully' },
    });
    for (const app of ['api', 'scheduler', 'writer', 'notifier']) {
      expect(service(app).depends_on).toEqual({
        redis: { condition: 'service_healthy' },
        odoo: { condition: 'service_healthy' },
      });
    }
    // A poll worker talks to Redis and game servers only: Odoo being down does not hold it.
    expect(service('worker').depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(
      Object.keys(service('worker').environment ?? {}).filter((k) => /^ODOO_/.test(k)),
    ).toEqual([]);
    expect(service('worker').volumes ?? []).toEqual([]);
    expect(service('seed').depends_on).toMatchObject({
      'odoo-init': { condition: 'service_completed_successfully' },
      odoo: { condition: 'service_healthy' },
    });
  });

  it('declares every secret and named volume, and every file and directory it mounts exists', () => {
    const problems: string[] = [];
    for (const [name, { file }] of Object.entries(COMPOSE.secrets)) {
      if (!existsSync(join(ROOT, file))) problems.push(`secret ${name}: no file ${file}`);
    }
    for (const [name, s] of SERVICES) {
      for (const secret of s.secrets ?? []) {
        if (!COMPOSE.secrets[secret]) problems.push(`${name}: undeclared secret ${secret}`);
      }
      for (const volume of s.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (source.startsWith('.') || source.startsWith('/')) {
          if (!existsSync(join(ROOT, source))) problems.push(`${name}: no ${source} to mount`);
        } else if (!(source in COMPOSE.volumes)) {
          problems.push(`${name}: undeclared volume ${source}`);
        }
      }
    }

    expect(problems).toEqual([]);
  });

  it('publishes only the API and Odoo', () => {
    expect(
      SERVICES.filter(([, s]) => s.ports)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['api', 'odoo']);
  });

  it('runs from the repository only files that exist: the init script, what it runs, the addon', () => {
    const init = service('odoo-init');
    const [shell, script = ''] = init.entrypoint ?? [];
    const scriptFile = repoPath(init, script);

    expect(shell).toBe('/bin/bash');
    expect(scriptFile && existsSync(scriptFile)).toBe(true);
    // Comments may mention options; only commands count.
    const text = readFileSync(scriptFile ?? '', 'utf8').replace(/^\s*#.*$/gm, '');
    const used = [...text.matchAll(/\/mnt\/extra-addons\/[\w./-]+/g)].map((m) => m[0]);
    expect(used.length).toBeGreaterThan(0);
    for (const path of used) expect(existsSync(repoPath(init, path) ?? ''), path).toBe(true);
    const addons = new Set([...text.matchAll(/ -[iu] (\w+)/g)].map((m) => m[1] ?? ''));
    expect([...addons]).toEqual(['game_server_status']);
    for (const odoo of [init, service('odoo')]) {
      for (const addon of addons) {
        expect(existsSync(repoPath(odoo, `/mnt/extra-addons/${addon}/__manifest__.py`) ?? '')).toBe(
          true,
        );
      }
    }
  });

  it('gives the apps the database, login and key file the init creates', () => {
    const init = service('odoo-init');
    const script = readFileSync(repoPath(init, init.entrypoint?.[1] ?? '') ?? '', 'utf8');
    const keyFile = /key_file=(\S+)/.exec(script)?.[1];
    const initDb = /db="\$\{GSS_ODOO_DB:-(\w+)\}"/.exec(script)?.[1];
    const login = /--login (\S+)/.exec(script)?.[1];
    const served = service('odoo').command ?? [];
    const volumeAt = (s: Service, file: string) =>
      (s.volumes ?? []).find((v) => file.startsWith(`${v.split(':')[1] ?? '-'}/`))?.split(':')[0];

    for (const name of OURS.filter((n) => !['demo-games', 'worker'].includes(n))) {
      const env = service(name).environment ?? {};
      expect(env['ODOO_DB'], name).toBe(initDb);
      expect(served[served.indexOf('-d') + 1], name).toBe(initDb);
      expect(env['ODOO_LOGIN'], name).toBe(login);
      expect(env['ODOO_API_KEY_FILE'], name).toBe(keyFile);
      expect(volumeAt(service(name), keyFile ?? ''), name).toBe(volumeAt(init, keyFile ?? ''));
    }
  });

  it('names only Dockerfile stages that exist, and runs production services from what that stage copies', () => {
    const production = STAGES.at(-1);
    const copied = (production?.lines ?? [])
      .map((line) => /^COPY --from=\S+ \S+ (\S+)/.exec(line)?.[1])
      .filter((dest): dest is string => dest !== undefined)
      .map((dest) => posix.normalize(dest));

    for (const name of OURS) {
      const stage = stageOf(service(name));
      expect(stage, name).toBeDefined();
      expect(
        stage?.lines.some((line) => /^USER (?!root)\w+/.test(line)),
        `${name} runs as non-root`,
      ).toBe(true);
      const [, entry = ''] = service(name).command ?? [];
      if (stage === production) {
        expect(
          copied.some((dir) => entry.startsWith(`${dir}/`)),
          `${name}: ${entry} is in the image`,
        ).toBe(true);
      }
    }
    expect(production?.lines.some((line) => line.includes('npm ci --omit=dev'))).toBe(true);
  });

  it('sends the build every path the Dockerfile copies from the context (.dockerignore)', () => {
    const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const ignored = (path: string): boolean => {
      let result = false;
      const parts = path.split('/');
      for (const rule of rules) {
        const pattern = rule.replace(/^!/, '');
        // A rule on a directory covers everything under it.
        const hit = parts.some((_, i) => matchesGlob(parts.slice(0, i + 1).join('/'), pattern));
        if (hit) result = !rule.startsWith('!');
      }
      return result;
    };
    const sources = STAGES.flatMap((stage) => stage.lines)
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));

    expect(sources).toContain('test/support');
    expect(sources.filter(ignored)).toEqual([]);
    // The rest of test/ stays out of the build context.
    expect(ignored('test/seed.e2e-spec.ts')).toBe(true);
  });
});

/** Our image's services, run natively the way compose would run them in their containers. */
describe('docker-compose.yml services of our image, run natively', () => {
  let odoo: OdooStandIn;
  let secrets: string;
  /**
   * The demo servers' DEMO_*_PORT variables, on free ports instead of the games' usual ones:
   * the same for demo-games, which serves them, and seed, which writes them into the catalog.
   */
  let demoPorts: Record<string, string>;
  const prefix = uniquePrefix('compose');
  const running: AppProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    secrets = await mkdtemp(join(tmpdir(), 'gss-compose-'));
    demoPorts = await freeDemoPorts();
    const appEnv = service('api').environment ?? {};
    odoo = new OdooStandIn({ db: String(appEnv['ODOO_DB']), login: String(appEnv['ODOO_LOGIN']) });
    await odoo.start();
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await odoo?.stop();
    await dropPrefix(prefix);
    if (secrets) await rm(secrets, { recursive: true, force: true });
  });

  it('covers every service built from our image', () => {
    expect([...OURS].sort()).toEqual([
      'api',
      'demo-games',
      'notifier',
      'scheduler',
      'seed',
      'worker',
      'writer',
    ]);
  });

  /**
   * The service's environment on this machine: compose hostnames to loopback (redis to the
   * machine's Redis under a prefix of its own, odoo to the stand-in), anything bound to every
   * interface to loopback, ports to free ones, `_FILE` secrets to files. `ports` maps each
   * compose port to its free one, for the health check.
   */
  async function nativeEnv(
    s: Service,
    ports: Map<string, string>,
  ): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const [key, raw] of Object.entries(s.environment ?? {})) {
      let value = String(raw);
      if (/^redis:\/\/redis[:/]/.test(value)) value = REDIS_URL;
      else if (value.startsWith('http://odoo:')) value = odoo.url;
      else if (key.endsWith('HOST') && value in COMPOSE.services) value = '127.0.0.1';
      else if (value === '0.0.0.0') value = '127.0.0.1';
      else if (key === 'QUEUE_PREFIX') value = prefix;
      else if (/PORT$/.test(key) && /^\d+$/.test(value)) {
        const free = String(await freePort());
        ports.set(value, free);
        value = free;
      } else if (key.endsWith('_FILE')) {
        value = await secretFile(key, value);
      }
      env[key] = value;
    }
    return env;
  }

  /** A compose secret is its file in the repository; the init's key file is the stand-in's key. */
  async function secretFile(key: string, containerPath: string): Promise<string> {
    const secret = /^\/run\/secrets\/(\w+)$/.exec(containerPath)?.[1];
    if (secret !== undefined) {
      const file = COMPOSE.secrets[secret]?.file;
      if (file === undefined) throw new Error(`${key}: no secret ${secret}`);
      return join(ROOT, file);
    }
    if (key !== 'ODOO_API_KEY_FILE') throw new Error(`${key}: no file known for ${containerPath}`);
    const file = join(secrets, 'odoo_api_key');
    await writeFile(file, `${odoo.apiKey}\n`);
    return file;
  }

  /** A compose command or health check test (`CMD` form) as a native command line. */
  function nativeCommand(argv: readonly string[], ports: Map<string, string>): [string, string[]] {
    const [program, ...args] = argv;
    // Our image runs node and nothing else; the health checks use it too.
    expect(program).toBe('node');
    const translated = args.map((arg) =>
      arg.replace(
        /127\.0\.0\.1:(\d+)/g,
        (_, port: string) => `127.0.0.1:${ports.get(port) ?? port}`,
      ),
    );
    return [process.execPath, translated];
  }

  it.each(['api', 'scheduler', 'worker', 'writer', 'notifier', 'demo-games'])(
    '%s starts from its command and passes its health check',
    async (name) => {
      const s = service(name);
      const ports = new Map<string, string>();
      const env = { ...(await nativeEnv(s, ports)), ...(name === 'demo-games' ? demoPorts : {}) };
      const [command, args] = nativeCommand(s.command ?? [], ports);
      const [kind, ...test] = s.healthcheck?.test ?? [];
      expect(kind).toBe('CMD');
      const [checkCommand, checkArgs] = nativeCommand(test, ports);
      const app = AppProcess.spawn(name, command, args, env);
      running.push(app);

      // Docker's retries: the check runs until it passes; the service must not die meanwhile.
      const passed = await waitFor(
        `${name}'s health check`,
        async () => {
          if (!app.running) throw new Error(`${name} exited:\n${app.log}`);
          const check = await runCommand(checkCommand, checkArgs, env, 20_000);
          return check.code === 0 ? check : undefined;
        },
        { timeoutMs: 50_000, everyMs: 500 },
      );

      expect(passed.code).toBe(0);
      // Stopped by itself: exit 0, or Nest re-raising SIGTERM after its shutdown hooks; a
      // SIGKILL (after 15 s) would mean it hung, as `docker compose stop` would find it.
      const exit = await app.stop('SIGTERM');
      expect([0, 'SIGTERM'], app.log).toContain(exit.signal ?? exit.code);
    },
  );

  it('seed runs once from its command and fills the catalog with the demo set at demo-games', async () => {
    const s = service('seed');
    const env = { ...(await nativeEnv(s, new Map())), ...demoPorts };
    const [command, args] = nativeCommand(s.command ?? [], new Map());

    const first = await runCommand(command, args, env, 30_000);
    const second = await runCommand(command, args, env, 30_000);

    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`added ${DEMO_FLEET.length}, skipped 0`);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('the catalog is not empty: nothing added');
    const records = odoo.records(GAME_SERVER_MODEL);
    expect(new Set(records.map((r) => r['host']))).toEqual(new Set(['127.0.0.1']));
    expect(new Set(records.map((r) => Number(r['query_port'] || r['port'])))).toEqual(
      new Set(demoFleet(demoPorts).map(queryPort)),
    );
  });
});
