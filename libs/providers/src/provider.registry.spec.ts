import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { GameDigProvider } from './gamedig/gamedig.provider.js';
import { GAMES } from './games.js';
import { MinecraftBedrockProvider } from './minecraft-bedrock/minecraft-bedrock.provider.js';
import { MinecraftHttpProvider } from './minecraft-http/minecraft-http.provider.js';
import { MinecraftProvider } from './minecraft/minecraft.provider.js';
import { ProviderServices } from './provider-services.js';
import { ProviderError } from './provider.error.js';
import { ProviderRegistry, createProviderRegistry } from './provider.registry.js';
import { ProvidersModule } from './providers.module.js';
import { Quake3Provider } from './quake3/quake3.provider.js';
import { Cube2Provider } from './cube2/cube2.provider.js';
import { LuantiProvider } from './luanti/luanti.provider.js';
import { TeeworldsProvider } from './teeworlds/teeworlds.provider.js';
import { ValveProvider } from './valve/valve.provider.js';

function unsupported(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).code).toBe('unsupported');
    return err as ProviderError;
  }
  throw new Error('expected a ProviderError');
}

describe('ProviderRegistry', () => {
  const { registry: sut, services } = createProviderRegistry();
  afterAll(() => services.close());

  it('finds the provider of a game by its GameDig id, bound to that game', () => {
    const bound = sut.get('minecraft');
    expect(bound.provider).toBeInstanceOf(MinecraftProvider);
    expect(bound.id).toBe('minecraft');
    expect(bound.transport).toBe('tcp');
    expect(bound.game).toMatchObject({ id: 'minecraft', defaultPort: 25565 });
    expect(sut.has('minecraft')).toBe(true);
  });

  it('gives the native providers the games they take over from GameDig', () => {
    expect(sut.get('counterstrike2').provider).toBeInstanceOf(ValveProvider);
    expect(sut.get('rust').provider).toBeInstanceOf(ValveProvider);
    expect(sut.get('openarena').provider).toBeInstanceOf(Quake3Provider);
    expect(sut.get('sauerbraten').provider).toBeInstanceOf(Cube2Provider);
    expect(sut.get('luanti').provider).toBeInstanceOf(LuantiProvider);
    expect(sut.get('ddnet').provider).toBeInstanceOf(TeeworldsProvider);
    expect(sut.get('teeworlds').provider).toBeInstanceOf(TeeworldsProvider);
    expect(sut.get('urbanterror').provider).toBeInstanceOf(Quake3Provider);
    expect(sut.get('mbe').provider).toBeInstanceOf(MinecraftBedrockProvider);
    expect(sut.get('gta5f').id).toBe('fivem');
    expect(sut.get('rdr2r').id).toBe('fivem');
    // Games whose status lives in A2S_RULES stay with GameDig.
    expect(sut.get('battalion1944').provider).toBeInstanceOf(GameDigProvider);
    expect(sut.get('teamspeak3').provider).toBeInstanceOf(GameDigProvider);
  });

  it('knows every GameDig game, with the query port as the default port', () => {
    expect(sut.games()).toHaveLength(GAMES.length);
    expect(sut.games().length).toBeGreaterThan(300);
    expect(sut.games().find((g) => g.id === 'valheim')).toEqual({
      id: 'valheim',
      name: 'Valheim',
      provider: 'valve',
      aliases: [],
      defaultPort: 2457,
      gamePort: 2456,
      queryPortOffset: 1,
    });
    expect(sut.games().find((g) => g.id === 'ase')).toMatchObject({
      defaultPort: 27015,
      gamePort: 7777,
    });
  });

  it("answers GameDig's former ids as the current ones, bound under the current id", () => {
    const ark = sut.get('arkse');
    expect(ark.provider).toBeInstanceOf(ValveProvider);
    expect(ark.game).toMatchObject({ id: 'ase', aliases: ['arkse'] });
    expect(sut.get('tf2').game.id).toBe('teamfortress2');
    expect(sut.get('minecraftbe').provider).toBeInstanceOf(MinecraftBedrockProvider);
    expect(sut.get('arkse', 'gamedig').game.id).toBe('ase');
    expect(sut.has('arkse')).toBe(true);
    expect(sut.providersFor('arkse')).toEqual(['valve', 'gamedig']);
    // The list holds each game once, under its current id.
    expect(sut.games().some((g) => g.id === 'arkse')).toBe(false);
  });

  it('takes a route given by a former id', () => {
    const services2 = new ProviderServices();
    const sut2 = new ProviderRegistry(
      [new ValveProvider(services2), new GameDigProvider(services2)],
      { arkse: 'gamedig' },
    );
    expect(sut2.get('ase').id).toBe('gamedig');
    expect(sut2.get('arkse').id).toBe('gamedig');
  });

  it('lists the games sorted by id', () => {
    const ids = sut.games().map((g) => g.id);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });

  it('throws unsupported for an unknown game or a provider that cannot answer it', () => {
    unsupported(() => sut.get('tetris'));
    expect(sut.has('tetris')).toBe(false);
    unsupported(() => sut.get('openarena', 'valve'));
    unsupported(() => sut.get('minecraft', 'nope'));
  });

  it('hands out another able provider for one query, and lists the able ones', () => {
    expect(sut.get('minecraft', 'minecraft-http').provider).toBeInstanceOf(MinecraftHttpProvider);
    expect(sut.get('rust', 'gamedig').provider).toBeInstanceOf(GameDigProvider);
    expect(sut.providersFor('minecraft')).toEqual(['minecraft', 'minecraft-http', 'gamedig']);
    expect(sut.providersFor('teamspeak3')).toEqual(['gamedig']);
  });

  it('routes a game to another provider for good', () => {
    const services2 = new ProviderServices();
    const sut2 = new ProviderRegistry(
      [new MinecraftProvider(services2), new MinecraftHttpProvider(services2)],
      { minecraft: 'minecraft-http', mbe: 'minecraft-http' },
    );
    expect(sut2.get('minecraft').id).toBe('minecraft-http');
    expect(sut2.games().map((g) => `${g.id}:${g.provider}`)).toEqual([
      'mbe:minecraft-http',
      'minecraft:minecraft-http',
    ]);
  });

  it('refuses wiring and routing mistakes at construction', () => {
    const s = new ProviderServices();
    expect(
      () => new ProviderRegistry([new MinecraftProvider(s), new MinecraftProvider(s)]),
    ).toThrow(/two providers with id 'minecraft'/);
    expect(() => new ProviderRegistry([new ValveProvider(s)], { openarena: 'valve' })).toThrow(
      /cannot answer game 'openarena'/,
    );
    expect(() => new ProviderRegistry([new ValveProvider(s)], { rust: 'gamedig' })).toThrow(
      /unknown provider 'gamedig'/,
    );
  });
});

describe('ProvidersModule', () => {
  it('provides the registry with every provider over one shared services object', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProvidersModule] }).compile();
    const sut = moduleRef.get(ProviderRegistry);
    expect(sut.get('minecraft').provider).toBe(moduleRef.get(MinecraftProvider));
    expect(moduleRef.get(ProviderServices).options.perHostConcurrency).toBe(16);
    await moduleRef.close();
  });

  it('takes options through forRoot, routes included', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ProvidersModule.forRoot({ perHostConcurrency: 3, routes: { rust: 'gamedig' } })],
    }).compile();
    expect(moduleRef.get(ProviderServices).options.perHostConcurrency).toBe(3);
    expect(moduleRef.get(ProviderRegistry).get('rust').id).toBe('gamedig');
    await moduleRef.close();
  });

  it('closes the shared UDP socket when the module shuts down', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProvidersModule] }).compile();
    await moduleRef.init();
    const services = moduleRef.get(ProviderServices);
    await moduleRef.close();
    expect(() =>
      services.udp.open({ address: '127.0.0.1', port: 9 }, AbortSignal.timeout(100)),
    ).toThrow(/closed/);
  });
});
