import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import {
  ApiEnv,
  ConfigModule,
  type LogSetup,
  loggerModule,
  OdooEnv,
  OdooModule,
  QueueName,
  QueuesModule,
  RedisEnv,
  ScheduleEnv,
  StatRepository,
} from '#common';
import { ProvidersEnv, ProvidersModule, toProvidersOptions } from '#providers';
import { ApiKeyGuard } from './auth/api-key.guard.js';
import { ApiKeyRegistry } from './auth/api-key.registry.js';
import { bullBoardAuth } from './auth/bull-board-auth.middleware.js';
import { MeController } from './auth/me.controller.js';
import { rateLimitOptions } from './auth/rate-limit.options.js';
import { GamesController } from './games/games.controller.js';
import { HealthController } from './health/health.controller.js';
import { httpLogOptions } from './logging/logger.options.js';
import { ApiMetrics } from './metrics/api-metrics.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { PublicController } from './public/public.controller.js';
import { PublicStatusService } from './public/public-status.service.js';
import { ServersController } from './servers/servers.controller.js';
import { ServersService } from './servers/servers.service.js';
import { StatsController } from './stats/stats.controller.js';
import { StatsService } from './stats/stats.service.js';
import { StatusPageController } from './web/status-page.controller.js';

export interface ApiConfig {
  api: ApiEnv;
  redis: RedisEnv;
  odoo: OdooEnv;
  schedule: ScheduleEnv;
  keys: ApiKeyRegistry;
  log: LogSetup;
  providers: ProvidersEnv;
}

@Module({})
export class ApiModule {
  static forRoot({ api, redis, odoo, schedule, keys, providers, log }: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        loggerModule(log, httpLogOptions),
        ConfigModule.forRoot(api, redis, odoo, schedule),
        QueuesModule.forRoot(redis),
        OdooModule.forRoot(odoo),
        ProvidersModule.forRoot(toProvidersOptions(providers)),
        TerminusModule.forRoot({ logger: false }),
        ThrottlerModule.forRoot(rateLimitOptions(api, keys)),
        BullBoardModule.forRoot({
          route: '/queues',
          adapter: ExpressAdapter,
          middleware: bullBoardAuth(keys),
        }),
        BullBoardModule.forFeature(
          { name: QueueName.Poll, adapter: BullMQAdapter },
          { name: QueueName.Report, adapter: BullMQAdapter },
        ),
      ],
      controllers: [
        HealthController,
        MetricsController,
        MeController,
        GamesController,
        ServersController,
        StatsController,
        StatusPageController,
        PublicController,
      ],
      providers: [
        { provide: ApiKeyRegistry, useValue: keys },
        // Rate limiting first: requests with a wrong key count against their address too.
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        ApiMetrics,
        ServersService,
        StatsService,
        StatRepository,
        PublicStatusService,
      ],
    };
  }
}
