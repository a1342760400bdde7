import { type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import type { ApiEnv } from '#common';
import type { ApiKeyRegistry } from './api-key.registry.js';

/**
 * Rate limits per API key, so one noisy script cannot starve the others; requests without
 * a valid key are counted per client address, which also slows down guessing keys. Counts
 * live in this process: with several API replicas each allows the limit.
 */
export function rateLimitOptions(api: ApiEnv, keys: ApiKeyRegistry): ThrottlerModuleOptions {
  return {
    throttlers: [{ limit: api.API_RATE_LIMIT, ttl: api.API_RATE_WINDOW_S * 1000 }],
    getTracker: (req) => {
      const principal = keys.fromRequest(req as Request);
      return principal ? `key:${principal.name}` : `ip:${(req as Request).ip ?? 'unknown'}`;
    },
    errorMessage: `Too many requests: at most ${api.API_RATE_LIMIT} per ${api.API_RATE_WINDOW_S} s per key`,
  };
}
