import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProviderServices,
  ProviderError,
  type ProviderRegistry,
  createProviderRegistry,
} from '#providers';
import {
  DEMO_FLEET,
  type DemoServer,
  demoFleet,
  queryPort,
} from '../apps/poller/src/seed/demo-fleet.js';
import { AppProcess } from './support/app-process.js';
import { ROOT, ensureBuilt, runDist } from './support/built.js';
import { freeDemoPorts, queryDemoServers, servedServers } from './support/demo-games.js';

const DEMO_GAMES = 'test/support/demo-games.js';

/**
 * The demo game servers as compose runs them: a process of their own, queried like a worker,
 * on ports the OS gave (its DEMO_*_PORT variables) rather than the games' usual ones.
 */
describe('demo-games', () => {
  let demo: AppProcess;
  let registry: ProviderRegistry;
  let services: ProviderServices;
  let ports: Record<string, string>;
  let fleet: DemoServer[];

  beforeAll(async () => {
    await ensureBuilt();
    ({ registry, services } = createProviderRegistry());
    ports = await freeDemoPorts();
    fleet = demoFleet(ports);
    demo = AppProcess.spawn('demo-games', process.execPath, [resolve(ROOT, 'dist', DEMO_GAMES)], {
      DEMO_BIND: '127.0.0.1',
      ...ports,
    });
    await demo.waitForOutput(/demo-games: \d+ servers on 127\.0\.0\.1/);
  });

  afterAll(async () => {
    await demo?.stop();
    await services?.close();
  });

  it('serves every demo server that has players, the two offline ones excepted, on the ports given', () => {
    const served = servedServers(fleet);

    expect(served).toHaveLength(DEMO_FLEET.length - 2);
    expect(demo.log).toContain(
      `demo-games: ${served.length} servers on 127.0.0.1, ports ${served.map(queryPort).join(', ')}`,
    );
  });

  it('answers our providers for every game, online with players within the maximum', async () => {
    const answers = await queryDemoServers(registry, '127.0.0.1', fleet);

    expect(answers.map((a) => [a.server.name, a.error])).toEqual(
      servedServers(fleet).map((server) => [server.name, null]),
    );
    for (const { server, online, playersOnline, playersMax } of answers) {
      expect(online).toBe(true);
      expect(playersMax).toBe(server.players?.max);
      expect(playersOnline).toBeGreaterThanOrEqual(0);
      expect(playersOnline).toBeLessThanOrEqual(server.players?.max ?? 0);
    }
    expect(answers.some((a) => (a.playersOnline ?? 0) > 0)).toBe(true);
  });

  it('leaves the ports of the offline demo servers silent', async () => {
    const offline = fleet.filter((server) => server.players === undefined);

    expect(offline.map((s) => s.game).sort()).toEqual(['counterstrike2', 'minecraft']);
    for (const server of offline) {
      const query = registry
        .get(server.game)
        .query({ host: '127.0.0.1', port: queryPort(server) }, { timeoutMs: 1_500 });
      await expect(query).rejects.toBeInstanceOf(ProviderError);
    }
  });

  it('passes its own health check (--check), reading the same port variables', async () => {
    const sut = await runDist(DEMO_GAMES, ['--check'], ports, 30_000);

    expect(sut).toMatchObject({ code: 0, stderr: '' });
  });

  it('stops cleanly on SIGTERM', async () => {
    const sut = await demo.stop('SIGTERM');

    expect(sut).toEqual({ code: 0, signal: null });
  });
});
