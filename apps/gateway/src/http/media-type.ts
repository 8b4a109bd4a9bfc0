import type { FastifyRequest } from 'fastify';
import { TesseraError } from '@tessera/contracts';

/** Route config (`@RouteConfig({ formBody: true })`) of the few routes the contract lets take a form body. */
export interface BodyRouteConfig {
  formBody?: boolean;
}

/**
 * CONTRACT section 2: request bodies are `application/json` only, so an HTML form (or XML, or a
 * multipart upload) riding on a cookie never reaches a handler; 415 before the body is even read.
 */
export async function requireJsonBody(request: FastifyRequest): Promise<void> {
  const length = request.headers['content-length'];
  const hasBody = request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return;
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
  if (type === 'application/json') return;
  if (type === 'application/x-www-form-urlencoded' && (request.routeOptions.config as BodyRouteConfig | undefined)?.formBody) return;
  throw new TesseraError('unsupported_media_type', `request bodies must be application/json, not ${type || 'untyped'}`, [
    { field: 'content-type', problems: ['must be application/json'] },
  ]);
}
