import type { NatsConnection } from '@nats-io/transport-node';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import type { EventCategory } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { EventStore } from '@tessera/event-store';
import { TesseraClient } from '@tessera/messaging';
import { Readiness } from './readiness';
import { NATS_CONNECTION, PG_POOL } from './tokens';

export interface PlatformParts {
  config: TesseraConfig;
  nats: NatsConnection;
  pool: Pool;
  readiness: Readiness;
  /** The category this app's events are published under; absent for apps that never append. */
  category?: EventCategory;
}

/** Hands every app its config, NATS connection and typed client, database and event store as injectable providers. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(parts: PlatformParts): DynamicModule {
    const providers = [
      { provide: TesseraConfig, useValue: parts.config },
      { provide: NATS_CONNECTION, useValue: parts.nats },
      { provide: TesseraClient, useValue: new TesseraClient(parts.nats) },
      { provide: PG_POOL, useValue: parts.pool },
      { provide: Readiness, useValue: parts.readiness },
      ...(parts.category ? [{ provide: EventStore, useValue: new EventStore(parts.pool, parts.category, parts.nats) }] : []),
    ];
    return { module: PlatformModule, providers, exports: providers.map((provider) => provider.provide) };
  }
}
