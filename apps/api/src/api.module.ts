import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import {
  ApiEnv,
  ConfigModule,
  OdooEnv,
  OdooModule,
  QueueName,
  QueuesModule,
  RedisEnv,
  ScheduleEnv,
} from '#common';
import { HealthController } from './health/health.controller.js';
import { ServersController } from './servers/servers.controller.js';
import { ServersService } from './servers/servers.service.js';

export interface ApiConfig {
  api: ApiEnv;
  redis: RedisEnv;
  odoo: OdooEnv;
  schedule: ScheduleEnv;
}

@Module({})
export class ApiModule {
  static forRoot({ api, redis, odoo, schedule }: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(api, redis, odoo, schedule),
        QueuesModule.forRoot(redis),
        OdooModule.forRoot(odoo),
        BullBoardModule.forRoot({ route: '/queues', adapter: ExpressAdapter }),
        BullBoardModule.forFeature(
          { name: QueueName.Poll, adapter: BullMQAdapter },
          { name: QueueName.Report, adapter: BullMQAdapter },
        ),
      ],
      controllers: [HealthController, ServersController],
      providers: [ServersService],
    };
  }
}
