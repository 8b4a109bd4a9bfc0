import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { observeHttp, serveHttpMetrics } from '@tessera/observability';
import { closeOnShutdown, schemaMigration, startPlatform, withPlatform } from '@tessera/platform';
import { HttpErrorsFilter } from './errors/http-errors.filter';
import { createValidationPipe } from './errors/validation.pipe';
import { GatewayModule } from './gateway.module';
import { formBodyParser, jsonBodyParser } from './http/bad-input';
import { clientErrorHandler, frameworkErrors } from './http/framework-errors';
import { hardenHttp } from './http/http-boundary';
import { RateLimits1765000000000 } from './migrations/1765000000000-rate-limits';
import { setUpOpenApi } from './openapi';

/** Largest request body accepted (CONTRACT section 2); larger ones get 413. */
const BODY_LIMIT_BYTES = 64 * 1024;

async function bootstrap(): Promise<void> {
  const parts = await startPlatform('gateway', { migrations: [schemaMigration('gateway'), RateLimits1765000000000] });
  const { config } = parts;
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from these peers; from anyone else `request.ip` is the peer.
    trustProxy: config.TESSERA_TRUSTED_PROXIES.length > 0 ? config.TESSERA_TRUSTED_PROXIES : false,
    frameworkErrors,
    clientErrorHandler,
    // The request id of the log lines: unique across replicas (this process's random id and a count).
    genReqId: requestIds(),
  });
  hardenHttp(adapter.getInstance(), config, parts.pool);
  observeHttp(adapter.getInstance());
  serveHttpMetrics(adapter.getInstance(), config.TESSERA_TRUSTED_PROXIES);
  const app = await NestFactory.create<NestFastifyApplication>(withPlatform(GatewayModule, parts), adapter);
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES }, jsonBodyParser(adapter.getInstance()));
  // Only routes marked `formBody` (RFC 8628's device routes) ever see a form: requireJsonBody refuses it elsewhere.
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: BODY_LIMIT_BYTES }, formBodyParser);
  app.useGlobalFilters(new HttpErrorsFilter(config));
  app.useGlobalPipes(createValidationPipe());
  setUpOpenApi(app, config.publicUrl);
  await app.listen(config.PORT, '0.0.0.0');
  closeOnShutdown(app, parts.nats, parts.database);
  new Logger('gateway').log(`gateway listening on ${config.PORT} (${config.publicUrl})`);
}

/** `<uuid>-<n>`: one random UUID per process, then a count in base 36 (a UUID per request cost more than the count). */
function requestIds(): () => string {
  const boot = randomUUID();
  let count = 0;
  return () => `${boot}-${(count++).toString(36)}`;
}

void bootstrap();
