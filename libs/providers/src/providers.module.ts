import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { GameProvider } from './game-provider.js';
import { ProviderServices, type ProvidersOptions } from './provider-services.js';
import { PROVIDER_CLASSES, ProviderRegistry } from './provider.registry.js';

/** Injection token of the options the module was given. */
export const PROVIDERS_OPTIONS = Symbol('PROVIDERS_OPTIONS');

function moduleProviders(options: Partial<ProvidersOptions>): Provider[] {
  return [
    { provide: PROVIDERS_OPTIONS, useValue: options },
    // One per module instance, so one UDP socket pair per worker process; closed on shutdown.
    {
      provide: ProviderServices,
      useFactory: (opts: Partial<ProvidersOptions>) => new ProviderServices(opts),
      inject: [PROVIDERS_OPTIONS],
    },
    ...PROVIDER_CLASSES.map((Provider) => ({
      provide: Provider,
      useFactory: (services: ProviderServices) => new Provider(services),
      inject: [ProviderServices],
    })),
    {
      provide: ProviderRegistry,
      useFactory: (services: ProviderServices, ...providers: GameProvider[]) =>
        new ProviderRegistry(providers, services.options.routes),
      inject: [ProviderServices, ...PROVIDER_CLASSES],
    },
  ];
}

const EXPORTS = [ProviderRegistry, ProviderServices, ...PROVIDER_CLASSES];

/**
 * Makes every game provider and the {@link ProviderRegistry} injectable. Import it as is
 * for the defaults, or `ProvidersModule.forRoot(options)`, and inject `ProviderRegistry`
 * to query any supported game.
 */
@Module({ providers: moduleProviders({}), exports: EXPORTS })
export class ProvidersModule {
  static forRoot(options: Partial<ProvidersOptions>): DynamicModule {
    return { module: ProvidersModule, providers: moduleProviders(options), exports: EXPORTS };
  }
}
