import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import {
  ODOO_APPLY_REPORTS_METHOD,
  ODOO_SERVER_MODEL,
  observeOdooCalls,
  OdooCallMetrics,
  type StatusReport,
} from '#common';
import { OdooClient } from '#odoo-client';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The poller's Prometheus figures, in a registry of its own: polls by game and outcome (`online`
 * or the error code), poll duration, the writer's batch sizes, Odoo call latency and errors.
 * Only the roles this process runs produce samples.
 */
@Injectable()
export class PollerMetrics implements OnModuleInit {
  readonly registry = new Registry();
  private readonly polls: Counter<'game' | 'outcome'>;
  private readonly expired: Counter<'game'>;
  private readonly pollDuration: Histogram<'game' | 'online'>;
  private readonly batchSize: Histogram;

  /** `odoo` is absent in a pure poll worker, which never talks to Odoo. */
  constructor(@Optional() private readonly odoo?: OdooClient) {
    this.polls = new Counter({
      name: 'gss_polls_total',
      help: 'Game server queries, by game and outcome (online, or the error code)',
      labelNames: ['game', 'outcome'],
      registers: [this.registry],
    });
    this.expired = new Counter({
      name: 'gss_polls_expired_total',
      help: 'Poll jobs skipped because their slot was over before a worker took them (a backlog)',
      labelNames: ['game'],
      registers: [this.registry],
    });
    this.pollDuration = new Histogram({
      name: 'gss_poll_duration_seconds',
      help: 'Time one query took; an offline server usually takes the whole timeout',
      labelNames: ['game', 'online'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers: [this.registry],
    });
    this.batchSize = new Histogram({
      name: 'gss_writer_batch_size',
      help: 'Reports per apply_status_reports call that Odoo committed',
      buckets: [1, 5, 10, 25, 50, 100, 200, 300, 400, 500, 1000, 2000, 5000],
      registers: [this.registry],
    });
  }

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    if (!this.odoo) return;
    const odooMetrics = new OdooCallMetrics(this.registry);
    observeOdooCalls(this.odoo, (call) => {
      odooMetrics.observe(call);
      const reports = call.args['reports'];
      if (
        call.error === null &&
        call.model === ODOO_SERVER_MODEL &&
        call.method === ODOO_APPLY_REPORTS_METHOD &&
        Array.isArray(reports)
      ) {
        this.batchSize.observe(reports.length);
      }
    });
  }

  /** A poll job whose slot was over when a worker took it. */
  observeExpired(game: string): void {
    this.expired.inc({ game });
  }

  /** One finished query, online or not. */
  observePoll(game: string, report: StatusReport, seconds: number): void {
    this.polls.inc({ game, outcome: report.error?.code ?? 'online' });
    this.pollDuration.observe({ game, online: String(report.online) }, seconds);
  }
}
