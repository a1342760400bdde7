/*
 * A DNS cache for the poller: a fleet polls the same names every minute, and asking the
 * resolver each time costs latency and load for nothing. Answers are kept for their TTL
 * (A/AAAA through the resolver, which reports TTLs), concurrent lookups of one name share
 * one query, "no such name" is remembered briefly, and when the resolver fails an answer
 * that expired not long ago is served instead (RFC 8767) so a resolver outage does not
 * turn the whole fleet offline. SRV records (RFC 2782) are cached too.
 */
import dns from 'node:dns';
import net from 'node:net';
import { ProviderError, toProviderError } from '../provider.error.js';

export interface DnsCacheOptions {
  /**
   * Resolver addresses (`ip` or `ip:port`); default: the system's (/etc/resolv.conf). When
   * set, only these are asked: names missing from DNS are not looked up in /etc/hosts.
   */
  servers?: readonly string[] | undefined;
  /** Longest time an answer is kept, in seconds, whatever its TTL. */
  maxTtlS?: number;
  /** How long "no such name" and "no SRV record" are kept, in seconds. */
  negativeTtlS?: number;
  /** How long past its TTL an answer may still be served when the resolver fails, in seconds. */
  staleTtlS?: number;
  /** Names kept at most; the oldest go first. */
  maxEntries?: number;
}

/** An address to send to, and its family. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** One SRV record: where a service really lives. */
export interface SrvTarget {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

interface Entry<T> {
  value: T | undefined;
  /** Lookup error to repeat while the entry is fresh (a negative answer). */
  error: ProviderError | undefined;
  expiresAt: number;
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME', 'EAI_NONAME', 'EAI_NODATA']);
/** Answers from /etc/hosts have no TTL; keep them this long. */
const HOSTS_FILE_TTL_S = 60;
/** Node reports no TTL for SRV records; keep them this long. */
const SRV_TTL_S = 300;

/** RFC 6761: `localhost` names are loopback and never go to a resolver. */
function loopbackOf(host: string): ResolvedAddress | undefined {
  const name = host.toLowerCase().replace(/\.$/u, '');
  return name === 'localhost' || name.endsWith('.localhost')
    ? { address: '127.0.0.1', family: 4 }
    : undefined;
}

/**
 * Resolves names with caching; see the file header. IPv4 is preferred when a name has both
 * A and AAAA records (game servers most often listen on IPv4 only); IPv6 literals and
 * AAAA-only names resolve to IPv6.
 */
export class DnsCache {
  private readonly resolver: dns.promises.Resolver;
  private readonly addresses = new Map<string, Entry<ResolvedAddress>>();
  private readonly services = new Map<string, Entry<SrvTarget[]>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly maxTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly staleTtlMs: number;
  private readonly maxEntries: number;
  private readonly systemFallback: boolean;
  /** Resolver round trips made, for tests and monitoring. */
  queries = 0;

  constructor(options: DnsCacheOptions = {}) {
    this.resolver = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
    this.systemFallback = !options.servers || options.servers.length === 0;
    if (!this.systemFallback) this.resolver.setServers(options.servers ?? []);
    this.maxTtlMs = (options.maxTtlS ?? 3600) * 1000;
    this.negativeTtlMs = (options.negativeTtlS ?? 30) * 1000;
    this.staleTtlMs = (options.staleTtlS ?? 3600) * 1000;
    this.maxEntries = options.maxEntries ?? 50_000;
  }

  /** The address to use for `host` (an IP literal is returned as it is). */
  async lookup(host: string, signal: AbortSignal): Promise<ResolvedAddress> {
    const family = net.isIP(host);
    if (family === 4 || family === 6) return { address: host, family };
    const loopback = loopbackOf(host);
    if (loopback) return loopback;
    const name = host.toLowerCase();
    return this.cached(this.addresses, name, signal, () => this.resolveAddress(name));
  }

  /**
   * The SRV records of `name` (e.g. `_minecraft._tcp.example.org`) in the order to try
   * them: lowest priority first, and within one priority a weighted random order.
   * An empty list when the name has no SRV record.
   */
  async srv(name: string, signal: AbortSignal): Promise<SrvTarget[]> {
    const key = name.toLowerCase();
    const records = await this.cached(this.services, key, signal, () => this.resolveSrv(key));
    return orderSrv(records);
  }

