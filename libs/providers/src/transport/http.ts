/*
 * HTTP GETs for the providers that speak HTTP (FiveM, the Minecraft status API), through
 * axios. Bodies come back as bytes under a hard size cap (axios stops reading past it,
 * decompressed bytes included), names resolve through the shared DNS cache, and every
 * failure is a ProviderError. axios and Node's HTTP stack are loaded on the first request,
 * so a worker polling only UDP and TCP games never pays for them (node:http alone is ~10 MB).
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AxiosInstance } from 'axios';
import { ProviderError, toProviderError } from '../provider.error.js';
import type { DnsCache } from './dns.js';

export interface HttpGetOptions {
  /** Aborting cancels the request with `timeout`. */
  signal: AbortSignal;
  /** The body may be at most this long; a longer one is a `protocol` failure. */
  maxBytes: number;
  headers?: Record<string, string>;
  /** Reuse connections (for an API polled often); off for game servers polled once a minute. */
  keepAlive?: boolean;
}

export interface HttpResult {
  status: number;
  body: Buffer;
  /** From sending the request to the whole body, in ms. */
  elapsedMs: number;
}

/** Identifies the poller to the servers and APIs it asks. */
export const USER_AGENT = 'game-server-status/0.1 (status poller)';

interface AgentPair {
  http: HttpAgent;
  https: HttpsAgent;
}

/** The axios instance and the connection pools, created together on the first request. */
interface HttpClient {
  axios: AxiosInstance;
  keepAlive: AgentPair;
  oneShot: AgentPair;
}

/** The providers' HTTP client: capped bodies, the DNS cache, ProviderErrors (see the header). */
export class HttpTransport {
  private client: Promise<HttpClient> | undefined;
  /** The same client once loaded, for close(), which must not wait. */
  private loaded: HttpClient | undefined;

  constructor(private readonly dns: DnsCache) {}

  /** GETs `url`; any status is returned, only transport failures and oversized bodies throw. */
  async get(url: string, opts: HttpGetOptions): Promise<HttpResult> {
    const client = await this.load();
    const agents = opts.keepAlive ? client.keepAlive : client.oneShot;
    const startedAt = performance.now();
    try {
      const response = await client.axios.get<ArrayBuffer>(url, {
        signal: opts.signal,
        responseType: 'arraybuffer',
        maxContentLength: opts.maxBytes,
        maxRedirects: 0,
        validateStatus: () => true,
        headers: { 'User-Agent': USER_AGENT, Accept: 'application/json', ...opts.headers },
        httpAgent: agents.http,
        httpsAgent: agents.https,
        lookup: async (hostname: string) => {
          const found = await this.dns.lookup(hostname, opts.signal);
          return { address: found.address, family: found.family };
        },
      });
      return {
        status: response.status,
        body: Buffer.from(response.data),
        elapsedMs: performance.now() - startedAt,
      };
    } catch (err) {
      throw httpError(err, opts);
    }
  }

  /** Closes pooled connections. */
  close(): void {
    const client = this.loaded;
    if (!client) return;
    for (const group of [client.keepAlive, client.oneShot]) {
      group.http.destroy();
      group.https.destroy();
    }
  }

  private load(): Promise<HttpClient> {
    this.client ??= Promise.all([import('axios'), import('node:http'), import('node:https')]).then(
      ([{ default: axios }, http, https]) =>
        (this.loaded = {
          // HTTP(S)_PROXY from the environment would route game-server traffic astray.
          axios: axios.create({ proxy: false, decompress: true }),
          keepAlive: {
            http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
            https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
          },
          oneShot: { http: new http.Agent(), https: new https.Agent() },
        }),
    );
    return this.client;
  }
}

function httpError(err: unknown, opts: HttpGetOptions): ProviderError {
  if (opts.signal.aborted) {
    return new ProviderError('timeout', 'no complete HTTP reply in time', { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/maxContentLength/u.test(message)) {
    return new ProviderError('protocol', `HTTP body exceeds ${opts.maxBytes} bytes`, {
      cause: err,
    });
  }
  // axios keeps the socket error as `cause`; its own wrapper has the same code.
  const cause = (err as { cause?: unknown }).cause;
  return toProviderError(cause instanceof Error ? cause : err);
}
