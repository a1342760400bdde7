import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  IsCustomerId,
  IsGameId,
  IsPollInterval,
  IsServerHost,
  IsServerName,
  IsServerNotes,
  IsServerPort,
  IsServerTags,
  newServerRules,
  SERVER_SORT_KEYS,
  type ServerLiveStatus,
  type ServerSortKey,
  type ServerView,
} from '#common';
import { GAME_IDS, canonicalGameId } from '#providers';

const SORTS = SERVER_SORT_KEYS.flatMap((key) => [key, `-${key}`]);

/** Query strings carry text; only the exact words true and false are booleans. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/**
 * GameDig's former game ids (`arkse`, `tf2`, ...) are taken and stored as the current ones;
 * anything else is left for the validators to judge.
 */
const toCurrentGameId = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? (canonicalGameId(value) ?? value) : value;

/** Present in a change means "set it": undefined is "leave it", null is refused. */
const present = (_: object, value: unknown): boolean => value !== undefined;
/** Present and not null means "set it"; null clears an optional field. */
const given = (_: object, value: unknown): boolean => value !== undefined && value !== null;

/**
 * The rules come from #common (the seed command checks its rows with the same ones); this
 * class only documents the fields for OpenAPI.
 */
export class CreateServerDto extends newServerRules(GAME_IDS) {
  @ApiProperty({ example: 'Survival EU', maxLength: 200 })
  declare name: string;

  @ApiProperty({
    example: 'minecraft',
    description: "A game id from GET /games (GameDig's former ids are taken as the current ones)",
  })
  @Transform(toCurrentGameId)
  declare game: string;

  @ApiProperty({ example: 'mc1.example.net', description: 'Hostname or IP address' })
  declare host: string;

  @ApiProperty({ example: 25565, minimum: 1, maximum: 65_535, description: 'Game port' })
  declare port: number;

  @ApiPropertyOptional({
    example: 27015,
    minimum: 1,
    maximum: 65_535,
    description: 'Port answering status queries, when it differs from the game port',
  })
  declare queryPort?: number;

  @ApiPropertyOptional({
    example: 60,
    minimum: 5,
    maximum: 86_400,
    description: "Seconds between polls; absent: the poller's default (POLL_INTERVAL_S)",
  })
  declare pollIntervalS?: number;

  @ApiPropertyOptional({ maxLength: 10_000 })
  declare notes?: string;

  @ApiPropertyOptional({ example: 7, description: "The customer: a contact's id in Odoo" })
  declare customerId?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['EU', 'premium'],
    maxItems: 20,
    description: 'Tag names (1-64 characters); tags Odoo does not have yet are created',
  })
  declare tags?: string[];

  @ApiPropertyOptional({
    description: 'Players see it on the public page (/public); default false',
  })
  declare published?: boolean;

  @ApiPropertyOptional({ description: 'The public page shows its host and port; default false' })
  declare showAddress?: boolean;
}

/** A PATCH: only the fields sent change; null clears queryPort, pollIntervalS and notes. */
export class UpdateServerDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @ValidateIf(present)
  @IsServerName()
  name?: string;

  @ApiPropertyOptional({
    description: "A game id from GET /games (GameDig's former ids are taken as the current ones)",
  })
  @Transform(toCurrentGameId)
  @ValidateIf(present)
  @IsGameId(GAME_IDS)
  game?: string;

  @ApiPropertyOptional()
  @ValidateIf(present)
  @IsServerHost()
  host?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 65_535 })
  @ValidateIf(present)
  @IsServerPort()
  port?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 65_535, nullable: true, type: Number })
  @ValidateIf(given)
  @IsServerPort()
  queryPort?: number | null;

  @ApiPropertyOptional({ minimum: 5, maximum: 86_400, nullable: true, type: Number })
  @ValidateIf(given)
  @IsPollInterval()
  pollIntervalS?: number | null;

  @ApiPropertyOptional({ maxLength: 10_000, nullable: true, type: String })
  @ValidateIf(given)
  @IsServerNotes()
  notes?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: "The customer: a contact's id in Odoo; null: none",
  })
  @ValidateIf(given)
  @IsCustomerId()
  customerId?: number | null;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 20,
    description: 'Replaces the tags; tags Odoo does not have yet are created; [] removes them all',
  })
  @ValidateIf(present)
  @IsServerTags()
  tags?: string[];

  @ApiPropertyOptional({ description: 'Players see it on the public page (/public)' })
  @ValidateIf(present)
  @IsBoolean()
  published?: boolean;

  @ApiPropertyOptional({ description: 'The public page shows its host and port' })
  @ValidateIf(present)
  @IsBoolean()
  showAddress?: boolean;

  @ApiPropertyOptional({ description: 'false archives the server: it is no longer polled' })
  @ValidateIf(present)
  @IsBoolean()
  active?: boolean;
}

