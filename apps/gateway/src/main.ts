import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { closeOnShutdown, startPlatform, withPlatform } from '@tessera/platform';
import { HttpErrorsFilter } from './errors/http-errors.filter';
import { createValidationPipe } from './errors/validation.pipe';
import { GatewayModule } from './gateway.module';
import { setUpOpenApi } from './openapi';

/** Largest request body accepted (CONTRACT section 2); larger ones get 413. */
const BODY_LIMIT_BYTES = 64 * 1024;

async function bootstrap(): Promise<void> {
  const parts = await startPlatform('gateway');
  const app = await NestFactory.create<NestFastifyApplication>(
    withPlatform(GatewayModule, parts),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: true }),
  );
  app.useGlobalFilters(new HttpErrorsFilter(parts.config));
  app.useGlobalPipes(createValidationPipe());
  setUpOpenApi(app, parts.config.publicUrl);
  await app.listen(parts.config.PORT, '0.0.0.0');
  closeOnShutdown(app, parts.nats, parts.database);
  new Logger('gateway').log(`gateway listening on ${parts.config.PORT} (${parts.config.publicUrl})`);
}

void bootstrap();
