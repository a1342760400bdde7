import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { allows, ApiKeyRegistry, type ApiRole, type AuthedRequest } from './api-key.registry.js';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './auth.decorators.js';

/**
 * Every route needs a valid key unless marked @Public(): a missing or wrong key is 401,
 * a viewer key on an admin route 403. The owner is kept on the request for the logs.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const needed = this.reflector.getAllAndOverride<ApiRole>(REQUIRED_ROLE, targets) ?? 'viewer';
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const principal = this.keys.fromRequest(req);
    if (!principal) {
      throw new UnauthorizedException(
        'A valid API key is required: send it as X-API-Key or Authorization: Bearer',
      );
    }
    req.principal = principal;
    if (!allows(principal.role, needed)) {
      throw new ForbiddenException(
        `This needs an ${needed} key; '${principal.name}' is a ${principal.role} key`,
      );
    }
    return true;
  }
}
