import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import type { ServerView } from '#common';
import { CreateServerDto, ListServersQueryDto, ServerIdParamDto } from './server.dto.js';
import { ServersService } from './servers.service.js';

@Controller('servers')
export class ServersController {
  constructor(private readonly servers: ServersService) {}

  @Get()
  list(@Query() query: ListServersQueryDto): Promise<{ items: ServerView[]; total: number }> {
    return this.servers.list(query.limit, query.offset);
  }

  @Get(':id')
  get(@Param() params: ServerIdParamDto): Promise<ServerView> {
    return this.servers.get(params.id);
  }

  @Post()
  create(@Body() body: CreateServerDto): Promise<ServerView> {
    return this.servers.create(body);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param() params: ServerIdParamDto): Promise<void> {
    return this.servers.delete(params.id);
  }
}
