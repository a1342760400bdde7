import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiErrorDto } from '../errors/api-error.dto.js';
import type { ApiRole } from './api-key.registry.js';

export const PUBLIC_ROUTE = 'gss:public';
export const REQUIRED_ROLE = 'gss:role';
export const API_KEY_SCHEME = 'api-key';

/** A route anyone may call without a key: health, metrics, the status page, the docs. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** A route that needs a key of at least `role` (every other route needs a viewer key). */
export function RequiresRole(role: ApiRole): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_ROLE, role),
    ApiForbiddenResponse({ description: `The key is not an ${role} key`, type: ApiErrorDto }),
  );
}

/** Documents that a controller's routes need a key. */
export function ApiKeyAuth(): ClassDecorator {
  return applyDecorators(
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'No key, or a wrong one', type: ApiErrorDto }),
  );
}
