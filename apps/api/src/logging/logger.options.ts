import { randomUUID } from 'node:crypto';
import type { LogLevel } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { Options } from 'pino-http';
import type { AuthedRequest } from '../auth/api-key.registry.js';

/**
 * Headers that carry keys. The request serializer below logs no headers at all; these are
 * censored as well, so a future serializer cannot leak a key by accident.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * nestjs-pino settings: one JSON line per log, one per finished request with its id, the
 * key's owner (never the key) and the status; 5xx answers are logged as errors.
 */
export function loggerParams(level: LevelWithSilent, destination?: DestinationStream): Params {
  const options: Options = {
    level,
    base: { service: 'api' },
    // requestIdMiddleware has set it; pino-http keeps it as req.id.
    genReqId: (req) => (req as { id?: string }).id ?? randomUUID(),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    customProps: (req) => {
      const principal = (req as AuthedRequest).principal;
      return principal ? { apiKey: principal.name } : {};
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
  };
  return { pinoHttp: destination ? [options, destination] : options };
}

/** Nest's log levels (as the tests pass them) as the one pino threshold they amount to. */
export function pinoLevelOf(levels: readonly LogLevel[]): LevelWithSilent {
  for (const level of ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] as const) {
    if (levels.includes(level)) {
      return level === 'verbose' ? 'trace' : level === 'log' ? 'info' : level;
    }
  }
  return 'silent';
}
