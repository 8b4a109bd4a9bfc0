import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Pool } from 'pg';
import type { TesseraConfig } from '@tessera/config';
import { installRateLimits } from '../rate-limits/rate-limits';
import { requireJsonBody } from './media-type';
import { installSecurityHeaders, securityHeaders } from './security-headers';

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What every request meets before a Nest guard runs: security headers, rate limits on the routes
 * that ask for them, and JSON-only bodies on the methods that carry one. Hooks are attached per
 * route (`onRoute`), so a route pays only for what applies to it. Call before NestFactory.create.
 */
export function hardenHttp(fastify: FastifyInstance, config: TesseraConfig, pool: Pool): void {
  installSecurityHeaders(fastify, securityHeaders(config.publicUrl));
  installRateLimits(fastify, pool);
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.some((method) => !BODYLESS_METHODS.has(method.toUpperCase()))) {
      route.onRequest = [
        ...(route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]),
        requireJsonBody,
      ];
    }
  });
}
