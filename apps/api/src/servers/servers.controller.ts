import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { ServerSortKey, ServerView } from '#common';
import { ApiKeyAuth, RequiresRole } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../errors/api-error.dto.js';
import { HistoryDto, HistoryQueryDto } from '../stats/stats.dto.js';
import { StatsService } from '../stats/stats.service.js';
import {
  CreateServerDto,
  ListServersQueryDto,
  PollNowDto,
  ServerDto,
  ServerIdParamDto,
  ServerListDto,
  UpdateServerDto,
} from './server.dto.js';
import { ServersService } from './servers.service.js';

@ApiTags('servers')
@ApiKeyAuth()
@ApiBadRequestResponse({
  description: 'Invalid input; every bad field is named',
  type: ApiErrorDto,
})
@ApiTooManyRequestsResponse({ description: 'Rate limit of the key reached', type: ApiErrorDto })
@Controller('servers')
export class ServersController {
  constructor(
    private readonly servers: ServersService,
    private readonly stats: StatsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List servers with their live status: filters, sort, pages' })
  @ApiOkResponse({ type: ServerListDto })
  list(@Query() query: ListServersQueryDto): Promise<{ items: ServerView[]; total: number }> {
    const descending = query.sort?.startsWith('-') ?? false;
    const sort = query.sort?.replace(/^-/, '') as ServerSortKey | undefined;
    return this.servers.list({
      limit: query.limit,
      offset: query.offset,
      game: query.game,
      online: query.online,
      active: query.active,
      text: query.q,
      customerId: query.customer,
      tag: query.tag,
      sort,
      descending,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One server, archived or not' })
  @ApiOkResponse({ type: ServerDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  get(@Param() params: ServerIdParamDto): Promise<ServerView> {
    return this.servers.get(params.id);
  }

  @Get(':id/history')
  @ApiOperation({
    summary: 'Players, uptime and latency of one server over time, in buckets',
    description:
      'Merged from the 15-minute (or daily, for older days) rows Odoo keeps: sums are added, ' +
      'averages are sums divided by counts, so every figure is exact.',
  })
  @ApiOkResponse({ type: HistoryDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  async history(
    @Param() params: ServerIdParamDto,
    @Query() query: HistoryQueryDto,
  ): Promise<HistoryDto> {
    await this.servers.get(params.id);
    return this.stats.history(params.id, query);
  }

  @Post()
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Register a server; it is polled from the next catalog sync on' })
  @ApiCreatedResponse({ type: ServerDto })
  create(@Body() body: CreateServerDto): Promise<ServerView> {
    return this.servers.create(body);
  }

  @Patch(':id')
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Change some fields of a server; null clears an optional one' })
  @ApiOkResponse({ type: ServerDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  update(@Param() params: ServerIdParamDto, @Body() body: UpdateServerDto): Promise<ServerView> {
    return this.servers.update(params.id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Delete a server from Odoo; it is no longer polled' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ApiErrorDto })
  delete(@Param() params: ServerIdParamDto): Promise<void> {
    return this.servers.delete(params.id);
  }

  @Post(':id/poll')
  @HttpCode(202)
  @RequiresRole('admin')
  @ApiOperation({ summary: 'Poll a server now, ahead of its schedule' })
  @ApiAcceptedResponse({ type: PollNowDto })
  @ApiNotFoundResponse({ type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The server is archived', type: ApiErrorDto })
  pollNow(@Param() params: ServerIdParamDto): Promise<PollNowDto> {
    return this.servers.pollNow(params.id);
  }
}
