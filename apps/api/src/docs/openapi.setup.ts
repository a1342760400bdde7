import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SCHEME } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../errors/api-error.dto.js';

/**
 * The OpenAPI document, generated from the controllers and DTOs, with Swagger UI at /docs
 * and the JSON at /docs/openapi.json. Public, like any API reference: it holds no data.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Game Server Status API')
    .setDescription(
      'The catalog and live status of the game servers (kept in Odoo), their history and ' +
        'statistics, and the poll queue. Every route but /health and /metrics needs an API ' +
        'key in the X-API-Key header (or Authorization: Bearer): viewer keys read, admin keys ' +
        'also create, change, delete and poll now. Every error has the ApiErrorDto shape.',
    )
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ApiErrorDto] });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    raw: ['json'],
    customSiteTitle: 'Game Server Status API',
  });
}
