import type { NatsConnection } from '@nats-io/transport-node';
import {
  Injectable,
  Module,
  type DynamicModule,
  type Provider,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { TesseraConfig } from '@tessera/config';
import { NATS_CONNECTION, PG_POOL, Readiness } from '@tessera/platform';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ResolvedCallerInterceptor } from './resolved-caller.interceptor';
import { TokenIndexReplica } from './token-index.replica';

export interface TokenIndexModuleOptions {
  snapshots?: { everyMs: number; minEvents: number };
  reportRevision?: boolean;
  /** Resolve the `principal` of every NATS request from its bearer token (apps that serve the gateway). */
  resolveCallers?: boolean;
}

/** Starts the replica in the background once the app is up; /readyz says not ready until it caught up. */
@Injectable()
class TokenIndexLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly replica: TokenIndexReplica) {}
  onApplicationBootstrap(): void {
    void this.replica.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.replica.stop();
  }
}

/** Gives an app its TokenIndexReplica (inject `TokenIndexReplica`). */
@Module({})
export class TokenIndexModule {
  static forRoot(options: TokenIndexModuleOptions = {}): DynamicModule {
    return {
      module: TokenIndexModule,
      global: true,
      providers: [
        {
          provide: TokenIndexReplica,
          inject: [PG_POOL, NATS_CONNECTION, Readiness, TesseraConfig],
          useFactory: (pool: Pool, nats: NatsConnection, readiness: Readiness, config: TesseraConfig) =>
            new TokenIndexReplica({
              pool,
              nats,
              readiness,
              pollIntervalMs: config.TESSERA_POLL_INTERVAL_MS,
              snapshots: options.snapshots,
              reportRevision: options.reportRevision ?? true,
            }),
        },
        TokenIndexLifecycle,
        ...(options.resolveCallers ? [{ provide: APP_INTERCEPTOR, useClass: ResolvedCallerInterceptor } satisfies Provider] : []),
      ],
      exports: [TokenIndexReplica],
    };
  }
}