  private async cached<T>(
    map: Map<string, Entry<T>>,
    key: string,
    signal: AbortSignal,
    resolve: () => Promise<{ value: T; ttlMs: number }>,
  ): Promise<T> {
    const entry = map.get(key);
    const now = Date.now();
    if (entry && entry.expiresAt > now) {
      if (entry.error) throw entry.error;
      if (entry.value !== undefined) return entry.value;
    }
    const flightKey = `${map === this.addresses ? 'a' : 'srv'}:${key}`;
    let pending = this.inFlight.get(flightKey) as Promise<T> | undefined;
    if (!pending) {
      pending = this.refresh(map, key, entry, resolve).finally(() =>
        this.inFlight.delete(flightKey),
      );
      this.inFlight.set(flightKey, pending);
    }
    return abortable(pending, signal);
  }

  private async refresh<T>(
    map: Map<string, Entry<T>>,
    key: string,
    previous: Entry<T> | undefined,
    resolve: () => Promise<{ value: T; ttlMs: number }>,
  ): Promise<T> {
    try {
      const { value, ttlMs } = await resolve();
      this.store(map, key, {
        value,
        error: undefined,
        expiresAt: Date.now() + Math.min(ttlMs, this.maxTtlMs),
      });
      return value;
    } catch (err) {
      const error = dnsError(key, err);
      if (isNotFound(err)) {
        this.store(map, key, {
          value: undefined,
          error,
          expiresAt: Date.now() + this.negativeTtlMs,
        });
        throw error;
      }
      if (previous?.value !== undefined && Date.now() - previous.expiresAt < this.staleTtlMs) {
        return previous.value;
      }
      throw error;
    }
  }

  private store<T>(map: Map<string, Entry<T>>, key: string, entry: Entry<T>): void {
    map.delete(key);
    map.set(key, entry);
    if (map.size > this.maxEntries) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }

  private async resolveAddress(name: string): Promise<{ value: ResolvedAddress; ttlMs: number }> {
    this.queries++;
    const [v4, v6] = await Promise.allSettled([
      this.resolver.resolve4(name, { ttl: true }),
      this.resolver.resolve6(name, { ttl: true }),
    ]);
    for (const [result, family] of [
      [v4, 4],
      [v6, 6],
    ] as const) {
      if (result.status === 'fulfilled' && result.value.length > 0) {
        const ttlS = Math.min(...result.value.map((r) => r.ttl));
        const first = result.value[0]!;
        return { value: { address: first.address, family }, ttlMs: Math.max(ttlS, 1) * 1000 };
      }
    }
    // Names that only the hosts file knows (a LAN box, a container name) are not in DNS.
    if (v4.status === 'rejected' && (!isNotFound(v4.reason) || !this.systemFallback)) {
      throw v4.reason;
    }
    const found = await dns.promises.lookup(name, { family: 0 });
    const family = found.family === 6 ? 6 : 4;
    return { value: { address: found.address, family }, ttlMs: HOSTS_FILE_TTL_S * 1000 };
  }

  private async resolveSrv(name: string): Promise<{ value: SrvTarget[]; ttlMs: number }> {
    this.queries++;
    try {
      const records = await this.resolver.resolveSrv(name);
      return { value: records, ttlMs: SRV_TTL_S * 1000 };
    } catch (err) {
      // No SRV record is the common case, and an answer in itself: cache it like one.
      if (isNotFound(err)) return { value: [], ttlMs: this.negativeTtlMs };
      throw err;
    }
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isNotFound(err: unknown): boolean {
  const code = errorCode(err);
  return code !== undefined && NOT_FOUND.has(code);
}

function dnsError(name: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const why = isNotFound(err) ? 'no such name' : (errorCode(err) ?? String(err));
  return new ProviderError('dns', `cannot resolve ${name}: ${why}`, { cause: err });
}

/** RFC 2782 order: priorities ascending; within a priority, weighted random selection. */
export function orderSrv(records: readonly SrvTarget[], random = Math.random): SrvTarget[] {
  const byPriority = new Map<number, SrvTarget[]>();
  for (const record of records) {
    // "." as the target means the service is decidedly not available at this name.
    if (record.name === '' || record.name === '.') continue;
    const group = byPriority.get(record.priority) ?? [];
    group.push(record);
    byPriority.set(record.priority, group);
  }
  const ordered: SrvTarget[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const group = [...(byPriority.get(priority) ?? [])];
    while (group.length > 0) {
      const total = group.reduce((sum, r) => sum + r.weight, 0);
      let pick = random() * total;
      let index = group.findIndex((r) => (pick -= r.weight) < 0);
      if (index < 0) index = 0; // all weights zero: take them in the order given
      ordered.push(...group.splice(index, 1));
    }
  }
  return ordered;
}

/** Waits for `work`, or rejects with `timeout` when `signal` aborts (the work goes on). */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(new ProviderError('timeout', 'aborted during name resolution'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ProviderError('timeout', 'aborted during name resolution'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(toProviderError(err));
      },
    );
  });
}
