/*
 * CI for the compose files without Docker: docker-compose.yml (the whole system) and
 * docker-compose.attach.yml (our services against a company's Odoo). Debian's docker-compose
 * validates each file; each service of our image runs its command and then its health check
 * natively (hostnames mapped to loopback, ports to free ones, secrets to files); the data
 * service's copy runs on a directory laid out as the data image's Dockerfile says; and for the
 * images we do not build, every file, secret, volume, dependency and Dockerfile stage the files
 * name is checked to exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, matchesGlob, posix, relative } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLEET, demoFleet, queryPort } from '../apps/poller/src/seed/demo-fleet.js';
import { AppProcess } from './support/app-process.js';
import { type CommandResult, ROOT, ensureBuilt, runCommand } from './support/built.js';
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
  profiles?: string[];
}

/** A compose file as `docker compose` reads it, variables replaced. */
interface Compose {
  file: string;
  /** The text as written, variables and all. */
  raw: string;
  /** The variables it is given (the others take their defaults). */
  given: Record<string, string>;
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

/**
 * Compose's `${NAME:-default}` with the default (the environment of `docker compose up`), and
 * `${NAME:?error}` with what `given` says, as compose would stop without it.
 */
function interpolate(text: string, given: Record<string, string>): string {
  return text
    .replace(/\$\{(\w+):([-?])([^}]*)\}/g, (_, name: string, kind: string, rest: string) => {
      if (kind === '-') return rest;
      const value = given[name];
      if (value === undefined) throw new Error(`${name} is required: ${rest}`);
      return value;
    })
    .replaceAll('$$', '$');
}

function loadCompose(file: string, given: Record<string, string> = {}): Compose {
  const raw = readFileSync(join(ROOT, file), 'utf8');
  const parsed = parse(interpolate(raw, given), { merge: true }) as Partial<Compose>;
  return {
    file,
    raw,
    given,
    services: parsed.services ?? {},
    secrets: parsed.secrets ?? {},
    volumes: parsed.volumes ?? {},
  };
}

/** What a company gives the attach variant: its Odoo, here with our stand-in's database name. */
const ATTACHED = { ODOO_URL: 'https://odoo.example.com', ODOO_DB: 'gss' };
const MAIN = loadCompose('docker-compose.yml');
const ATTACH = loadCompose('docker-compose.attach.yml', ATTACHED);
const FILES = [MAIN, ATTACH];

const SERVICES = Object.entries(MAIN.services);
const service = (name: string, compose = MAIN): Service => compose.services[name] ?? {};
const isOneShot = (s: Service): boolean => s.restart === undefined || s.restart === 'no';
/** The services built from our image (the repository's Dockerfile), by name. */
const ours = (compose: Compose): string[] =>
  Object.entries(compose.services)
    .filter(([, s]) => (typeof s.build === 'object' ? s.build.context : s.build) === '.')
    .map(([name]) => name);
const OURS = ours(MAIN);

/** Dockerfile stages: name, the lines of each, the last one being what `build: .` makes. */
function stagesOf(dockerfile: string) {
  return readFileSync(join(ROOT, dockerfile), 'utf8')
    .split(/^(?=FROM )/m)
    .filter((part) => part.startsWith('FROM '))
    .map((part) => ({ name: /^FROM \S+ AS (\S+)/.exec(part)?.[1], lines: part.split('\n') }));
}
const STAGES = stagesOf('Dockerfile');

function stageOf(s: Service): (typeof STAGES)[number] | undefined {
  const target = typeof s.build === 'object' ? s.build.target : undefined;
  return target === undefined ? STAGES.at(-1) : STAGES.find((stage) => stage.name === target);
}

/** The build context of the data image (`build: docker/data`), and what its COPY lines copy. */
const dataBuild = service('data').build;
const DATA_CONTEXT = typeof dataBuild === 'object' ? dataBuild.context : (dataBuild ?? '');
const DATA_STAGE = stagesOf(join(DATA_CONTEXT, 'Dockerfile'));
const DATA_COPIES = DATA_STAGE.flatMap((stage) => stage.lines)
  .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
  .map((line) => line.split(/\s+/).slice(1))
  .map((words) => ({ sources: words.slice(0, -1), dest: words.at(-1) ?? '' }));

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

