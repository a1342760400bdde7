export {
  ProviderError,
  isProviderError,
  toProviderError,
  type SocketPhase,
} from './provider.error.js';
export {
  GameProvider,
  followUpBudgetMs,
  type AttemptContext,
  type GameDefinition,
  type HostPort,
  type QueryOptions,
  type QueryTarget,
  type ResolvedTarget,
  type Transport,
} from './game-provider.js';
export {
  GAMES,
  GAME_IDS,
  findGame,
  gamesOfProvider,
  queryPortHint,
  type GameEntry,
} from './games.js';
export {
  DEFAULT_PROVIDERS_OPTIONS,
  ProviderServices,
  type ProvidersOptions,
} from './provider-services.js';
export { ProvidersEnv, toProvidersOptions } from './providers.env.js';
export {
  BoundGameProvider,
  PROVIDER_CLASSES,
  ProviderRegistry,
  createProviderRegistry,
} from './provider.registry.js';
export { PROVIDERS_OPTIONS, ProvidersModule } from './providers.module.js';
export type { UdpStats } from './transport/udp.js';
export { MinecraftProvider } from './minecraft/minecraft.provider.js';
export { MinecraftBedrockProvider } from './minecraft-bedrock/minecraft-bedrock.provider.js';
export { ValveProvider } from './valve/valve.provider.js';
export { Quake3Provider } from './quake3/quake3.provider.js';
export { FiveMProvider } from './fivem/fivem.provider.js';
export { MinecraftHttpProvider } from './minecraft-http/minecraft-http.provider.js';
export { GameDigProvider } from './gamedig/gamedig.provider.js';
