import { type DynamicModule, Module } from '@nestjs/common';
import {
  ConfigModule,
  OdooEnv,
  OdooModule,
  PollerEnv,
  PollerRolesEnv,
  QueuesModule,
  RedisEnv,
  ScheduleEnv,
} from '#common';
import { ProvidersModule } from '#providers';
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
}

/** One process, any of the three roles: scheduler, poll worker, writer. */
@Module({})
export class PollerModule {
  static forRoot({ roles: rolesEnv, redis, schedule, poller, odoo }: PollerConfig): DynamicModule {
    const roles = new Set(rolesEnv.POLLER_ROLES);
    const providers = [
      ...(roles.has('scheduler') ? [SchedulerService] : []),
      ...(roles.has('worker') ? [PollService, PollProcessor] : []),
      ...(roles.has('writer') ? [ReportWriter] : []),
    ];
    return {
      module: PollerModule,
      imports: [
        ConfigModule.forRoot(redis, schedule, poller, ...(odoo ? [odoo] : [])),
        QueuesModule.forRoot(redis),
        ...(odoo ? [OdooModule.forRoot(odoo)] : []),
        ...(roles.has('worker') ? [ProvidersModule] : []),
      ],
      providers,
    };
  }
}