/** The volume (or host path) mounted where `path` lies in the service's container. */
const volumeAt = (s: Service, path: string): string | undefined =>
  (s.volumes ?? []).find((v) => path.startsWith(`${v.split(':')[1] ?? '-'}/`))?.split(':')[0];

/** The lines of a .gitignore or .dockerignore that are rules. */
const rulesOf = (file: string): string[] =>
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

/** Each file's path under `dir` with its content, sorted: two trees compare as equal lists. */
async function treeOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  const listed = await Promise.all(
    files.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      return `${relative(dir, path)}: ${await readFile(path, 'utf8')}`;
    }),
  );
  return listed.sort();
}

describe.each(FILES)('$file, as every compose file', (compose) => {
  const services = Object.entries(compose.services);

  it('is valid for docker-compose (Debian v1, as CI runs it)', async () => {
    const result = await runCommand(
      'docker-compose',
      ['-f', compose.file, 'config', '-q'],
      compose.given,
    );

    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('takes the image tags from the environment', () => {
    const raw = parse(compose.raw, { merge: true }) as Compose;

    for (const [name, s] of Object.entries(raw.services)) {
      // The tag (the image's last part) comes from a variable, or the whole image does.
      if (s.image !== undefined) expect(s.image, name).toMatch(/(?:^|:)\$\{\w+:-[^}]+\}$/);
    }
  });

  it('has a health check on every long-running service, and none on one-shots', () => {
    expect(services.filter(([, s]) => !isOneShot(s) && !s.healthcheck).map(([n]) => n)).toEqual([]);
    expect(services.filter(([, s]) => isOneShot(s) && s.healthcheck).map(([n]) => n)).toEqual([]);
  });

  it('waits only on services that exist, with a condition each can meet', () => {
    const problems: string[] = [];
    for (const [name, s] of services) {
      for (const [target, { condition }] of Object.entries(s.depends_on ?? {})) {
        const other = compose.services[target];
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
        } else if (other.profiles !== undefined && s.profiles === undefined) {
          problems.push(`${name} -> ${target}: waits for a service that starts on demand only`);
        }
      }
    }

    expect(problems).toEqual([]);
  });

  it('declares every secret and named volume, and every file and directory it mounts exists', () => {
    const ignored = rulesOf('.gitignore');
    const secretsDoc = readFileSync(join(ROOT, 'docker/secrets/README.md'), 'utf8');
    const problems: string[] = [];
    for (const [name, { file }] of Object.entries(compose.secrets)) {
      // A file the operator makes (the attach variant's Odoo key) is git-ignored and documented.
      const made =
        ignored.includes(`/${posix.normalize(file)}`) && secretsDoc.includes(basename(file));
      if (!existsSync(join(ROOT, file)) && !made) problems.push(`secret ${name}: no file ${file}`);
    }
    for (const [name, s] of services) {
      for (const secret of s.secrets ?? []) {
        if (!compose.secrets[secret]) problems.push(`${name}: undeclared secret ${secret}`);
      }
      for (const volume of s.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (source.startsWith('.') || source.startsWith('/')) {
          if (!existsSync(join(ROOT, source))) problems.push(`${name}: no ${source} to mount`);
        } else if (!(source in compose.volumes)) {
          problems.push(`${name}: undeclared volume ${source}`);
        }
      }
    }

    expect(problems).toEqual([]);
  });
});

