import { randomUUID } from 'node:crypto';
import type { Options } from 'pino-http';
import type { AuthedRequest } from '../auth/api-key.registry.js';

/**
 * pino-http's part of the API's logging (the lines themselves are set up as in every process,
 * by loggerModule): one line per finished request with its id, the key's owner (never the
 * key) and the status; 5xx answers are logged as errors. No header is logged at all.
 */
export const httpLogOptions: Options = {
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
  customProps: (req) => {
    const principal = (req as AuthedRequest).principal;
    return principal ? { apiKey: principal.name } : {};
  },
  customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
};
