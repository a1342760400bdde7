import { type INestApplication, type LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import {
  ApiEnv,
  ApiKeysEnv,
  ConfigReader,
  LoggingEnv,
  levelOfNestLevels,
  OdooEnv,
  RedisEnv,
  ScheduleEnv,
} from '#common';
import { ProvidersEnv } from '#providers';
import { ApiModule } from './api.module.js';
import { ApiKeyRegistry } from './auth/api-key.registry.js';
import { setupOpenApi } from './docs/openapi.setup.js';
import { ApiExceptionFilter } from './errors/api-exception.filter.js';
import { fieldValidationException } from './errors/field-validation.exception.js';
import { requestIdMiddleware } from './logging/request-id.middleware.js';
import { ApiMetrics } from './metrics/api-metrics.service.js';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware.js';

/**
 * The API application from an environment, validated first; main.ts, the e2e tests and the
 * benchmark share it. `logLevels` overrides LOG_LEVEL (Nest's names, as tests pass them);
 * `logDestination` receives the JSON log lines instead of stdout.
 */
export async function createApi(
  env: NodeJS.ProcessEnv,
  logLevels?: LogLevel[],
  logDestination?: DestinationStream,
): Promise<{ app: INestApplication; api: ApiEnv }> {
  const config = new ConfigReader(env);
  const [api, logging, keysEnv, redis, odoo, schedule, providers] = config.assertValid(
    config.read(ApiEnv),
    config.read(LoggingEnv),
    config.read(ApiKeysEnv),
    config.read(RedisEnv),
    config.read(OdooEnv),
    config.read(ScheduleEnv),
    // GET /games shows which provider answers each game, routes included.
    config.read(ProvidersEnv),
  );
  const keys = ApiKeyRegistry.parse(keysEnv.API_KEYS);
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot({
      api,
      redis,
      odoo,
      schedule,
      keys,
      providers,
      log: {
        service: 'api',
        level: logLevels ? levelOfNestLevels(logLevels) : logging.LOG_LEVEL,
        format: logging.LOG_FORMAT,
        ...(logDestination && { destination: logDestination }),
      },
    }),
    // The body parser is added below, after the request id, so a bad body has an id too.
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Registered before Nest adds its routes, so they see every request, Bull Board's too.
  app.use(requestIdMiddleware());
  app.use(httpMetricsMiddleware(app.get(ApiMetrics)));
  app.useBodyParser('json', { limit: '100kb' });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      transform: true,
      forbidNonWhitelisted: true,
      exceptionFactory: fieldValidationException,
    }),
  );
  app.useGlobalFilters(new ApiExceptionFilter());
  setupOpenApi(app);
  return { app, api };
}