describe('docker-compose.yml', () => {
  it('gives every variable a default, so `docker compose up` needs no .env', () => {
    const variables = [...MAIN.raw.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] ?? '');

    expect(variables.length).toBeGreaterThan(0);
    expect(variables.filter((v) => !/^\w+:-/.test(v))).toEqual([]);
  });

  it('takes what a deployment changes from the environment: queue prefix, database', () => {
    const raw = parse(MAIN.raw, { merge: true }) as Compose;
    const fromEnv = (value: unknown): boolean => /\$\{\w+:-[^}]+\}/.test(String(value));

    for (const [name, s] of Object.entries(raw.services)) {
      const env = s.environment ?? {};
      for (const key of ['QUEUE_PREFIX', 'ODOO_DB', 'GSS_ODOO_DB']) {
        if (key in env) expect(fromEnv(env[key]), `${name} ${key}`).toBe(true);
      }
    }
    expect(raw.services['odoo']?.command?.filter(fromEnv)).toHaveLength(2);
  });

  it('has exactly these one-shots: the data copy, the init, the seed and the snapshot tool', () => {
    expect(
      SERVICES.filter(([, s]) => isOneShot(s))
        .map(([name]) => name)
        .sort(),
    ).toEqual(['data', 'odoo-init', 'seed', 'snapshot']);
    // The snapshot tool runs when asked (--profile tools), never on `up`.
    expect(SERVICES.filter(([, s]) => s.profiles).map(([name]) => name)).toEqual(['snapshot']);
    expect(service('snapshot').profiles).toEqual(['tools']);
  });

  it('starts in the order the issues ask for', () => {
    const completed = { condition: 'service_completed_successfully' };
    const healthy = { condition: 'service_healthy' };

    // PostgreSQL and the data, the init, Odoo, then the apps; Redis first too.
    expect(service('odoo-init').depends_on).toEqual({ db: healthy, data: completed });
    expect(service('odoo').depends_on).toEqual({ 'odoo-init': completed });
    for (const app of ['api', 'scheduler', 'writer', 'notifier']) {
      expect(service(app).depends_on).toEqual({ redis: healthy, odoo: healthy });
    }
    // A poll worker talks to Redis and game servers only: Odoo being down does not hold it.
    expect(service('worker').depends_on).toEqual({ redis: healthy });
    expect(
      Object.keys(service('worker').environment ?? {}).filter((k) => /^ODOO_/.test(k)),
    ).toEqual([]);
    expect(service('worker').volumes ?? []).toEqual([]);
    expect(service('seed').depends_on).toEqual({
      data: completed,
      'odoo-init': completed,
      odoo: healthy,
    });
    expect(service('snapshot').depends_on).toEqual({ db: healthy });
  });

  it('publishes only the API and Odoo', () => {
    expect(
      SERVICES.filter(([, s]) => s.ports)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['api', 'odoo']);
  });

  it.each(['odoo-init', 'snapshot'])(
    '%s runs from the repository only files that exist: its script, what it runs, the addon',
    (name) => {
      const s = service(name);
      const [shell, script = ''] = s.entrypoint ?? [];
      const scriptFile = repoPath(s, script);

      expect(s.image).toBe(service('odoo').image);
      expect(shell).toBe('/bin/bash');
      expect(scriptFile && existsSync(scriptFile)).toBe(true);
      // Comments may mention options; only commands count.
      const text = readFileSync(scriptFile ?? '', 'utf8').replace(/^\s*#.*$/gm, '');
      const used = [...text.matchAll(/\/mnt\/extra-addons\/[\w./-]+/g)].map((m) => m[0]);
      expect(used.length).toBeGreaterThan(0);
      for (const path of used) expect(existsSync(repoPath(s, path) ?? ''), path).toBe(true);
      const addons = new Set([...text.matchAll(/ -[iu] (\w+)/g)].map((m) => m[1] ?? ''));
      for (const odoo of [s, service('odoo')]) {
        for (const addon of addons) {
          expect(
            existsSync(repoPath(odoo, `/mnt/extra-addons/${addon}/__manifest__.py`) ?? ''),
          ).toBe(true);
        }
      }
      if (name === 'odoo-init') expect([...addons]).toEqual(['game_server_status']);
    },
  );

  it('gives the apps the database, login and key file the init creates', () => {
    const init = service('odoo-init');
    const script = readFileSync(repoPath(init, init.entrypoint?.[1] ?? '') ?? '', 'utf8');
    const keyFile = /key_file=(\S+)/.exec(script)?.[1];
    const initDb = /db="\$\{GSS_ODOO_DB:-(\w+)\}"/.exec(script)?.[1];
    const login = /--login (\S+)/.exec(script)?.[1];
    const served = service('odoo').command ?? [];

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
    const rules = rulesOf('.dockerignore');
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
    // The rest of test/ stays out of the build context, and so do the data image's files.
    expect(ignored('test/seed.e2e-spec.ts')).toBe(true);
    expect(ignored(`${DATA_CONTEXT}/snapshots/prod.gss-snapshot`)).toBe(true);
  });

  it('builds the data image from files that exist, on a small base, running what it copies', () => {
    const data = service('data');
    const [from] = DATA_STAGE.map((stage) => stage.lines[0] ?? '');
    const [, script = ''] = data.command ?? [];

    expect(DATA_STAGE).toHaveLength(1);
    expect(from).toMatch(/^FROM (busybox|alpine):[\d.]+$/);
    for (const { sources } of DATA_COPIES) {
      for (const source of sources) {
        expect(existsSync(join(ROOT, DATA_CONTEXT, source)), source).toBe(true);
      }
    }
    expect(DATA_COPIES.map(({ dest }) => dest)).toContain(script);
    expect(data.image).toBe('gss-data:local');
  });

  it('gives seed and odoo-init the data, read-only, where they read it', () => {
    const [, , from = '', volumeTarget = ''] = service('data').command ?? [];
    const [volume] = (service('data').volumes ?? []).map((v) => v.split(':'));
    const script = readFileSync(join(ROOT, 'odoo/docker/odoo-init.sh'), 'utf8');
    const snapshots = /snapshots=(\S+)/.exec(script)?.[1] ?? '';

    // The volume is mounted where the command writes, and the command copies the image's /data.
    expect(volume).toEqual(['gss-data', volumeTarget]);
    expect(DATA_COPIES.map(({ dest }) => dest)).toEqual(
      expect.arrayContaining([`${from}/sheets`, `${from}/snapshots`]),
    );
    expect(service('seed').volumes).toContain('gss-data:/seed:ro');
    expect(service('odoo-init').volumes).toContain('gss-data:/data:ro');
    // odoo-init reads snapshots at /data/snapshots: the image puts them there, the volume too.
    expect(volumeAt(service('odoo-init'), `${snapshots}/x`)).toBe('gss-data');
    expect(DATA_COPIES.map(({ dest }) => dest)).toContain(snapshots);
  });

  it('writes snapshots where the next data image build takes them, and git keeps them out', () => {
    const out = bindMounts(service('snapshot')).find(({ target }) => target === '/snapshots');
    const script = readFileSync(join(ROOT, 'odoo/docker/odoo-snapshot.sh'), 'utf8');
    const intoImage = DATA_COPIES.find(({ dest }) => dest.endsWith('/snapshots'));

    expect(out).toBeDefined();
    expect(script).toMatch(/out="\/snapshots\/\$name\.gss-snapshot"/);
    expect(posix.normalize(out?.source ?? '')).toBe(
      posix.join(DATA_CONTEXT, intoImage?.sources[0] ?? '-'),
    );
    expect(rulesOf(posix.join(DATA_CONTEXT, 'snapshots/.gitignore'))).toEqual(['*.gss-snapshot']);
  });
});

