import { applyDecorators } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  type ValidationError,
  validateSync,
} from 'class-validator';
import type { NewServer } from '../catalog.js';

/*
 * The rules a game server's catalog fields follow, wherever a server comes from: the API's
 * POST and PATCH /servers, and the `seed` command's sheets, demo set and copies from another
 * Odoo. The addon's constraints on game.server say the same (ports, poll interval).
 */

/** A hostname (RFC 1123 labels) or an IPv4/IPv6 literal. */
export const HOST_PATTERN =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^[0-9A-Fa-f:.]+$/;
const GAME_MESSAGE = 'game must be one of the supported game ids (GET /games)';
const HOST_MESSAGE = 'host must be a hostname or an IP address';

/**
 * Applies `decorators` as if written stacked above a property, first one on top: class-validator
 * then checks (and lists failures) in the same order as the stacked form would.
 */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}

export const IsServerName = (): PropertyDecorator =>
  stacked(IsString(), IsNotEmpty(), MaxLength(200));

/** `gameIds` comes from the caller: the game table lives in #providers, which imports #common. */
export const IsGameId = (gameIds: readonly string[]): PropertyDecorator =>
  IsIn(gameIds, { message: GAME_MESSAGE });

export const IsServerHost = (): PropertyDecorator =>
  stacked(IsString(), MaxLength(253), Matches(HOST_PATTERN, { message: HOST_MESSAGE }));

export const IsServerPort = (): PropertyDecorator => stacked(IsInt(), Min(1), Max(65_535));

export const IsPollInterval = (): PropertyDecorator => stacked(IsInt(), Min(5), Max(86_400));

export const IsServerNotes = (): PropertyDecorator => stacked(IsString(), MaxLength(10_000));

export const IsCustomerId = (): PropertyDecorator => stacked(IsInt(), Min(1));

/** Up to 20 tag names of 1 to 64 characters. */
export const IsServerTags = (): PropertyDecorator =>
  stacked(
    IsArray(),
    ArrayMaxSize(20),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
    MaxLength(64, { each: true }),
  );

/** The validated shape of a new server, for one game table. */
export type NewServerRulesClass = new () => NewServer;

/**
 * A class carrying every rule of a new server, for the games in `gameIds` (pass GAME_IDS from
 * #providers). The API's create DTO extends it; {@link newServerProblems} checks with it.
 */
export function newServerRules(gameIds: readonly string[]): NewServerRulesClass {
  class NewServerRules implements NewServer {
    @IsServerName()
    name!: string;

    @IsGameId(gameIds)
    game!: string;

    @IsServerHost()
    host!: string;

    @IsServerPort()
    port!: number;

    @IsOptional()
    @IsServerPort()
    queryPort?: number;

    @IsOptional()
    @IsPollInterval()
    pollIntervalS?: number;

    @IsOptional()
    @IsServerNotes()
    notes?: string;

    @IsOptional()
    @IsCustomerId()
    customerId?: number;

    @IsOptional()
    @IsServerTags()
    tags?: string[];

    @IsOptional()
    @IsBoolean()
    published?: boolean;

    @IsOptional()
    @IsBoolean()
    showAddress?: boolean;
  }
  return NewServerRules;
}

/**
 * Every rule `server` breaks, one message per field (its first failure), in field order;
 * empty when it is a valid new server. Fields outside the rules are refused too, as the API
 * refuses them.
 */
export function newServerProblems(
  rules: NewServerRulesClass,
  server: Readonly<Record<string, unknown>>,
): string[] {
  const errors = validateSync(plainToInstance(rules, server), {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: true,
  });
  return errors.flatMap((error: ValidationError) => Object.values(error.constraints ?? {}));
}
