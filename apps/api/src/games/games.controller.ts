import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ProviderRegistry } from '#providers';
import { ApiKeyAuth } from '../auth/auth.decorators.js';

export class GameDto {
  @ApiProperty({ example: 'minecraft', description: "GameDig's id wherever GameDig has one" })
  id!: string;

  @ApiProperty({ example: 'Minecraft' })
  name!: string;

  @ApiProperty({ example: 'minecraft', description: 'The provider (protocol) that queries it' })
  provider!: string;

  @ApiProperty({
    type: [String],
    example: ['arkse'],
    description: "GameDig's former ids of this game, accepted wherever a game id is",
  })
  aliases!: string[];

  @ApiProperty({ type: Number, nullable: true, example: 25565 })
  defaultPort!: number | null;
}

@ApiTags('games')
@ApiKeyAuth()
@Controller('games')
export class GamesController {
  constructor(private readonly registry: ProviderRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every game id a server can have, with its provider and default port' })
  @ApiOkResponse({ type: [GameDto] })
  list(): GameDto[] {
    return this.registry.games().map(({ id, name, provider, aliases, defaultPort }) => ({
      id,
      name,
      provider,
      aliases: [...aliases],
      defaultPort,
    }));
  }
}
