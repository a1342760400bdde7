import { type DynamicModule } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { Options as HttpOptions } from 'pino-http';
import { build as prettyStream } from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How every process of ours logs: read by the API, the poller and the commands alike. */
export class LoggingEnv {
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevelName = 'info';

  /** json: one JSON object a line, for collectors; pretty: coloured text, for a terminal. */
  @IsIn(LOG_FORMATS, { message: `LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT: LogFormat = 'json';
}

export interface LogSetup {
  /** Names the process in every line (`api`, `poller`, ...). */
  service: string;
  level: LogLevelName;
  format: LogFormat;
  /** Where the lines go instead of stdout (tests read them). */
  destination?: DestinationStream;
}

/**
 * Censored wherever they appear in a logged object. Our own messages never carry a secret
 * (they name addresses, never URLs with credentials, and key names, never keys); this catches
 * a secret that reaches a log through an object someone logs whole.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.ODOO_API_KEY',
  '*.API_KEYS',
  '*.REDIS_PASSWORD',
];

function pinoOptions(setup: LogSetup): LoggerOptions {
  return {
    level: setup.level,
    base: { service: setup.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
}

function destinationOf(setup: LogSetup): DestinationStream {
  if (setup.destination) return setup.destination;
  if (setup.format === 'pretty') {
    // Synchronous, so the last lines before an exit are never lost.
    return prettyStream({
      colorize: process.stdout.isTTY,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    });
  }
  return pino.destination({ dest: 1, sync: true });
}

/** A logger outside Nest: start-up failures, shutdown, the command-line tools. */
export function rootLogger(setup: LogSetup): Logger {
  return pino(pinoOptions(setup), destinationOf(setup));
}

/**
 * nestjs-pino for an app, so Nest's own lines and every `new Logger(context)` of ours go out
 * as the same lines as `rootLogger`. `http` adds pino-http's request logging (the API).
 */
export function loggerModule(setup: LogSetup, http: HttpOptions = {}): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [{ ...pinoOptions(setup), ...http }, destinationOf(setup)],
  });
}

/** Nest's log levels (as the tests pass them) as the one pino threshold they amount to. */
export function levelOfNestLevels(levels: readonly string[]): LogLevelName {
  for (const level of ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] as const) {
    if (levels.includes(level)) {
      return level === 'verbose' ? 'trace' : level === 'log' ? 'info' : level;
    }
  }
  return 'silent';
}
