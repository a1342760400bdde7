import { InjectQueue } from '@nestjs/bullmq';
import { FieldValidationException } from '../errors/field-validation.exception.js';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  JobName,
  type NewServer,
  type PollJobData,
  pollJobId,
  QueueName,
  ScheduleEnv,
  type ServerChanges,
  type ServerListQuery,
  ServerRepository,
  type ServerView,
  slotStartFor,
} from '#common';

/** How long a finished poll-now job is kept, for Bull Board and for a client asking about it. */
const POLL_NOW_KEEP_S = 3_600;

@Injectable()
export class ServersService {
  constructor(
    private readonly servers: ServerRepository,
    private readonly schedule: ScheduleEnv,
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue<PollJobData>,
  ) {}

  list(query: ServerListQuery): Promise<{ items: ServerView[]; total: number }> {
    return this.servers.list(query);
  }

  async get(id: number): Promise<ServerView> {
    const server = await this.servers.get(id);
    if (!server) throw new NotFoundException(`Server ${id} does not exist`);
    return server;
  }

  async create(server: NewServer): Promise<ServerView> {
    await this.checkCustomer(server.customerId);
    return this.servers.create(server);
  }

  /** The scheduler picks up a changed address, game or interval at its next catalog sync. */
  async update(id: number, changes: ServerChanges): Promise<ServerView> {
    await this.get(id);
    await this.checkCustomer(changes.customerId);
    return this.servers.update(id, changes);
  }

  /** A customer must be a contact Odoo has: said as a bad field, before anything is written. */
  private async checkCustomer(customerId: number | null | undefined): Promise<void> {
    if (typeof customerId === 'number' && !(await this.servers.customerExists(customerId))) {
      throw new FieldValidationException([
        { field: 'customerId', errors: [`customerId ${customerId} is not a contact in Odoo`] },
      ]);
    }
  }

  /**
   * Removes the server from Odoo and cancels its poll for the current slot if it is
   * still waiting; the scheduler drops it from its catalog at the next sync.
   */
  async delete(id: number): Promise<void> {
    const server = await this.get(id);
    await this.servers.delete(id);
    const slot = slotStartFor(id, this.intervalMs(server), Date.now());
    // A job already being polled is locked and cannot be removed; that one poll
    // finishes and the writer drops its report because the server is gone.
    await this.pollQueue.remove(pollJobId(id, slot)).catch(() => 0);
  }

  /**
   * Queries the server as soon as a worker is free, outside its schedule. The job id starts
   * with `poll-now-`, which no slot job id (`poll-<id>-<slot>`) can, and the report's slot is
   * the request time, so neither the poll nor its report collides with a scheduled one.
   */
  async pollNow(id: number): Promise<{ jobId: string; serverId: number }> {
    const server = await this.get(id);
    if (!server.active) throw new ConflictException(`Server ${id} is archived; activate it first`);
    const requestedAt = Date.now();
    const jobId = `poll-now-${id}-${requestedAt}`;
    await this.pollQueue.add(
      JobName.PollServer,
      {
        serverId: id,
        game: server.game,
        host: server.host,
        port: server.queryPort ?? server.port,
        slotStart: requestedAt,
        intervalS: this.intervalMs(server) / 1000,
      },
      // lifo: the next free worker takes it, ahead of the scheduled backlog.
      { jobId, lifo: true, removeOnComplete: { age: POLL_NOW_KEEP_S } },
    );
    return { jobId, serverId: id };
  }

  private intervalMs(server: ServerView): number {
    return (server.pollIntervalS ?? this.schedule.POLL_INTERVAL_S) * 1000;
  }
}
