import { type INestApplication, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiEnv, ConfigReader, OdooEnv, RedisEnv, ScheduleEnv } from '#common';
import { ApiModule } from './api.module.js';
import { OdooErrorFilter } from './errors/odoo-error.filter.js';

/** The API application from an environment, validated first; main.ts and the e2e tests share it. */
export async function createApi(
  env: NodeJS.ProcessEnv,
  logger?: LogLevel[],
): Promise<{ app: INestApplication; api: ApiEnv }> {
  const config = new ConfigReader(env);
  const [api, redis, odoo, schedule] = config.assertValid(
    config.read(ApiEnv),
    config.read(RedisEnv),
    config.read(OdooEnv),
    config.read(ScheduleEnv),
  );
  const app = await NestFactory.create(
    ApiModule.forRoot({ api, redis, odoo, schedule }),
    logger ? { logger } : {},
  );
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, transform: true, forbidNonWhitelisted: true }),
  );
  app.useGlobalFilters(new OdooErrorFilter());
  app.enableShutdownHooks();
  return { app, api };
}
