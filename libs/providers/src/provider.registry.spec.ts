import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { MinecraftProvider } from './minecraft/minecraft.provider.js';
import { ProviderError } from './provider.error.js';
import { ProviderRegistry, createProviderRegistry } from './provider.registry.js';
import { ProvidersModule } from './providers.module.js';

describe('ProviderRegistry', () => {
  const sut = createProviderRegistry();

  it('finds the provider of a game by its GameDig id', () => {
    expect(sut.get('minecraft')).toBeInstanceOf(MinecraftProvider);
    expect(sut.has('minecraft')).toBe(true);
  });

  it('throws unsupported for an unknown game', () => {
    expect(() => sut.get('tetris')).toThrow(ProviderError);
    try {
      sut.get('tetris');
    } catch (err) {
      expect((err as ProviderError).code).toBe('unsupported');
    }
    expect(sut.has('tetris')).toBe(false);
  });

  it('lists the games with provider and default port', () => {
    expect(sut.games()).toEqual([
      { id: 'minecraft', name: 'Minecraft', provider: 'minecraft', defaultPort: 25565 },
    ]);
  });

  it('refuses two providers claiming one game', () => {
    expect(() => new ProviderRegistry([new MinecraftProvider(), new MinecraftProvider()])).toThrow(
      /claimed by providers/,
    );
  });
});

describe('ProvidersModule', () => {
  it('provides the registry with every provider', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProvidersModule] }).compile();
    const sut = moduleRef.get(ProviderRegistry);
    expect(sut.get('minecraft')).toBe(moduleRef.get(MinecraftProvider));
    await moduleRef.close();
  });
});
