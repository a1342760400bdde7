import { InjectQueue } from '@nestjs/bullmq';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  type CatalogServer,
  type OutageLog,
  isConnectionError,
  JobName,
  OdooEnv,
  odooOutageLog,
  type PollJobData,
  PollerEnv,
  QueueName,
  pollJobId,
  ServerRepository,
  ScheduleEnv,
  slotStartFor,
} from '#common';
import { OdooError } from '#odoo-client';
import { GAMES } from '#providers';

/**
 * How far back each incremental sync reads again. Odoo's write_date has whole seconds, is the
 * time its transaction started (a longer one commits later), and comes from Odoo's clock, not
 * ours; a change read twice is harmless, a change missed waits for the next full sync.
 */
const CHANGE_OVERLAP_MS = 5_000;
/**
 * Jobs per addBulk. The first tick after a start finds every server due: one addBulk of
 * 50,000 jobs took the scheduler to ~750 MB peak RSS (~300 MB in chunks), and in chunks the
 * workers start polling after the first one.
 */
const ENQUEUE_CHUNK = 1_000;

/**
 * Fans the catalog out into one poll job per server per interval slot. The job id
 * is built from server and slot, so a second scheduler, or this one restarted
 * inside a slot, adds nothing new while the first job is still kept.
 *
 * The catalog lives in memory. It is read whole at start and every CATALOG_FULL_SYNC_MS;
 * in between, each sync reads only what changed (written or deleted since the last sync),
 * so Odoo's work per sync follows the changes, not the fleet.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SchedulerService.name);
  private catalog: Map<number, CatalogServer> | null = null;
  /** Our clock when the last successful sync, and the last full one, started. */
  private lastSync = 0;
  private lastFullSync = 0;
  /**
   * Slot last enqueued per server by this process, with the interval it was planned with:
   * spares Redis a no-op add every tick, and the tick the slot arithmetic until the next slot.
   */
  private readonly enqueued = new Map<number, { slotStart: number; intervalMs: number }>();
  private tickTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private syncing = false;
  /** Whether Odoo has the games' names from this process (sent once per start). */
  private gamesSent = false;
  private readonly odooOutage: OutageLog;

  constructor(
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue<PollJobData>,
    private readonly servers: ServerRepository,
    private readonly env: PollerEnv,
    private readonly schedule: ScheduleEnv,
    odoo: OdooEnv,
  ) {
    this.odooOutage = odooOutageLog(this.logger, odoo);
  }

  onApplicationBootstrap(): void {
    void this.syncCatalog();
    this.syncTimer = setInterval(() => void this.syncCatalog(), this.env.CATALOG_SYNC_MS);
    this.tickTimer = setInterval(() => void this.tick(), this.env.SCHEDULER_TICK_MS);
  }

  onModuleDestroy(): void {
    clearInterval(this.syncTimer);
    clearInterval(this.tickTimer);
  }

  /**
   * Brings the catalog up to date: whole when due, else only the changes since the last sync.
   * Archived and deleted servers leave it. While Odoo is unreachable the last copy keeps
   * being used, and the next sync reads everything changed since the last one that worked.
   */
  async syncCatalog(now = Date.now()): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      if (this.catalog === null || now - this.lastFullSync >= this.env.CATALOG_FULL_SYNC_MS) {
        const servers = await this.servers.listCatalog();
        this.catalog = new Map(servers.map((server) => [server.id, server]));
        for (const id of this.enqueued.keys()) if (!this.catalog.has(id)) this.enqueued.delete(id);
        this.lastFullSync = now;
      } else {
        const { changed, deleted } = await this.servers.catalogChanges(
          new Date(this.lastSync - CHANGE_OVERLAP_MS),
        );
        for (const server of changed) {
          if (server.active) this.catalog.set(server.id, server);
          else this.forget(server.id);
        }
        for (const id of deleted) this.forget(id);
      }
      this.lastSync = now;
      this.odooOutage.recovered();
      if (!this.gamesSent) await this.sendGameNames();
    } catch (err) {
      this.odooOutage.failed(
        `catalog sync failed, polling the ${this.catalog?.size ?? 0} servers known: ${(err as Error).message}`,
        this.env.CATALOG_SYNC_MS,
        err instanceof OdooError && !err.retryable,
      );
    } finally {
      this.syncing = false;
    }
  }

  /**
   * Gives Odoo the name of every game the poller knows, which its views show servers by (the
   * servers carry the id). Once per start, after a catalog read that worked; a refusal that
   * retrying cannot cure (an addon older than game.server.game) is said once and not retried.
   */
  private async sendGameNames(): Promise<void> {
    try {
      const { created, renamed } = await this.servers.syncGames(
        GAMES.map(({ id, name }) => ({ id, name })),
      );
      this.gamesSent = true;
      if (created + renamed > 0) {
        this.logger.log(`game names in Odoo: ${created} added, ${renamed} renamed`);
      }
    } catch (err) {
      if (err instanceof OdooError && !err.retryable) {
        this.gamesSent = true;
        this.logger.warn(
          `Odoo did not take the game names (update the addon to show games by name): ${err.message}`,
        );
        return;
      }
      throw err;
    }
  }

  private forget(serverId: number): void {
    this.catalog?.delete(serverId);
    this.enqueued.delete(serverId);
  }

  /** Enqueues every server whose current slot has not been enqueued yet. */
  async tick(now = Date.now()): Promise<number> {
    if (this.ticking || this.catalog === null) return 0;
    this.ticking = true;
    let added = 0;
    try {
      const due: { server: CatalogServer; slotStart: number; intervalS: number }[] = [];
      for (const server of this.catalog.values()) {
        const intervalS = server.pollIntervalS ?? this.schedule.POLL_INTERVAL_S;
        const intervalMs = intervalS * 1000;
        const last = this.enqueued.get(server.id);
        // Inside the slot already enqueued nothing is due: most servers are skipped here,
        // before the slot hash, which is the bulk of a tick's CPU over a large catalog.
        if (
          last?.intervalMs === intervalMs &&
          now >= last.slotStart &&
          now < last.slotStart + intervalMs
        ) {
          continue;
        }
        const slotStart = slotStartFor(server.id, intervalMs, now);
        if (last?.slotStart !== slotStart) due.push({ server, slotStart, intervalS });
      }
      // Oldest slot first. After a start every server is due at once, and in catalog order
      // the servers of one host sit side by side in the queue, so the workers would take
      // hundreds of them together and wait on the per-host limit. The slots' hashed phases
      // interleave the hosts.
      due.sort((a, b) => a.slotStart - b.slotStart);
      for (let i = 0; i < due.length; i += ENQUEUE_CHUNK) {
        const chunk = due.slice(i, i + ENQUEUE_CHUNK);
        await this.pollQueue.addBulk(
          chunk.map(({ server, slotStart, intervalS }) => ({
            name: JobName.PollServer,
            data: {
              serverId: server.id,
              game: server.game,
              host: server.host,
              port: server.queryPort ?? server.port,
              slotStart,
              intervalS,
            },
            opts: {
              jobId: pollJobId(server.id, slotStart),
              // Keep the finished job (and so its id) until its slot is over.
              removeOnComplete: { age: intervalS },
            },
          })),
        );
        for (const { server, slotStart, intervalS } of chunk) {
          this.enqueued.set(server.id, { slotStart, intervalMs: intervalS * 1000 });
        }
        added += chunk.length;
      }
      return added;
    } catch (err) {
      // Redis being away is said once by its connection, not by every tick.
      if (!isConnectionError(err)) {
        this.logger.warn(`tick failed, will retry next tick: ${(err as Error).message}`);
      }
      return added;
    } finally {
      this.ticking = false;
    }
  }
}
