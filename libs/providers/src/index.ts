export * from './core.js';
export { ProvidersEnv, toProvidersOptions } from './providers.env.js';
export { PROVIDERS_OPTIONS, ProvidersModule } from './providers.module.js';
