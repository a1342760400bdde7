import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './api-metrics.service.js';

/**
 * Counts and times every answered request by its route pattern (`/servers/:id`, never the
 * concrete URL, so the number of series stays bounded). Requests no route matched are
 * `unmatched`; Bull Board's many URLs count as `/queues`.
 */
export function httpMetricsMiddleware(metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.on('finish', () => {
      const route = routeOf(req);
      metrics.observeRequest(
        req.method,
        route,
        res.statusCode,
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}

function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path !== 'string') return 'unmatched';
  // Middleware mounts (Bull Board's, and Nest's catch-all that answers 404) end in a
  // wildcard; what is left of the pattern is the mount point.
  return `${req.baseUrl}${path.replace(CATCH_ALL, '')}` || 'unmatched';
}

const CATCH_ALL = '{/*splat}';
