import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { OdooError } from '#odoo-client';

/**
 * Odoo is behind every catalog route; its failures become answers a client can act
 * on: 503 while Odoo is unreachable or busy (retry later), 400 when Odoo rejects the
 * data, 502 for anything else Odoo got wrong (including our own access to it).
 */
@Catch(OdooError)
export class OdooErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(OdooErrorFilter.name);

  catch(error: OdooError, host: ArgumentsHost): void {
    const status = error.retryable
      ? HttpStatus.SERVICE_UNAVAILABLE
      : error.kind === 'validation'
        ? HttpStatus.BAD_REQUEST
        : HttpStatus.BAD_GATEWAY;
    this.logger.warn(`Odoo ${error.kind} error: ${error.message}`);
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(status)
      .json({
        statusCode: status,
        error: status === HttpStatus.BAD_REQUEST ? 'Bad Request' : 'Odoo unavailable',
        message: status === HttpStatus.BAD_REQUEST ? error.message : `Odoo ${error.kind} error`,
      });
  }
}
