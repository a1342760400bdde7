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
 * Fans the catalog out into one poll job per server per interval slot. The job id
 * is built from server and slot, so a second scheduler, or this one restarted
 * inside a slot, adds nothing new while the first job is still kept.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SchedulerService.name);
  private catalog: CatalogServer[] | null = null;
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

  /** Re-reads the catalog; while Odoo is unreachable the last copy keeps being used. */
  async syncCatalog(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const servers = await this.servers.listCatalog();
      const ids = new Set(servers.map((s) => s.id));
      for (const id of this.enqueued.keys()) if (!ids.has(id)) this.enqueued.delete(id);
      this.catalog = servers;
    } catch (err) {
      this.logger.warn(
        `catalog sync failed, keeping ${this.catalog?.length ?? 0} known servers: ${(err as Error).message}`,
      );
    } finally {
      this.syncing = false;
    }
  }

  /** Enqueues every server whose current slot has not been enqueued yet. */
  async tick(now = Date.now()): Promise<number> {
    if (this.ticking || this.catalog === null) return 0;
    this.ticking = true;
    try {
      const due: { server: CatalogServer; slotStart: number; intervalS: number }[] = [];
      for (const server of this.catalog) {
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
