import { describe, expect, it } from 'vitest';
import { OdooError, type OdooErrorContext } from './odoo.error.js';

const TRACEBACK = 'Traceback (most recent call last):\n  File "odoo/http.py", line 1\n';

/** The `error` member of a `/jsonrpc` answer, as measured on Odoo 17, 18 and 19. */
function rpcError(name: string, message: string, code: 0 | 200 = 0): Record<string, unknown> {
  return {
    code,
    message: 'Odoo Server Error',
    data: { name, debug: TRACEBACK, message, arguments: [message], context: {} },
  };
}

/** A JSON-2 error body, as measured on Odoo 19. */
function json2Body(name: string, message: string, status?: number): string {
  const args = status === undefined ? [message] : [message, status];
  return JSON.stringify({ name, message, arguments: args, context: {}, debug: TRACEBACK });
}

const rpcCtx: OdooErrorContext = {
  protocol: 'jsonrpc',
  model: 'res.partner',
  method: 'search_read',
};
const json2Ctx: OdooErrorContext = {
  protocol: 'json2',
  model: 'res.partner',
  method: 'search_read',
};

describe('OdooError.fromJsonRpc', () => {
  it.each([
    // Measured shapes (odoo-measured.md).
    ['wrong key at execute_kw', 'odoo.exceptions.AccessDenied', 'Access Denied', 'auth'],
    [
      'unknown model',
      'odoo.exceptions.UserError',
      "Object no.such.model doesn't exist",
      'not_found',
    ],
    [
      'private method on 17',
      'odoo.exceptions.AccessError',
      'Private methods (such as _search) cannot be called remotely.',
      'access',
    ],
    [
      'private method on 18/19',
      'odoo.exceptions.AccessError',
      "Private methods (such as 'res.partner._search') cannot be called remotely.",
      'access',
    ],
    // Documented in Odoo's source (odoo-api.md 1.3, 1.6).
    [
      'validation',
      'odoo.exceptions.ValidationError',
      'The operation cannot be completed',
      'validation',
    ],
    ['other user error', 'odoo.exceptions.UserError', 'Name is required', 'validation'],
    [
      'deleted record',
      'odoo.exceptions.MissingError',
      'Record does not exist or has been deleted.',
      'missing',
    ],
    ['unknown method', 'builtins.AttributeError', "The method 'nope' does not exist", 'not_found'],
    [
      'bad arguments',
      'builtins.TypeError',
      "write() got an unexpected keyword argument 'x'",
      'bad_request',
    ],
    [
      'invalid field',
      'builtins.ValueError',
      "Invalid field 'x' on model 'res.partner'",
      'bad_request',
    ],
    [
      'serialization failure',
      'psycopg2.errors.SerializationFailure',
      'could not serialize access due to concurrent update',
      'conflict',
    ],
    // Odoo's source (odoo/service/common.py opens the database named in the call).
    [
      'unknown database',
      'psycopg2.OperationalError',
      'connection to server at "db" (10.0.0.2), port 5432 failed: FATAL:  database "nope" does not exist\n',
      'database',
    ],
    ['database down', 'psycopg2.OperationalError', 'could not connect to server', 'server'],
    ['anything else', 'builtins.KeyError', "'x'", 'server'],
  ] as const)('reads %s as kind %s', (_case, name, message, kind) => {
    const sut = OdooError.fromJsonRpc(rpcError(name, message), rpcCtx);

    expect(sut).toBeInstanceOf(OdooError);
    expect(sut).toMatchObject({ kind, odooName: name, protocol: 'jsonrpc', model: 'res.partner' });
    expect(sut.message).toContain(message);
    expect(sut.httpStatus).toBeUndefined();
  });

  it('ignores error.code: 200 on Odoo 17/18 and 0 on 19 read the same', () => {
    const on17 = OdooError.fromJsonRpc(
      rpcError('odoo.exceptions.AccessDenied', 'Access Denied', 200),
      rpcCtx,
    );
    const on19 = OdooError.fromJsonRpc(
      rpcError('odoo.exceptions.AccessDenied', 'Access Denied', 0),
      rpcCtx,
    );

    expect(on17.kind).toBe('auth');
    expect(on19.kind).toBe('auth');
  });

  it('keeps the traceback off the message and out of enumerable properties', () => {
    const sut = OdooError.fromJsonRpc(rpcError('builtins.KeyError', 'boom'), rpcCtx);

    expect(sut.message).toBe('Odoo res.partner.search_read: boom');
    expect(sut.debug).toBe(TRACEBACK);
    expect(Object.keys(sut)).not.toContain('debug');
  });

  it('redacts secrets that Odoo echoes back', () => {
    const sut = OdooError.fromJsonRpc(rpcError('builtins.ValueError', 'bad value key-123'), {
      ...rpcCtx,
      secrets: ['key-123'],
    });

    expect(sut.message).toBe('Odoo res.partner.search_read: bad value ***');
  });

  it('reads an error without data as a server fault', () => {
    const sut = OdooError.fromJsonRpc({ code: 0, message: 'Odoo Server Error' }, rpcCtx);

    expect(sut).toMatchObject({
      kind: 'server',
      message: 'Odoo res.partner.search_read: Odoo Server Error',
    });
  });
});

