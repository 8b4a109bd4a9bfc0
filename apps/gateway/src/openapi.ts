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
  listPlainRoutes(document);
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

/**
 * The plain Fastify routes (AuthenticatedRoutes), which Nest's scanner does not see, each where Nest
 * listed it as a controller route (after `after`) and as Nest described it: the operation ids are
 * those the console's generated types name.
 */
function listPlainRoutes(document: OpenAPIObject): void {
  const paths = Object.entries(document.paths);
  for (const { path, after, get } of PLAIN_ROUTES) {
    const at = after === undefined ? -1 : paths.findIndex(([listed]) => listed === after);
    paths.splice(at === -1 ? paths.length : at + 1, 0, [path, { get }]);
  }
  document.paths = Object.fromEntries(paths);
}

const CALLER = { responses: { '200': { description: '' } }, security: [{ bearer: [] }] };
/** A string query parameter, its keys in Nest's order. */
const query = (name: string, required: boolean, description?: string) => ({
  name,
  required,
  in: 'query' as const,
  ...(description === undefined ? {} : { description }),
  schema: { type: 'string' as const },
});

/** `GET /api/v1/me` (MeRoute) has its own description: it never was a Nest route. */
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

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const PLAIN_ROUTES: { path: string; after?: string; get: Operation }[] = [
  {
    path: '/auth/api/v1/user/cache',
    after: '/auth/api/v1/user/token/{id}',
    get: {
      operationId: 'MiddleAuthController_userCache',
      parameters: [],
      ...CALLER,
      summary: "The caller's middle_auth user-cache object (permissions capped by the token's scopes)",
      tags: ['middle_auth'],
    },
  },
  {
    path: '/api/v1/check',
    after: '/api/v1/users/{id}/affiliations',
    get: {
      operationId: 'DecisionsController_check',
      parameters: [
        query('permission', true),
        query('dataset', false, 'dataset id or name (or give service and table)'),
        query('service', false, 'with table, instead of dataset'),
        query('table', false, 'with service, instead of dataset'),
      ],
      ...CALLER,
      summary: 'May the caller do `permission` on a dataset (or a service table)? 200, or 403 with the reason',
      tags: ['policy'],
    },
  },
  {
    path: '/api/v1/me/permissions',
    after: '/api/v1/check',
    get: {
      operationId: 'DecisionsController_myPermissions',
      parameters: [],
      ...CALLER,
      summary: "The caller's permissions per dataset, with and without TOS, and what it administers",
      tags: ['policy'],
    },
  },
  { path: '/api/v1/me', get: ME_OPERATION },
];
