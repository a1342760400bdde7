import { type DynamicModule, Module } from '@nestjs/common';
import {
  ConfigModule,
  type LogSetup,
  loggerModule,
  MetricsEnv,
  OdooEnv,
  OdooModule,
  PollerEnv,
  PollerRolesEnv,
  QueuesModule,
  RedisEnv,
  ScheduleEnv,
} from '#common';
import { ProvidersEnv, ProvidersModule, toProvidersOptions } from '#providers';
import { PollerMetricsModule } from './metrics/metrics.module.js';
import { PollProcessor } from './poll/poll.processor.js';
import { PollService } from './poll/poll.service.js';
import { SchedulerService } from './scheduler/scheduler.service.js';
import { ReportWriter } from './write/report-writer.service.js';

export interface PollerConfig {
  roles: PollerRolesEnv;
  redis: RedisEnv;
  schedule: ScheduleEnv;
  poller: PollerEnv;
  /** Needed only by the scheduler and writer roles; a pure poll worker never talks to Odoo. */
  odoo: OdooEnv | null;
  /** Prometheus on METRICS_PORT; without the port, no metrics are kept. */
  metrics: MetricsEnv;
  /** How poll workers query game servers; null when this process runs no worker. */
  providers: ProvidersEnv | null;
  log: LogSetup;
}

/** One process, any of the three roles: scheduler, poll worker, writer. */
@Module({})
export class PollerModule {
  static forRoot({
    roles: rolesEnv,
    redis,
    schedule,
    poller,
    odoo,
    metrics,
    providers: providersEnv,
    log,
  }: PollerConfig): DynamicModule {
    const roles = new Set(rolesEnv.POLLER_ROLES);
    const providers = [
      ...(roles.has('scheduler') ? [SchedulerService] : []),
      ...(roles.has('worker') ? [PollService, PollProcessor] : []),
      ...(roles.has('writer') ? [ReportWriter] : []),
    ];
    return {
      module: PollerModule,
      imports: [
        loggerModule(log),
        ConfigModule.forRoot(redis, schedule, poller, metrics, ...(odoo ? [odoo] : [])),
        QueuesModule.forRoot(redis),
        ...(odoo ? [OdooModule.forRoot(odoo)] : []),
        ...(providersEnv ? [ProvidersModule.forRoot(toProvidersOptions(providersEnv))] : []),
        ...(metrics.METRICS_PORT !== undefined ? [PollerMetricsModule] : []),
      ],
      providers,
    };
  }
}
