import { Controller, Get, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  API_ROLES,
  type ApiPrincipal,
  type ApiRole,
  type AuthedRequest,
} from './api-key.registry.js';
import { ApiKeyAuth } from './auth.decorators.js';

export class MeDto implements ApiPrincipal {
  @ApiProperty({ example: 'it-dashboard', description: 'Name of the key, as configured' })
  name!: string;

  @ApiProperty({ enum: API_ROLES })
  role!: ApiRole;
}

/** Lets a client (the status page) check a key and learn what it may do. */
@ApiTags('auth')
@ApiKeyAuth()
@Controller('me')
export class MeController {
  @Get()
  @ApiOperation({ summary: 'The owner and role of the key sent' })
  @ApiOkResponse({ type: MeDto })
  me(@Req() req: AuthedRequest): MeDto {
    // The guard let the request through, so it has set the principal.
    const { name, role } = req.principal as ApiPrincipal;
    return { name, role };
  }
}
