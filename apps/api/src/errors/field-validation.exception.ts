import { BadRequestException } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import type { FieldErrorDto } from './api-error.dto.js';

/** A 400 that names every bad field; the global ValidationPipe throws it. */
export class FieldValidationException extends BadRequestException {
  constructor(readonly fields: FieldErrorDto[]) {
    const names = fields.map((f) => f.field).join(', ');
    super(`${fields.length} ${fields.length === 1 ? 'field is' : 'fields are'} invalid: ${names}`);
  }
}

/** ValidationPipe's exceptionFactory: class-validator's tree flattened to dotted field paths. */
export function fieldValidationException(errors: ValidationError[]): FieldValidationException {
  return new FieldValidationException(errors.flatMap((error) => flatten(error, '')));
}

function flatten(error: ValidationError, parent: string): FieldErrorDto[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.values(error.constraints ?? {});
  return [
    ...(own.length > 0 ? [{ field, errors: own }] : []),
    ...(error.children ?? []).flatMap((child) => flatten(child, field)),
  ];
}
