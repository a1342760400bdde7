import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { OdooError } from '#odoo-client';
import { type ApiErrorDto, apiError, requestIdOf } from './api-error.dto.js';
import { FieldValidationException } from './field-validation.exception.js';

/**
 * Every error leaves the API in one shape ({@link ApiErrorDto}): validation, auth, rate
 * limits, unknown routes, Odoo failures and bugs alike, each with the request id.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const body = this.describe(exception, requestIdOf(http.getRequest<Request>()));
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(body.statusCode).json(body);
  }

  private describe(exception: unknown, requestId: string | null): ApiErrorDto {
    if (exception instanceof FieldValidationException) {
      return apiError(HttpStatus.BAD_REQUEST, exception.message, requestId, exception.fields);
    }
    if (exception instanceof HttpException) {
      const { message, details } = messageOf(exception.getResponse(), exception.message);
      return {
        ...apiError(exception.getStatus(), message, requestId),
        ...(details && { details }),
      };
    }
    if (exception instanceof OdooError) return this.odoo(exception, requestId);
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return apiError(500, 'Internal error; the log has the details', requestId);
  }

  /**
   * Odoo is behind every catalog route; its failures become answers a client can act on:
   * 503 while Odoo is unreachable or busy (retry later), 404 for a record that is gone,
   * 400 when Odoo rejects the data, 502 for anything else Odoo got wrong (including our
   * own access to it, which is the operator's to fix, not the client's).
   */
  private odoo(error: OdooError, requestId: string | null): ApiErrorDto {
    this.logger.warn(`Odoo ${error.kind} error: ${error.message}`);
    if (error.retryable) return apiError(503, 'Odoo is unavailable; retry later', requestId);
    if (error.kind === 'missing') {
      return apiError(404, 'The record does not exist (any more)', requestId);
    }
    if (error.kind === 'validation') return apiError(400, error.message, requestId);
    return apiError(502, `Odoo answered with an error (${error.kind})`, requestId);
  }
}

/** Nest's exceptions carry a string, or an object with `message` (string or list), or more. */
function messageOf(
  response: string | object,
  fallback: string,
): { message: string; details?: Record<string, unknown> } {
  if (typeof response === 'string') return { message: response };
  const record = response as Record<string, unknown>;
  const message = record['message'];
  if (typeof message === 'string') return { message };
  if (Array.isArray(message)) return { message: message.map(String).join('; ') };
  // Terminus answers a failed readiness check with its per-check results.
  return { message: fallback, details: record };
}
