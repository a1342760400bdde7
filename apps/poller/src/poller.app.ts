import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import {
  ConfigReader,
  LoggingEnv,
  levelOfNestLevels,
  MetricsEnv,
  NotifyEnv,
  OdooEnv,
  PollerEnv,
  PollerRolesEnv,
  RedisEnv,
  ScheduleEnv,
} from '#common';
import { ProvidersEnv } from '#providers';
import { PollerModule } from './poller.module.js';

/**
 * The poller from an environment, validated first, with its roles running;
 * main.ts and the e2e tests share it. No HTTP server: it talks only to Redis,
 * Odoo and game servers. `logLevels` overrides LOG_LEVEL (Nest's names, as tests pass them);
 * `logDestination` receives the log lines instead of stdout.
 */
export async function createPoller(
  env: NodeJS.ProcessEnv,
  logLevels?: LogLevel[],
  logDestination?: DestinationStream,
): Promise<{ app: INestApplicationContext; roles: PollerRolesEnv }> {
  const config = new ConfigReader(env);
  const rolesRead = config.read(PollerRolesEnv);
  // A pure poll worker never talks to Odoo, so it needs no Odoo credentials.
  const needsOdoo = !rolesRead || rolesRead.POLLER_ROLES.some((role) => role !== 'worker');
  // Only a poll worker queries game servers.
  const needsProviders = !rolesRead || rolesRead.POLLER_ROLES.includes('worker');
  const needsNotify = rolesRead?.POLLER_ROLES.includes('notifier') ?? false;
  const [logging, roles, redis, schedule, poller, metrics, odoo, providers, notify] =
    config.assertValid(
      config.read(LoggingEnv),
      rolesRead,
      config.read(RedisEnv),
      config.read(ScheduleEnv),
      config.read(PollerEnv),
      config.read(MetricsEnv),
      needsOdoo ? config.read(OdooEnv) : null,
      needsProviders ? config.read(ProvidersEnv) : null,
      needsNotify ? config.read(NotifyEnv) : null,
    );
  const log = {
    service: 'poller',
    level: logLevels ? levelOfNestLevels(logLevels) : logging.LOG_LEVEL,
    format: logging.LOG_FORMAT,
    ...(logDestination && { destination: logDestination }),
  };
  const app = await NestFactory.createApplicationContext(
    PollerModule.forRoot({ roles, redis, schedule, poller, odoo, notify, metrics, providers, log }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  return { app, roles };
}
