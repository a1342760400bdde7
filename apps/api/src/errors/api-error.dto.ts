import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'port', description: 'Path of the field, dotted for nested ones' })
  field!: string;

  @ApiProperty({ example: ['port must not be greater than 65535'] })
  errors!: string[];
}

/** The one shape of every error the API answers, whatever its cause. */
export class ApiErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: '1 field is invalid: port' })
  message!: string;

  @ApiProperty({ type: [FieldErrorDto], description: 'One entry per bad field; empty otherwise' })
  fields!: FieldErrorDto[];

  @ApiProperty({
    example: '0b5c1f9e-3d5a-4c44-9d6f-2f0e5f1c8a77',
    description: 'Also in the X-Request-Id header and in the log lines of this request',
    nullable: true,
    type: String,
  })
  requestId!: string | null;

  @ApiPropertyOptional({ description: 'More about the failure, e.g. which readiness check failed' })
  details?: Record<string, unknown>;
}

/** An error body in the one shape; `error` is the status's standard text. */
export function apiError(
  statusCode: number,
  message: string,
  requestId: string | null,
  fields: FieldErrorDto[] = [],
): ApiErrorDto {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, fields, requestId };
}

/** The id pino-http gave the request (it is also in the X-Request-Id header). */
export function requestIdOf(req: object): string | null {
  const id = (req as { id?: unknown }).id;
  return typeof id === 'string' ? id : null;
}
