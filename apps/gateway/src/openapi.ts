import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiQuery, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** `@Query('name')` parameters the document should list as optional (Nest cannot see a `?` at run time). */
export const OptionalQuery = (...names: string[]): MethodDecorator =>
  applyDecorators(...names.map((name) => ApiQuery({ name, required: false, type: String })));

/** The OpenAPI document at /api/docs-json and its UI at /api/docs. */
export function setUpOpenApi(app: INestApplication, publicUrl: string): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tessera')
      .setDescription('Authentication and authorization for research-data platforms (CONTRACT v1).')
      .setVersion('1')
      .addServer(publicUrl)
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'A Tessera token: tsr<kind>_ + 32 base62 characters + a 6-character checksum',
      })
      .build(),
  );
  document.paths['/api/v1/me'] = { get: ME_OPERATION };
  markPagingOptional(document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

/** `?limit=` and `?cursor=` are optional on every list (CONTRACT section 2); a bare `@Query('limit')` reads as required. */
function markPagingOptional(document: OpenAPIObject): void {
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      for (const parameter of operation?.parameters ?? []) {
        if ('in' in parameter && parameter.in === 'query' && (parameter.name === 'limit' || parameter.name === 'cursor'))
          parameter.required = false;
      }
    }
  }
}

/** `GET /api/v1/me` is a plain Fastify route (see MeRoute), so Nest's scanner does not see it. */
const ME_OPERATION = {
  summary: 'The caller: who it is, its groups and affiliations (answered by the gateway alone)',
  tags: ['users'],
  security: [{ bearer: [] }],
  responses: {
    '200': {
      description: 'The caller',
      content: {
        'application/json': {
          schema: {
            type: 'object' as const,
            properties: {
              id: { type: 'string' as const, nullable: true },
              name: { type: 'string' as const },
              email: { type: 'string' as const, nullable: true },
              admin: { type: 'boolean' as const },
              serviceAccount: { type: 'boolean' as const },
              readOnly: { type: 'boolean' as const },
              groups: { type: 'array' as const, items: { type: 'string' as const } },
              affiliations: {
                type: 'array' as const,
                items: {
                  type: 'object' as const,
                  properties: {
                    affiliationId: { type: 'string' as const },
                    name: { type: 'string' as const },
                    start: { type: 'string' as const, format: 'date-time' },
                    end: { type: 'string' as const, format: 'date-time', nullable: true },
                    current: { type: 'boolean' as const },
                  },
                },
              },
              revision: { type: 'string' as const },
            },
          },
        },
      },
    },
    '401': { description: 'no_token, invalid_token, expired_token or revoked_token' },
  },
};
