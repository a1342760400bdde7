/*
 * The providers library without its NestJS wiring: the registry, every provider, the
 * shared transports and the games table. index.ts adds ProvidersModule and ProvidersEnv
 * (NestJS, class-validator and #common's runtime, about 60 MB of modules) for the apps;
 * code that only queries (benchmarks, scripts) loads this file and skips them.
 */
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
  canonicalGameId,
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
export {
  BoundGameProvider,
  PROVIDER_CLASSES,
  ProviderRegistry,
  createProviderRegistry,
} from './provider.registry.js';
export type { UdpStats } from './transport/udp.js';
export { MinecraftProvider } from './minecraft/minecraft.provider.js';
// The wire format's building block and the caps on replies, for tests that play a hostile server.
export { MAX_STATUS_FRAME_BYTES, encodeVarInt } from './minecraft/minecraft.parser.js';
export { MAX_REASSEMBLED_BYTES } from './valve/a2s-packet.parser.js';
export { MinecraftBedrockProvider } from './minecraft-bedrock/minecraft-bedrock.provider.js';
export { ValveProvider } from './valve/valve.provider.js';
export { Quake3Provider } from './quake3/quake3.provider.js';
export { FiveMProvider } from './fivem/fivem.provider.js';
export { MinecraftHttpProvider } from './minecraft-http/minecraft-http.provider.js';
export { Cube2Provider } from './cube2/cube2.provider.js';
export { LuantiProvider } from './luanti/luanti.provider.js';
export { TeeworldsProvider } from './teeworlds/teeworlds.provider.js';
export { GameDigProvider } from './gamedig/gamedig.provider.js';
