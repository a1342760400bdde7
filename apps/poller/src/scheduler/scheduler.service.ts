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
  JobName,
  type PollJobData,
  PollerEnv,
  QueueName,
  pollJobId,
  ServerRepository,
  ScheduleEnv,
  slotStartFor,
} from '#common';

/**
 * How far back each incremental sync reads again. Odoo's write_date has whole seconds, is the
 * time its transaction started (a longer one commits later), and comes from Odoo's clock, not
 * ours; a change read twice is harmless, a change missed waits for the next full sync.
 */
const CHANGE_OVERLAP_MS = 5_000;

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
  /** Slot last enqueued per server by this process: spares Redis a no-op add every tick. */
  private readonly enqueued = new Map<number, number>();
  private tickTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private syncing = false;

  constructor(
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue<PollJobData>,
    private readonly servers: ServerRepository,
    private readonly env: PollerEnv,
    private readonly schedule: ScheduleEnv,
  ) {}

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
    } catch (err) {
      this.logger.warn(
        `catalog sync failed, keeping ${this.catalog?.size ?? 0} known servers: ${(err as Error).message}`,
      );
    } finally {
      this.syncing = false;
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
    try {
      const due: { server: CatalogServer; slotStart: number; intervalS: number }[] = [];
      for (const server of this.catalog.values()) {
        const intervalS = server.pollIntervalS ?? this.schedule.POLL_INTERVAL_S;
        const slotStart = slotStartFor(server.id, intervalS * 1000, now);
        if (this.enqueued.get(server.id) !== slotStart) due.push({ server, slotStart, intervalS });
      }
      if (due.length === 0) return 0;
      await this.pollQueue.addBulk(
        due.map(({ server, slotStart, intervalS }) => ({
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
      for (const { server, slotStart } of due) this.enqueued.set(server.id, slotStart);
      return due.length;
    } catch (err) {
      this.logger.warn(`tick failed, will retry next tick: ${(err as Error).message}`);
      return 0;
    } finally {
      this.ticking = false;
    }
  }
}