describe('docker-compose.attach.yml', () => {
  it('stops at once, naming what is missing, without ODOO_URL or ODOO_DB', async () => {
    const config = (env: Record<string, string>) =>
      runCommand('docker-compose', ['-f', ATTACH.file, 'config', '-q'], env);

    const noUrl = await config({ ODOO_DB: 'gss' });
    const noDb = await config({ ODOO_URL: ATTACHED.ODOO_URL });

    expect(noUrl.code).not.toBe(0);
    expect(noUrl.stderr).toContain("set ODOO_URL to your Odoo's address");
    expect(noDb.code).not.toBe(0);
    expect(noDb.stderr).toContain('set ODOO_DB to the database');
  });

  it('needs ODOO_URL and ODOO_DB only: every other variable has a default', () => {
    const variables = [...ATTACH.raw.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] ?? '');
    const required = variables.filter((v) => !/^\w+:-/.test(v)).map((v) => /^\w+/.exec(v)?.[0]);

    expect(required.sort()).toEqual(['ODOO_DB', 'ODOO_URL']);
  });

  it('starts Redis and our services only, each waiting for Redis alone, with the key as a secret', () => {
    const healthy = { condition: 'service_healthy' };

    expect(Object.keys(ATTACH.services).sort()).toEqual(
      ['api', 'notifier', 'redis', 'scheduler', 'worker', 'writer'].sort(),
    );
    for (const name of ours(ATTACH)) {
      const s = service(name, ATTACH);
      expect(s.depends_on, name).toEqual({ redis: healthy });
      expect(s.volumes ?? [], name).toEqual([]);
      if (name === 'worker') {
        expect(s.secrets, name).toEqual([]);
        continue;
      }
      expect(s.environment?.['ODOO_URL'], name).toBe(ATTACHED.ODOO_URL);
      expect(s.environment?.['ODOO_API_KEY_FILE'], name).toBe('/run/secrets/odoo_api_key');
      expect(s.secrets, name).toContain('odoo_api_key');
    }
    expect(ATTACH.secrets['odoo_api_key']?.file).toBe('./docker/secrets/odoo_api_key.txt');
  });

  it("repeats docker-compose.yml's definitions but for the Odoo they reach", () => {
    // What differs on purpose: where Odoo is and how the key gets there, and what they wait for.
    const odooWiring = ['ODOO_URL', 'ODOO_DB', 'ODOO_API_KEY_FILE'];
    const shared = ({
      depends_on: _waits,
      volumes: _mounts,
      secrets,
      environment,
      ...rest
    }: Service) => ({
      ...rest,
      environment: Object.fromEntries(
        Object.entries(environment ?? {}).filter(([key]) => !odooWiring.includes(key)),
      ),
      secrets: (secrets ?? []).filter((secret) => secret !== 'odoo_api_key'),
    });

    for (const name of Object.keys(ATTACH.services)) {
      expect(shared(service(name, ATTACH)), name).toEqual(shared(service(name)));
    }
  });
});

