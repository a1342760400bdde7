import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's own request id is kept (to follow a request across services) if it is tame. */
const GIVEN_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * Gives every request an id before anything else runs (body parsing, Bull Board, the docs),
 * so each answer, error body and log line of a request carries the same one.
 */
export function requestIdMiddleware() {
  return (req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void): void => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && GIVEN_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    next();
  };
}
