import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Optional } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  isSlotOver,
  JobName,
  offlineReport,
  onlineReport,
  type PollJobData,
  PollerEnv,
  QueueName,
  type ReportJobData,
  reportJobId,
  type StatusReport,
} from '#common';
import { ProviderError, ProviderRegistry } from '#providers';
import { PollerMetrics } from '../metrics/poller-metrics.service.js';

/** Queries one server and hands the outcome, online or not, to the writer. */
@Injectable()
export class PollService {
  constructor(
    private readonly providers: ProviderRegistry,
    private readonly env: PollerEnv,
    @InjectQueue(QueueName.Report) private readonly reportQueue: Queue<ReportJobData>,
    /** Present when METRICS_PORT is set. */
    @Optional() private readonly metrics?: PollerMetrics,
  ) {}

  /**
   * Queries the server and queues its report; skips (null) a job whose slot is already over,
   * as one left waiting behind a backlog or recovered from a dead worker too late is.
   */
  async poll(job: PollJobData, signal?: AbortSignal): Promise<StatusReport | null> {
    // One reading of the clock both admits the poll and dates its report: read twice, a poll
    // admitted in the last millisecond of its slot could be dated in the next one, which then
    // holds two reports of this server.
    const checkedAt = new Date();
    if (isSlotOver(job.slotStart, job.intervalS, checkedAt.getTime())) {
      this.metrics?.observeExpired(job.game);
      return null;
    }
    const started = performance.now();
    const report = await this.query(job, checkedAt, signal);
    this.metrics?.observePoll(job.game, report, (performance.now() - started) / 1000);
    await this.reportQueue.add(
      JobName.ApplyReport,
      { ...report, slotStart: job.slotStart },
      // A retried poll job must not hand the writer a second report for its slot.
      { jobId: reportJobId(job.serverId, job.slotStart), removeOnComplete: { age: job.intervalS } },
    );
    return report;
  }

  /**
   * Never throws for the game server's sake: a silent or broken server is an offline report.
   * The report is dated when the query starts: a poll that began inside its slot belongs to
   * that slot even if a slow server makes it end in the next one.
   */
  private async query(
    job: PollJobData,
    checkedAt: Date,
    signal?: AbortSignal,
  ): Promise<StatusReport> {
    try {
      const provider = this.providers.get(job.game);
      const status = await provider.query(
        { host: job.host, port: job.port },
        { timeoutMs: this.env.POLL_TIMEOUT_MS, ...(signal ? { signal } : {}) },
      );
      return onlineReport(job.serverId, checkedAt, status);
    } catch (err) {
      const error =
        err instanceof ProviderError
          ? { code: err.code, message: err.message }
          : {
              code: 'protocol' as const,
              message: err instanceof Error ? err.message : String(err),
            };
      return offlineReport(job.serverId, checkedAt, error);
    }
  }
}
