import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth } from '../auth/auth.decorators.js';
import { StatsDto, StatsQueryDto } from './stats.dto.js';
import { StatsService } from './stats.service.js';

@ApiTags('stats')
@ApiKeyAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOperation({
    summary: 'Servers, online, players now, peak players and uptime, per game and in total',
  })
  @ApiOkResponse({ type: StatsDto })
  get(@Query() query: StatsQueryDto): Promise<StatsDto> {
    return this.stats.stats(query.hours);
  }
}
