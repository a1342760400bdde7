import { DnsCache } from './transport/dns.js';
import { HostLimiter } from './transport/host-limiter.js';
import { HttpTransport } from './transport/http.js';
import { UdpTransport } from './transport/udp.js';

/** How the providers of one process behave; every field has a default (see {@link DEFAULT_PROVIDERS_OPTIONS}). */
export interface ProvidersOptions {
  /** Queries in flight to one host IP at most (env PROVIDER_PER_HOST_CONCURRENCY). */
  perHostConcurrency: number;
  /** Least ms between the starts of two queries to one host IP (env PROVIDER_PER_HOST_SPACING_MS). */
  perHostSpacingMs: number;
  /** Receive buffer asked for the shared UDP sockets (env PROVIDER_UDP_RECV_BUFFER_BYTES). */
  udpReceiveBufferBytes: number;
  /** Resolvers to ask instead of the system's, `ip` or `ip:port` (env PROVIDER_DNS_SERVERS). */
  dnsServers: readonly string[];
  /** Base URL of the mcsrvstat.us-style status API (env MCSRVSTAT_URL). */
  mcsrvstatUrl: string;
  /**
   * Games answered by another provider than their default, game id to provider id, e.g.
   * `{ minecraft: 'minecraft-http' }` (env PROVIDER_ROUTES=minecraft:minecraft-http).
   */
  routes: Readonly<Record<string, string>>;
}

/** The options used for any field not given (also the environment's defaults). */
export const DEFAULT_PROVIDERS_OPTIONS: ProvidersOptions = {
  perHostConcurrency: 16,
  perHostSpacingMs: 0,
  udpReceiveBufferBytes: 8 * 1024 * 1024,
  dnsServers: [],
  mcsrvstatUrl: 'https://api.mcsrvstat.us',
  routes: {},
};

/**
 * The machinery every provider of a process shares: one UDP socket pair, one DNS cache,
 * one per-host limiter, one HTTP client. Create one per process (ProvidersModule does)
 * and close it on shutdown.
 */
export class ProviderServices {
  readonly options: ProvidersOptions;
  readonly udp: UdpTransport;
  readonly dns: DnsCache;
  readonly hosts: HostLimiter;
  readonly http: HttpTransport;

  constructor(options: Partial<ProvidersOptions> = {}) {
    this.options = { ...DEFAULT_PROVIDERS_OPTIONS, ...options };
    this.udp = new UdpTransport({ receiveBufferBytes: this.options.udpReceiveBufferBytes });
    this.dns = new DnsCache({ servers: this.options.dnsServers });
    this.hosts = new HostLimiter({
      concurrency: this.options.perHostConcurrency,
      spacingMs: this.options.perHostSpacingMs,
    });
    this.http = new HttpTransport(this.dns);
  }

  /** Closes the sockets and pooled connections; queries still running fail. */
  async close(): Promise<void> {
    this.http.close();
    await this.udp.close();
  }

  /** Nest calls this when the module holding it shuts down. */
  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
