import type { NextFunction, Request, Response } from 'express';
import { apiError, requestIdOf } from '../errors/api-error.dto.js';
import type { ApiKeyRegistry, AuthedRequest } from './api-key.registry.js';

/**
 * Bull Board (/queues) can retry, promote and delete jobs, so it needs an admin key. A
 * browser cannot add headers to a page's requests, so HTTP Basic is accepted here (any user
 * name, the key as password): a 401 makes the browser ask once and resend the key on every
 * request under /queues. Scripts may send X-API-Key or Bearer as everywhere else.
 */
export function bullBoardAuth(keys: ApiKeyRegistry) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const principal = keys.fromRequest(req);
    if (principal?.role === 'admin') {
      (req as AuthedRequest).principal = principal;
      next();
      return;
    }
    const status = principal ? 403 : 401;
    if (!principal)
      res.setHeader('WWW-Authenticate', 'Basic realm="Game Server Status", charset="UTF-8"');
    const message = principal
      ? `Bull Board needs an admin key; '${principal.name}' is a ${principal.role} key`
      : 'Bull Board needs an admin key: log in with any user name and the key as password';
    res.status(status).json(apiError(status, message, requestIdOf(req)));
  };
}
