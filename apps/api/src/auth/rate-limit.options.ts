import type { ExecutionContext } from '@nestjs/common';
import { type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { ApiEnv } from '#common';
import type { ApiKeyRegistry } from './api-key.registry.js';

/** The pages anyone may open without a key (apps/api/src/public): their own limit. */
export const PUBLIC_PATH = '/public';

function isPublicPage(context: ExecutionContext): boolean {
  const path = context.switchToHttp().getRequest<Request>().path;
  return path === PUBLIC_PATH || path.startsWith(`${PUBLIC_PATH}/`);
}

/**
 * Rate limits per API key, so one noisy script cannot starve the others; requests without
 * a valid key are counted per client address, which also slows down guessing keys. The public
 * pages have a limit of their own per client address (players share nothing with the API's
 * users). Counts live in this process: with several API replicas each allows the limit.
 */
export function rateLimitOptions(api: ApiEnv, keys: ApiKeyRegistry): ThrottlerModuleOptions {
  return {
    throttlers: [
      {
        name: 'default',
        limit: api.API_RATE_LIMIT,
        ttl: api.API_RATE_WINDOW_S * 1000,
        skipIf: isPublicPage,
      },
      {
        name: 'public',
        limit: api.PUBLIC_RATE_LIMIT,
        ttl: api.API_RATE_WINDOW_S * 1000,
        skipIf: (context) => !isPublicPage(context),
        getTracker: (req) => `public:${(req as Request).ip ?? 'unknown'}`,
      },
    ],
    getTracker: (req) => {
      const principal = keys.fromRequest(req as Request);
      return principal ? `key:${principal.name}` : `ip:${(req as Request).ip ?? 'unknown'}`;
    },
    errorMessage: (context) =>
      isPublicPage(context)
        ? `Too many requests: at most ${api.PUBLIC_RATE_LIMIT} per ${api.API_RATE_WINDOW_S} s per address`
        : `Too many requests: at most ${api.API_RATE_LIMIT} per ${api.API_RATE_WINDOW_S} s per key`,
  };
}