export class ListServersQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;

  @ApiPropertyOptional({ example: 'minecraft', description: 'Only servers of this game id' })
  @IsOptional()
  @Transform(toCurrentGameId)
  @IsString()
  @MaxLength(100)
  game?: string;

  @ApiPropertyOptional({ description: 'Only servers that are (true) or are not (false) online' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'online must be true or false' })
  online?: boolean;

  @ApiPropertyOptional({ description: 'false lists archived servers instead of active ones' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({
    example: 7,
    description: "Only the servers of this customer (a contact's id)",
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  customer?: number;

  @ApiPropertyOptional({
    example: 'EU',
    description: 'Only the servers with this tag (exact name)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;

  @ApiPropertyOptional({ description: 'Part of the name, host or game id, any case' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: SORTS,
    default: 'name',
    description: 'Sort key; a leading - sorts descending. Ties are broken by id.',
  })
  @IsOptional()
  @IsIn(SORTS, { message: `sort must be one of ${SORTS.join(', ')}` })
  sort?: ServerSortKey | `-${ServerSortKey}`;
}

export class ServerIdParamDto {
  @ApiProperty({ example: 42 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id!: number;
}

export class ServerErrorDto {
  @ApiProperty({ example: 'timeout' })
  code!: string;

  @ApiProperty({ example: 'no answer within 3000 ms' })
  message!: string;
}

export class ServerCustomerDto {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 'Pixel Guild' })
  name!: string;
}

export class ServerStatusDto implements ServerLiveStatus {
  @ApiProperty()
  online!: boolean;

  @ApiProperty({ type: Number, nullable: true, example: 12 })
  playersOnline!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 40 })
  playersMax!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  bots!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 23 })
  latencyMs!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'world' })
  map!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1.21.4' })
  version!: string | null;

  @ApiProperty({ type: String, nullable: true })
  gameMode!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'A Minecraft server' })
  motd!: string | null;

  @ApiProperty({ type: Boolean, nullable: true })
  passwordProtected!: boolean | null;

  @ApiProperty({ type: [String], description: 'Names the server shared; may be partial' })
  playerNames!: string[];

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  lastChecked!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  lastOnline!: string | null;

  @ApiProperty({ type: ServerErrorDto, nullable: true })
  lastError!: ServerErrorDto | null;

  @ApiProperty({ example: 0 })
  consecutiveFailures!: number;
}

export class ServerPublicPageDto {
  @ApiProperty({ description: 'Players see it on the public page (/public)' })
  published!: boolean;

  @ApiProperty({ description: 'The public page shows its host and port' })
  showAddress!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'survival-eu',
    description: 'Its name in public links (/public/servers/<slug>), made when first published',
  })
  slug!: string | null;
}

export class ServerDto implements ServerView {
  @ApiProperty({ example: 42 })
  id!: number;

  @ApiProperty({ example: 'Survival EU' })
  name!: string;

  @ApiProperty({ example: 'minecraft' })
  game!: string;

  @ApiProperty({ example: 'mc1.example.net' })
  host!: string;

  @ApiProperty({ example: 25565 })
  port!: number;

  @ApiProperty({ type: Number, nullable: true })
  queryPort!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: "null: the poller's default" })
  pollIntervalS!: number | null;

  @ApiProperty({ description: 'false: archived, no longer polled' })
  active!: boolean;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ type: ServerCustomerDto, nullable: true })
  customer!: ServerCustomerDto | null;

  @ApiProperty({ type: [String], example: ['EU'] })
  tags!: string[];

  @ApiProperty({ type: ServerPublicPageDto })
  publicPage!: ServerPublicPageDto;

  @ApiProperty({ type: ServerStatusDto })
  status!: ServerStatusDto;
}

export class ServerListDto {
  @ApiProperty({ type: [ServerDto] })
  items!: ServerDto[];

  @ApiProperty({ example: 1234, description: 'Servers matching the filters, on every page' })
  total!: number;
}

export class PollNowDto {
  @ApiProperty({ example: 'poll-now-42-1767225600000' })
  jobId!: string;

  @ApiProperty({ example: 42 })
  serverId!: number;
}
