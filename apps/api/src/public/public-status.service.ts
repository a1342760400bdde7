import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiEnv, type PublicServer, type PublicStatus, ServerRepository } from '#common';

/** How long the last good data is served when Odoo cannot answer, before the page says so. */
const STALE_MAX_MS = 10 * 60_000;

/** The public data as the pages read it: the list, each server by its slug, and when it was read. */
export interface PublicSnapshot {
  status: PublicStatus;
  bySlug: ReadonlyMap<string, PublicServer>;
  /** When Odoo answered (ms since the epoch). */
  readAt: number;
}

/**
 * The published servers for the public pages, from one Odoo call per PUBLIC_CACHE_S: every
 * request within the period is answered from memory, and the requests that arrive while the
 * call is out wait for that same call (one in flight, never one per request). When Odoo fails,
 * the next try waits a period too, so a crowd never turns into a stream of calls to a failing
 * Odoo; meanwhile the last data is served for up to 10 minutes, then the pages answer 503.
 */
@Injectable()
export class PublicStatusService {
  private readonly logger = new Logger(PublicStatusService.name);
  private snapshot: PublicSnapshot | null = null;
  private inFlight: Promise<PublicSnapshot> | null = null;
  /** When the last call failed (ms since the epoch); 0 after a success. */
  private failedAt = 0;

  constructor(
    private readonly servers: ServerRepository,
    private readonly api: ApiEnv,
  ) {}

  async current(): Promise<PublicSnapshot> {
    const now = Date.now();
    const period = this.api.PUBLIC_CACHE_S * 1000;
    if (this.snapshot && now - this.snapshot.readAt < period) return this.snapshot;
    if (now - this.failedAt < period) return this.stale(now);
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = null;
    });
    try {
      return await this.inFlight;
    } catch (error) {
      if (now - this.failedAt >= period) {
        this.failedAt = Date.now();
        this.logger.warn(`public status: Odoo did not answer: ${String(error)}`);
      }
      return this.stale(now);
    }
  }

  /** The last data while it is recent enough, else 503. */
  private stale(now: number): PublicSnapshot {
    if (this.snapshot && now - this.snapshot.readAt < STALE_MAX_MS) return this.snapshot;
    throw new ServiceUnavailableException('The status of the servers cannot be read right now');
  }

  private async read(): Promise<PublicSnapshot> {
    const status = await this.servers.publicStatus();
    this.snapshot = {
      status,
      bySlug: new Map(status.servers.map((server) => [server.slug, server])),
      readAt: Date.now(),
    };
    this.failedAt = 0;
    return this.snapshot;
  }
}
