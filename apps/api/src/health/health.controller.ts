import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import type { Queue } from 'bullmq';
import { ODOO_SERVER_MODEL, QueueName } from '#common';
import { OdooClient } from '#odoo-client';
import { Public } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../errors/api-error.dto.js';

/** Long enough for a healthy dependency under load, short enough for a probe's own timeout. */
const CHECK_TIMEOUT_MS = 3_000;

/** Probes for an orchestrator: no key needed, never rate limited. */
@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectQueue(QueueName.Poll) private readonly pollQueue: Queue,
    private readonly odoo: OdooClient,
  ) {}

  /** Liveness: the process answers HTTP. It checks nothing else, so a restart never fixes a dependency. */
  @Get('live')
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: Redis answers a read of the poll queue, and Odoo a read of game.server with our key. */
  @Get('ready')
  @HealthCheck()
  @ApiServiceUnavailableResponse({ description: 'Redis or Odoo is not usable', type: ApiErrorDto })
  ready() {
    return this.health.check([
      () =>
        this.indicators
          .check('redis')
          .attempt(async () => {
            await this.pollQueue.getJobCounts('waiting');
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('odoo')
          .attempt(async ({ signal }) => {
            // Proves the URL, the database, the key and the addon; the error says which failed.
            const { version, protocol } = await this.odoo.ready(
              { model: ODOO_SERVER_MODEL },
              { signal },
            );
            return { version: version.version, protocol };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
    ]);
  }
}
