import { type DynamicModule, Module } from '@nestjs/common';
import {
  ConfigModule,
  type LogSetup,
  loggerModule,
  MetricsEnv,
  NotifyEnv,
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
import { DeliveryRepository } from './notify/delivery.repository.js';
import { NotifierService } from './notify/notifier.service.js';
import { ReportWriter } from './write/report-writer.service.js';

export interface PollerConfig {
  roles: PollerRolesEnv;
  redis: RedisEnv;
  schedule: ScheduleEnv;
  poller: PollerEnv;
  /** Needed by every role but the poll worker, which never talks to Odoo. */
  odoo: OdooEnv | null;
  /** How the notifier sends; null when this process runs no notifier. */
  notify: NotifyEnv | null;
  /** Prometheus on METRICS_PORT; without the port, no metrics are kept. */
  metrics: MetricsEnv;
  /** How poll workers query game servers; null when this process runs no worker. */
  providers: ProvidersEnv | null;
  log: LogSetup;
}

/** One process, any of the roles: scheduler, poll worker, writer, notifier. */
@Module({})
export class PollerModule {
  static forRoot({
    roles: rolesEnv,
    redis,
    schedule,
    poller,
    odoo,
    notify,
    metrics,
    providers: providersEnv,
    log,
  }: PollerConfig): DynamicModule {
    const roles = new Set(rolesEnv.POLLER_ROLES);
    const providers = [
      ...(roles.has('scheduler') ? [SchedulerService] : []),
      ...(roles.has('worker') ? [PollService, PollProcessor] : []),
      ...(roles.has('writer') ? [ReportWriter] : []),
      ...(roles.has('notifier') ? [DeliveryRepository, NotifierService] : []),
    ];
    return {
      module: PollerModule,
      imports: [
        loggerModule(log),
        ConfigModule.forRoot(
          redis,
          schedule,
          poller,
          metrics,
          ...(odoo ? [odoo] : []),
          ...(notify ? [notify] : []),
        ),
        QueuesModule.forRoot(redis),
        ...(odoo ? [OdooModule.forRoot(odoo)] : []),
        ...(providersEnv ? [ProvidersModule.forRoot(toProvidersOptions(providersEnv))] : []),
        ...(metrics.METRICS_PORT !== undefined ? [PollerMetricsModule] : []),
      ],
      providers,
    };
  }
}
