import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerStatus, StatusReport } from '#common';
import { createProviderRegistry } from '#providers';
import { type A2sResponder, startA2sResponder } from './support/a2s-responder.js';
import { type BedrockServer, startBedrockServer } from './support/bedrock-responder.js';
import { ensureBuilt, runDist } from './support/built.js';
import {
  type HttpResponder,
  startFiveMResponder,
  startMcsrvstatResponder,
} from './support/http-responder.js';
import { type MinecraftResponder, startMinecraftResponder } from './support/minecraft-responder.js';
import { type OpenArenaServer, startOpenArena } from './support/openarena-server.js';

/** The fields a native provider and GameDig must agree on for the same server. */
function comparable(status: ServerStatus) {
  return {
    playersOnline: status.playersOnline,
    playersMax: status.playersMax,
    map: status.map,
    name: status.name,
  };
}

/**
 * Every native provider against a real server (or a responder written from the protocol's
 * documentation) on loopback, through the registry as the poll worker uses it, and
 * compared with GameDig on the same server.
 */
describe('providers against real servers on loopback', () => {
  const { registry, services } = createProviderRegistry();
  const opts = { timeoutMs: 5000 };
  let openArena: OpenArenaServer;
  let java: MinecraftResponder;
  let bedrock: BedrockServer;
  let rust: A2sResponder;
  let fivem: HttpResponder;
  let mcsrvstat: HttpResponder;

  beforeAll(async () => {
    [openArena, java, bedrock, rust, fivem, mcsrvstat] = await Promise.all([
      startOpenArena({
        hostname: '^1Loop^7back ^3Arena',
        maxClients: 12,
        bots: ['Angelyss', 'Gargoyle', 'Major'],
      }),
      startMinecraftResponder({
        motd: 'Loopback Java',
        players: 17,
        maxPlayers: 40,
        sample: ['Alice'],
      }),
      startBedrockServer({
        motd: 'Loopback Bedrock',
        levelName: 'Test World',
        players: 3,
        maxPlayers: 12,
      }),
      startA2sResponder({
        info: {
          name: 'Loopback Rust',
          map: 'Procedural Map',
          folder: 'rust',
          game: 'Rust',
          appId: 252490,
          gameId: 252490n,
          players: 1,
          maxPlayers: 2,
          keywords: 'mp150,cp87,monthly',
          gamePort: 28015,
        },
        players: Array.from({ length: 87 }, (_v, i) => ({ name: `survivor-${i}` })),
        challengeInfo: true,
        maxPayload: 600,
      }),
      // GameDig keeps FiveM's colour codes; ours removes them (unit-tested), so none here.
      startFiveMResponder({
        hostname: 'Loopback RP',
        clients: 21,
        maxClients: 48,
        players: ['Niko'],
      }),
      startMcsrvstatResponder(() => ({ online: true, players: 9, max: 20, motd: ['Via the API'] })),
    ]);
  });

  afterAll(async () => {
    await services.close();
    await Promise.all(
      [openArena, java, bedrock, rust, fivem, mcsrvstat].map((server) => server?.stop()),
    );
  });

  describe('OpenArena (Debian openarena-server, ioquake3)', () => {
    it('reads the status, telling the bots apart and removing colour codes', async () => {
      const status = await registry
        .get('openarena')
        .query({ host: '127.0.0.1', port: openArena.port }, opts);
      expect(status).toMatchObject({
        playersOnline: 3,
        playersMax: 12,
        bots: 3,
        name: 'Loopback Arena',
        map: 'oa_dm1',
        gameMode: 'Free For All',
        passwordProtected: false,
      });
      expect(status.playerNames.sort()).toEqual(['Angelyss', 'Gargoyle', 'Major']);
      expect(status.version).toMatch(/ioq3/);
    });

    it('agrees with GameDig', async () => {
      const target = { host: '127.0.0.1', port: openArena.port };
      const ours = await registry.get('openarena').query(target, opts);
      const gamedig = await registry.get('openarena', 'gamedig').query(target, opts);
      expect(comparable(ours)).toEqual(comparable(gamedig));
    });
  });

  describe('Minecraft Java (npm minecraft-protocol server)', () => {
    it('agrees with GameDig on counts and MOTD', async () => {
      const target = { host: '127.0.0.1', port: java.port };
      const ours = await registry.get('minecraft').query(target, opts);
      const gamedig = await registry.get('minecraft', 'gamedig').query(target, opts);
      expect(ours).toMatchObject({ playersOnline: 17, playersMax: 40, name: 'Loopback Java' });
      expect(comparable(ours)).toEqual(comparable(gamedig));
    });
  });

  describe('Minecraft Bedrock (npm bedrock-protocol server)', () => {
    it('agrees with GameDig on counts, MOTD and level', async () => {
      const target = { host: '127.0.0.1', port: bedrock.port };
      const ours = await registry.get('mbe').query(target, opts);
      const gamedig = await registry.get('mbe', 'gamedig').query(target, opts);
      expect(ours).toMatchObject({
        playersOnline: 3,
        playersMax: 12,
        name: 'Loopback Bedrock',
        map: 'Test World',
      });
      expect(comparable(ours)).toEqual(comparable(gamedig));
    });
  });

  describe('Rust over A2S (challenge on INFO, split player list, cp/mp keywords)', () => {
    it('agrees with GameDig', async () => {
      const target = { host: '127.0.0.1', port: rust.port };
      const ours = await registry.get('rust').query(target, opts);
      const gamedig = await registry.get('rust', 'gamedig').query(target, opts);
      expect(ours).toMatchObject({ playersOnline: 87, playersMax: 150, name: 'Loopback Rust' });
      expect(ours.playerNames).toHaveLength(87);
      expect(comparable(ours)).toEqual(comparable(gamedig));
    });
  });

  describe('FiveM (FXServer stand-in)', () => {
    it('agrees with GameDig', async () => {
      const target = { host: '127.0.0.1', port: fivem.port };
      const ours = await registry.get('gta5f').query(target, opts);
      const gamedig = await registry.get('gta5f', 'gamedig').query(target, opts);
      expect(ours).toMatchObject({
        playersOnline: 21,
        playersMax: 48,
        name: 'Loopback RP',
        playerNames: ['Niko'],
      });
      expect(comparable(ours)).toEqual(comparable(gamedig));
    });
  });

  describe('the query command, for every kind of provider', () => {
    beforeAll(() => ensureBuilt());

    async function query(args: string[], env: NodeJS.ProcessEnv = {}): Promise<StatusReport> {
      const result = await runDist('apps/poller/src/query.js', args, env);
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as StatusReport;
    }

    it.each([
      ['openarena', () => openArena.port, 3],
      ['minecraft', () => java.port, 17],
      ['mbe', () => bedrock.port, 3],
      ['rust', () => rust.port, 87],
      ['gta5f', () => fivem.port, 21],
    ])('queries %s', async (game, port, players) => {
      expect(await query([game, `127.0.0.1:${port()}`])).toMatchObject({
        online: true,
        playersOnline: players,
      });
    });

    it('goes through GameDig or the status API when told to', async () => {
      expect(
        await query(['openarena', `127.0.0.1:${openArena.port}`, '--provider', 'gamedig']),
      ).toMatchObject({
        online: true,
        playersOnline: 3,
      });
      expect(
        await query(['minecraft', 'mc.example.org', '--provider', 'minecraft-http'], {
          MCSRVSTAT_URL: mcsrvstat.url,
        }),
      ).toMatchObject({ online: true, playersOnline: 9, name: 'Via the API' });
    });

    it('queries a GameDig-only game (TeamSpeak 3) and reports refused', async () => {
      expect(await query(['teamspeak3', '127.0.0.1:1', '--timeout', '2000'])).toMatchObject({
        online: false,
        error: { code: 'refused' },
      });
    });
  });
});