describe('OdooError.fromJson2', () => {
  it.each([
    // Measured shapes (odoo-measured.md).
    ['wrong key', 401, 'werkzeug.exceptions.Unauthorized', 'Invalid apikey', 'auth'],
    ['no Authorization header', 401, 'werkzeug.exceptions.Unauthorized', 'Unauthorized', 'auth'],
    [
      'unknown model',
      404,
      'werkzeug.exceptions.NotFound',
      "the model 'no.such.model' does not exist",
      'not_found',
    ],
    [
      'private method',
      403,
      'odoo.exceptions.AccessError',
      "Private methods (such as 'res.partner._search') cannot be called remotely.",
      'access',
    ],
    // A 500, but the exception name says the call was malformed.
    [
      'unknown keyword argument',
      500,
      'builtins.TypeError',
      "read() got an unexpected keyword argument 'x'",
      'bad_request',
    ],
    // Documented in Odoo 19's source (odoo-api.md 1.4).
    [
      'validation',
      422,
      'odoo.exceptions.ValidationError',
      'The operation cannot be completed',
      'validation',
    ],
    [
      'ids on an @api.model method',
      422,
      'werkzeug.exceptions.UnprocessableEntity',
      'cannot call with ids',
      'bad_request',
    ],
    [
      'deleted record',
      404,
      'odoo.exceptions.MissingError',
      'Record does not exist or has been deleted.',
      'missing',
    ],
    ['lock', 409, 'odoo.exceptions.LockError', 'Record locked', 'conflict'],
    [
      'serialization retries exhausted',
      500,
      'psycopg2.errors.SerializationFailure',
      'could not serialize',
      'conflict',
    ],
    [
      'unparsable body',
      400,
      'werkzeug.exceptions.BadRequest',
      'could not parse the body as json',
      'bad_request',
    ],
    ['bug on the server', 500, 'builtins.KeyError', "'x'", 'server'],
  ] as const)('reads %s (HTTP %i) as kind %s', (_case, status, name, message, kind) => {
    const sut = OdooError.fromJson2(
      status,
      json2Body(name, message, name.startsWith('werkzeug') ? status : undefined),
      json2Ctx,
    );

    expect(sut).toMatchObject({ kind, odooName: name, httpStatus: status, protocol: 'json2' });
    expect(sut.message).toBe(`Odoo res.partner.search_read: ${message}`);
    expect(sut.message).not.toContain('Traceback');
  });

  it.each([
    [502, 'server'],
    [503, 'server'],
    [504, 'server'],
    [500, 'server'],
    [401, 'auth'],
    [404, 'not_found'],
  ] as const)('reads a non-Odoo body with HTTP %i by its status, as kind %s', (status, kind) => {
    const sut = OdooError.fromJson2(status, '<html><body>Bad Gateway</body></html>', json2Ctx);

    expect(sut).toMatchObject({ kind, httpStatus: status });
    expect(sut.odooName).toBeUndefined();
  });
});

describe('OdooError.restated', () => {
  it('keeps everything but the message, and the kind when given one', () => {
    const cause = OdooError.fromJson2(404, '<html>404</html>', json2Ctx);

    const sut = cause.restated('told better', 'database');

    expect(sut).toMatchObject({ ...cause, kind: 'database', message: 'told better' });
    expect(cause.restated('again').kind).toBe(cause.kind);
  });
});

describe('OdooError.retryable', () => {
  it('is true for transport faults, conflicts and 5xx that did not come from Odoo', () => {
    expect(OdooError.transport('connect ECONNREFUSED', rpcCtx, 'ECONNREFUSED').retryable).toBe(
      true,
    );
    expect(
      OdooError.fromJson2(409, json2Body('odoo.exceptions.LockError', 'locked'), json2Ctx)
        .retryable,
    ).toBe(true);
    expect(OdooError.fromJson2(502, 'Bad Gateway', json2Ctx).retryable).toBe(true);
    expect(OdooError.fromHttpStatus(503, rpcCtx).retryable).toBe(true);
    expect(
      OdooError.fromJsonRpc(
        rpcError('psycopg2.OperationalError', 'could not connect to server'),
        rpcCtx,
      ).retryable,
    ).toBe(true);
  });

  it('is false for faults that the same call would meet again', () => {
    const kinds = [
      OdooError.fromJsonRpc(rpcError('odoo.exceptions.AccessDenied', 'Access Denied'), rpcCtx),
      OdooError.fromJsonRpc(rpcError('odoo.exceptions.AccessError', 'no'), rpcCtx),
      OdooError.fromJsonRpc(rpcError('odoo.exceptions.MissingError', 'gone'), rpcCtx),
      OdooError.fromJsonRpc(rpcError('odoo.exceptions.ValidationError', 'bad'), rpcCtx),
      OdooError.fromJsonRpc(rpcError('builtins.AttributeError', 'no method'), rpcCtx),
      OdooError.fromJsonRpc(rpcError('builtins.TypeError', 'bad args'), rpcCtx),
      OdooError.fromJsonRpc(
        rpcError('psycopg2.OperationalError', 'FATAL:  database "nope" does not exist'),
        rpcCtx,
      ),
      OdooError.fromJson2(500, json2Body('builtins.KeyError', "'x'"), json2Ctx),
    ];

    expect(kinds.map((e) => e.retryable)).toEqual(kinds.map(() => false));
  });
});
