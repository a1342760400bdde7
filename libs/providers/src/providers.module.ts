import { Module } from '@nestjs/common';
import type { GameProvider } from './game-provider.js';
import { PROVIDER_CLASSES, ProviderRegistry } from './provider.registry.js';

/**
 * Makes every game provider and the {@link ProviderRegistry} injectable. Import it in a
 * module and inject `ProviderRegistry` to query any supported game.
 */
@Module({
  providers: [
    ...PROVIDER_CLASSES,
    {
      provide: ProviderRegistry,
      useFactory: (...providers: GameProvider[]) => new ProviderRegistry(providers),
      inject: [...PROVIDER_CLASSES],
    },
  ],
  exports: [ProviderRegistry, ...PROVIDER_CLASSES],
})
export class ProvidersModule {}
