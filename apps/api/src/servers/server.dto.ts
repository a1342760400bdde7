import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  Matches,
} from 'class-validator';
import { GAME_IDS } from '#providers';

/** A hostname (RFC 1123 labels) or an IPv4/IPv6 literal. */
const HOST_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^[0-9A-Fa-f:.]+$/;

export class CreateServerDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsIn(GAME_IDS, { message: `game must be one of the supported game ids (GET /games)` })
  game!: string;

  @IsString()
  @MaxLength(253)
  @Matches(HOST_PATTERN, { message: 'host must be a hostname or an IP address' })
  host!: string;

  @IsInt()
  @Min(1)
  @Max(65_535)
  port!: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65_535)
  queryPort?: number;

  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(86_400)
  pollIntervalS?: number;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  notes?: string;
}

export class ListServersQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

export class ServerIdParamDto {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  id!: number;
}
