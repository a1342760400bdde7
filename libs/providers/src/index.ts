export {
  ProviderError,
  isProviderError,
  toProviderError,
  type SocketPhase,
} from './provider.error.js';
export {
  GameProvider,
  type AttemptContext,
  type GameDefinition,
  type QueryOptions,
  type QueryTarget,
  type ResolvedTarget,
  type Transport,
} from './game-provider.js';
export { GAMES, GAME_IDS, gamesOfProvider, type GameEntry } from './games.js';
export { ProviderRegistry, PROVIDER_CLASSES, createProviderRegistry } from './provider.registry.js';
export { ProvidersModule } from './providers.module.js';
export { MinecraftProvider } from './minecraft/minecraft.provider.js';