/** Our image's services, run natively the way compose would run them in their containers. */
describe("the compose files' services, run natively", () => {
  let odoo: OdooStandIn;
  let scratch: string;
  /**
   * The demo servers' DEMO_*_PORT variables, on free ports instead of the games' usual ones:
   * the same for demo-games, which serves them, and seed, which writes them into the catalog.
   */
  let demoPorts: Record<string, string>;
  const prefix = uniquePrefix('compose');
  const running: AppProcess[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    scratch = await mkdtemp(join(tmpdir(), 'gss-compose-'));
    demoPorts = await freeDemoPorts();
    const appEnv = service('api').environment ?? {};
    odoo = new OdooStandIn({ db: String(appEnv['ODOO_DB']), login: String(appEnv['ODOO_LOGIN']) });
    await odoo.start();
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await odoo?.stop();
    await dropPrefix(prefix);
    if (scratch) await rm(scratch, { recursive: true, force: true });
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
    expect(ours(ATTACH).sort()).toEqual(['api', 'notifier', 'scheduler', 'worker', 'writer']);
  });

  /**
   * The service's environment on this machine: compose hostnames to loopback (redis to the
   * machine's Redis under a prefix of its own, Odoo, the compose service or the company's, to
   * the stand-in), anything bound to every interface to loopback, ports to free ones, `_FILE`
   * secrets to files. `ports` maps each compose port to its free one, for the health check.
   */
  async function nativeEnv(
    compose: Compose,
    s: Service,
    ports: Map<string, string>,
  ): Promise<Record<string, string>> {
    const env: Record<string, string> = {};
    for (const [key, raw] of Object.entries(s.environment ?? {})) {
      let value = String(raw);
      if (/^redis:\/\/redis[:/]/.test(value)) value = REDIS_URL;
      else if (key === 'ODOO_URL') value = odoo.url;
      else if (key.endsWith('HOST') && value in compose.services) value = '127.0.0.1';
      else if (value === '0.0.0.0') value = '127.0.0.1';
      else if (key === 'QUEUE_PREFIX') value = prefix;
      else if (/PORT$/.test(key) && /^\d+$/.test(value)) {
        const free = String(await freePort());
        ports.set(value, free);
        value = free;
      } else if (key.endsWith('_FILE')) {
        value = await secretFile(compose, key, value);
      }
      env[key] = value;
    }
    return env;
  }

  /**
   * A compose secret is its file in the repository; the Odoo key (the init's in the whole
   * system, the company's secret file when attached) is the stand-in's key.
   */
  async function secretFile(compose: Compose, key: string, containerPath: string): Promise<string> {
    const secret = /^\/run\/secrets\/(\w+)$/.exec(containerPath)?.[1];
    const file = secret === undefined ? undefined : compose.secrets[secret]?.file;
    if (secret !== undefined && file === undefined) throw new Error(`${key}: no secret ${secret}`);
    if (key === 'ODOO_API_KEY_FILE') {
      const keyFile = join(scratch, 'odoo_api_key');
      await writeFile(keyFile, `${odoo.apiKey}\n`);
      return keyFile;
    }
    if (file === undefined) throw new Error(`${key}: no file known for ${containerPath}`);
    return join(ROOT, file);
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

  it.each([
    ...['api', 'scheduler', 'worker', 'writer', 'notifier', 'demo-games'].map((name) => ({
      compose: MAIN,
      name,
    })),
    ...['api', 'scheduler', 'worker', 'writer', 'notifier'].map((name) => ({
      compose: ATTACH,
      name,
    })),
  ])(
    '$compose.file: $name starts from its command and passes its health check',
    async ({ compose, name }) => {
      const s = service(name, compose);
      const ports = new Map<string, string>();
      const env = {
        ...(await nativeEnv(compose, s, ports)),
        ...(name === 'demo-games' ? demoPorts : {}),
      };
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
    const env = { ...(await nativeEnv(MAIN, s, new Map())), ...demoPorts };
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

  it('seed with SEED=snapshot:<name> only checks Odoo: the catalog came with the snapshot', async () => {
    const s = service('seed');
    const env = {
      ...(await nativeEnv(MAIN, s, new Map())),
      SEED_SOURCE: 'snapshot:gss-2026-12-07',
    };
    const [command, args] = nativeCommand(s.command ?? [], new Map());
    const before = odoo.records(GAME_SERVER_MODEL).length;

    const sut = await runCommand(command, args, env, 30_000);

    expect(sut.code, sut.stderr).toBe(0);
    expect(sut.stdout).toContain(
      'the catalog came with the snapshot gss-2026-12-07: nothing added',
    );
    expect(odoo.records(GAME_SERVER_MODEL)).toHaveLength(before);
  });

  /**
   * A directory laid out as the data image is (each COPY of its Dockerfile done into it), and
   * its `data` service's command run on this machine: the image's paths under that directory,
   * the volume's mount point at `volume`.
   */
  async function dataImage(
    name: string,
  ): Promise<{ root: string; populate: (volume: string) => Promise<CommandResult> }> {
    const root = join(scratch, name);
    for (const { sources, dest } of DATA_COPIES) {
      for (const source of sources) {
        const target = dest.endsWith('/') ? posix.join(dest, basename(source)) : dest;
        await cp(join(ROOT, DATA_CONTEXT, source), join(root, target), { recursive: true });
      }
    }
    const s = service('data');
    const mountPoints = (s.volumes ?? []).map((volume) => volume.split(':')[1]);
    const [program, ...args] = s.command ?? [];
    expect(program).toBe('sh');
    return {
      root,
      populate: (volume) =>
        runCommand(
          '/bin/sh',
          args.map((arg) => (mountPoints.includes(arg) ? volume : join(root, arg))),
        ),
    };
  }

  it('data makes the volume hold what the image holds, replacing what it held, run after run', async () => {
    const [, , from = ''] = service('data').command ?? [];
    const team = await dataImage('image-team');
    const next = await dataImage('image-next');
    const volume = join(scratch, 'gss-data');
    // A volume an older image filled, and a copy a killed run left half-done.
    await mkdir(join(volume, 'snapshots'), { recursive: true });
    await mkdir(join(volume, '.incoming/sheets'), { recursive: true });
    await writeFile(join(volume, 'snapshots/old.gss-snapshot'), 'old');
    await writeFile(join(volume, 'stale.txt'), 'stale');
    await writeFile(join(volume, '.incoming/sheets/half.csv'), 'half');
    // The team's image carries a snapshot; the next one drops it and adds a sheet.
    await writeFile(join(team.root, from, 'snapshots/prod.gss-snapshot'), 'prod');
    await writeFile(join(next.root, from, 'sheets/more.csv'), 'name,game,address');

    const first = await team.populate(volume);
    const firstTree = await treeOf(volume);
    const again = await team.populate(volume);
    const againTree = await treeOf(volume);
    const newer = await next.populate(volume);

    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('prod.gss-snapshot');
    expect(firstTree).toEqual(await treeOf(join(team.root, from)));
    expect(firstTree).toContain('snapshots/prod.gss-snapshot: prod');
    expect(again.code, again.stderr).toBe(0);
    expect(againTree).toEqual(firstTree);
    expect(newer.code, newer.stderr).toBe(0);
    expect(await treeOf(volume)).toEqual(await treeOf(join(next.root, from)));
  });

  it('data leaves the volume as it was when the image has nothing to copy', async () => {
    const image = await dataImage('image-broken');
    const volume = join(scratch, 'gss-data-kept');
    await mkdir(join(volume, 'sheets'), { recursive: true });
    await writeFile(join(volume, 'sheets/kept.csv'), 'kept');
    const [, , from = ''] = service('data').command ?? [];
    await rm(join(image.root, from), { recursive: true });

    const sut = await image.populate(volume);

    expect(sut.code).not.toBe(0);
    expect(sut.stderr).toContain('is not a directory');
    expect(await treeOf(volume)).toEqual(['sheets/kept.csv: kept']);
  });

  it('seed reads a sheet of the data image as the data README says: SEED=file:/seed/sheets/<sheet>', async () => {
    const documented = /SEED=(file:\/seed\/sheets\/[\w.-]+\.(?:csv|xlsx))/.exec(
      readFileSync(join(ROOT, DATA_CONTEXT, 'README.md'), 'utf8'),
    )?.[1];
    const image = await dataImage('image-seed');
    const volume = join(scratch, 'gss-data-seed');
    await mkdir(volume);
    await image.populate(volume);
    // seed's /seed is the volume data filled.
    const [source, target = ''] =
      (service('seed').volumes ?? [])
        .map((v) => v.split(':'))
        .find(([name]) => name === 'gss-data') ?? [];
    const s = service('seed');
    const env = {
      ...(await nativeEnv(MAIN, s, new Map())),
      SEED_SOURCE: (documented ?? '').replace(`file:${target}/`, `file:${volume}/`),
      // The demo test may have filled the catalog already.
      SEED_IF_EMPTY: 'false',
    };
    const [command, args] = nativeCommand(s.command ?? [], new Map());

    const sut = await runCommand(command, [...args, '--dry-run'], env, 30_000);

    expect(source).toBe('gss-data');
    expect(documented).toBeDefined();
    expect(sut.code, sut.stdout + sut.stderr).toBe(0);
    expect(sut.stdout).toMatch(/dry run, nothing written: would add 5, /);
  });
});
