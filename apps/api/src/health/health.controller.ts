import { Controller, Get } from '@nestjs/common';

@Controller('health')
export class HealthController {
  /** Liveness: the process answers HTTP. Readiness (Redis, Odoo) is a separate check. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
