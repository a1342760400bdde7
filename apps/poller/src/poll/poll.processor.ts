import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { type PollJobData, PollerEnv, QueueName } from '#common';
import { PollService } from './poll.service.js';

/** Thin adapter from the poll queue to PollService. */
@Processor(QueueName.Poll)
export class PollProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(PollProcessor.name);

  constructor(
    private readonly polls: PollService,
    private readonly env: PollerEnv,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    // Decorator options are static; the configured concurrency is applied here.
    this.worker.concurrency = this.env.POLL_CONCURRENCY;
  }

  async process(job: Job<PollJobData>): Promise<{ online: boolean } | { expired: true }> {
    const report = await this.polls.poll(job.data);
    return report ? { online: report.online } : { expired: true };
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<PollJobData> | undefined, err: Error): void {
    this.logger.error(`poll job ${job?.id ?? '?'} failed: ${err.message}`);
  }
}
