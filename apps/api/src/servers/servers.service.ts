import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  type NewServer,
  type PollJobData,
  pollJobId,
  QueueName,
  ScheduleEnv,
  ServerRepository,
  type ServerView,
  slotStartFor,
} from '#common';

@Injectable()
export class ServersService {
  constructor(
    private readonly servers: ServerRepository,
    private readonly schedule: ScheduleEnv,
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue<PollJobData>,
  ) {}

  list(limit: number, offset: number): Promise<{ items: ServerView[]; total: number }> {
    return this.servers.list({ limit, offset });
  }

  async get(id: number): Promise<ServerView> {
    const server = await this.servers.get(id);
    if (!server) throw new NotFoundException(`server ${id} does not exist`);
    return server;
  }

  create(server: NewServer): Promise<ServerView> {
    return this.servers.create(server);
  }

  /**
   * Removes the server from Odoo and cancels its poll for the current slot if it is
   * still waiting; the scheduler drops it from its catalog at the next sync.
   */
  async delete(id: number): Promise<void> {
    const server = await this.get(id);
    await this.servers.delete(id);
    const intervalMs = (server.pollIntervalS ?? this.schedule.POLL_INTERVAL_S) * 1000;
    const slot = slotStartFor(id, intervalMs, Date.now());
    // A job already being polled is locked and cannot be removed; that one poll
    // finishes and the writer drops its report because the server is gone.
    await this.pollQueue.remove(pollJobId(id, slot)).catch(() => 0);
  }
}
