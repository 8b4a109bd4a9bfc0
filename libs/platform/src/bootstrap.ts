import type { NatsConnection } from '@nats-io/transport-node';
import { Logger, Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MigrationInterface } from 'typeorm';
import { queueGroup, SUBJECTS, type AppName, type EventCategory, type NatsAppName } from '@tessera/contracts';
import { ConfigError, loadConfig, type TesseraConfig } from '@tessera/config';
import { connectNats, NatsJsonServer, RpcErrorsFilter } from '@tessera/messaging';
import { createLog, observePool, PinoNestLogger, serveMetrics, startTracing, stopTracing } from '@tessera/observability';
import { openDatabase, type Database } from './database';
import { databaseUnavailable } from './database-errors';
import { DatabaseHealth } from './database-health';
import { PlatformModule, type PlatformParts } from './platform.module';
import { Readiness } from './readiness';

export interface StartedParts extends PlatformParts {
  database: Database;
}

export interface AppOptions {
  migrations?: (new () => MigrationInterface)[];
  /** The category this app's events are published under; absent for apps that never append. */
  category?: EventCategory;
}

/** Loads the config (exiting with the bad variable's name), then opens the database and NATS. */
export async function startPlatform(app: AppName, options: AppOptions = {}): Promise<StartedParts> {
  const config = readConfigOrExit();
  await startTracing(app);
  const log = createLog(app, { level: config.TESSERA_LOG_LEVEL, pretty: config.NODE_ENV === 'development' });
  Logger.overrideLogger(new PinoNestLogger(log));
  const readiness = new Readiness(app);
  const database = await openDatabase({
    url: config.DATABASE_URL,
    schema: app,
    migrations: options.migrations ?? [],
    poolSize: config.TESSERA_DB_POOL_SIZE,
    health: new DatabaseHealth(readiness),
  });
  observePool(database.pool);
  const nats = await connectNats(config.NATS_URL, `tessera-${app}`, app);
  return {
    config,
    nats,
    pool: database.pool,
    database,
    readiness,
    category: options.category,
  };
}

export function readConfigOrExit(): TesseraConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

/** Where each NATS app serves its metrics when TESSERA_METRICS_PORT is unset (the gateway: on its own PORT). */
export const METRICS_PORTS: Record<NatsAppName, number> = { identity: 9101, token: 9102, policy: 9103, audit: 9104 };

/** Starts one of the NATS apps: plain-JSON handlers in the app's queue group, plus its health subject. */
export async function bootstrapNatsApp(
  app: NatsAppName,
  appModule: Type<unknown>,
  options: AppOptions = {},
): Promise<INestApplicationContext> {
  const parts = await startPlatform(app, options);
  const server = new NatsJsonServer(parts.nats, queueGroup(app), {
    // A lost database connection is a 503 with Retry-After, and tells the app's health the database is down.
    translateError: (error) => {
      const unavailable = databaseUnavailable(error);
      if (unavailable) parts.database.health.observe(error);
      return unavailable;
    },
  });
  const nest = await NestFactory.createMicroservice(withPlatform(appModule, parts), { strategy: server });
  nest.useGlobalFilters(new RpcErrorsFilter());
  server.addHandler(SUBJECTS.health(app), async () => parts.readiness.report());
  await nest.listen();
  await serveMetrics(parts.config.TESSERA_METRICS_PORT ?? METRICS_PORTS[app], parts.config.TESSERA_METRICS_HOST);
  closeOnShutdown(nest, parts.nats, parts.database);
  new Logger(app).log(`${app} listening on NATS as queue group ${queueGroup(app)}`);
  return nest;
}

/** The app's root module beside the global platform module. */
export function withPlatform(appModule: Type<unknown>, parts: PlatformParts): DynamicModule {
  return { module: TesseraRootModule, imports: [PlatformModule.forRoot(parts), appModule] };
}

@Module({})
class TesseraRootModule {}

/** How long a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;
/** How long the last NATS flush may wait (it waits for a server that may be gone). */
const NATS_DRAIN_MS = 3_000;

/**
 * On SIGTERM or SIGINT: Nest closes first, which stops taking requests and lets those in flight
 * answer (Fastify's close, the NATS subscriptions' drain), then the app's modules stop; then the
 * NATS connection is drained (what was published goes out) and the pool is closed.
 */
export function closeOnShutdown(nest: INestApplicationContext, nats: NatsConnection, database: Database): void {
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    const log = new Logger('shutdown');
    log.log(`${signal}: draining in-flight requests`);
    setTimeout(() => {
      log.error(`still closing after ${SHUTDOWN_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    await nest.close().catch((error: Error) => log.error(`closing the app: ${error.message}`));
    await withDeadline(nats.drain(), NATS_DRAIN_MS).catch(() => nats.close());
    database.health.stop();
    await database.pool.end().catch(() => undefined);
    await stopTracing();
    log.log('closed');
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
