import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { IsInt, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { toList } from '#common';
import type { ProvidersOptions } from './provider-services.js';

/**
 * The providers' environment variables, validated like every config namespace
 * (`validateEnv(ProvidersEnv, process.env)` from #common), turned into options by
 * {@link toProvidersOptions}.
 */
export class ProvidersEnv {
  /** Queries in flight to one host IP at most (many game servers often share one machine). */
  @IsInt()
  @Min(1)
  @Max(10_000)
  PROVIDER_PER_HOST_CONCURRENCY: number = 16;

  /** Least ms between the starts of two queries to one host IP; 0 for none. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  PROVIDER_PER_HOST_SPACING_MS: number = 0;

  /** Receive buffer asked for the shared UDP sockets (the kernel caps it at net.core.rmem_max). */
  @IsInt()
  @Min(65_536)
  @Max(1_073_741_824)
  PROVIDER_UDP_RECV_BUFFER_BYTES: number = 8 * 1024 * 1024;

  /** Resolvers to ask instead of the system's: `ip` or `ip:port`, comma-separated. */
  @Transform(toList)
  @Matches(/^[0-9A-Fa-f:.[\]]+$/u, { each: true, message: 'each server must be ip or ip:port' })
  PROVIDER_DNS_SERVERS: string[] = [];

  /** Games sent to another provider than their default: `game:provider,...`. */
  @Transform(toList)
  @Matches(/^[a-z0-9]+:[a-z0-9-]+$/u, {
    each: true,
    message: 'each route must be game:provider, e.g. minecraft:minecraft-http',
  })
  PROVIDER_ROUTES: string[] = [];

  /** Base URL of the mcsrvstat.us-style status API used by the `minecraft-http` provider. */
  @IsString()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  MCSRVSTAT_URL: string = 'https://api.mcsrvstat.us';
}

/** The options ProvidersModule.forRoot and createProviderRegistry take. */
export function toProvidersOptions(env: ProvidersEnv): ProvidersOptions {
  const routes: Record<string, string> = {};
  for (const route of env.PROVIDER_ROUTES) {
    const [game, provider] = route.split(':');
    if (game && provider) routes[game] = provider;
  }
  return {
    perHostConcurrency: env.PROVIDER_PER_HOST_CONCURRENCY,
    perHostSpacingMs: env.PROVIDER_PER_HOST_SPACING_MS,
    udpReceiveBufferBytes: env.PROVIDER_UDP_RECV_BUFFER_BYTES,
    dnsServers: env.PROVIDER_DNS_SERVERS,
    mcsrvstatUrl: env.MCSRVSTAT_URL.replace(/\/+$/u, ''),
    routes,
  };
}
