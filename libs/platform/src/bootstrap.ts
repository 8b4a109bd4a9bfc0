import type { NatsConnection } from '@nats-io/transport-node';
import { Logger, Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MigrationInterface } from 'typeorm';
import { queueGroup, SUBJECTS, type AppName, type EventCategory, type NatsAppName } from '@tessera/contracts';
import { ConfigError, loadConfig, type TesseraConfig } from '@tessera/config';
import { connectNats, NatsJsonServer, RpcErrorsFilter } from '@tessera/messaging';
import { openDatabase, type Database } from './database';
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
  const database = await openDatabase({
    url: config.DATABASE_URL,
    schema: app,
    migrations: options.migrations ?? [],
    poolSize: Number(process.env.TESSERA_DB_POOL_SIZE ?? 10),
  });
  const nats = await connectNats(config.NATS_URL, `tessera-${app}`);
  return {
    config,
    nats,
    pool: database.pool,
    dataSource: database.dataSource,
    database,
    readiness: new Readiness(app),
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

/** Starts one of the NATS apps: plain-JSON handlers in the app's queue group, plus its health subject. */
export async function bootstrapNatsApp(
  app: NatsAppName,
  appModule: Type<unknown>,
  options: AppOptions = {},
): Promise<INestApplicationContext> {
  const parts = await startPlatform(app, options);
  const server = new NatsJsonServer(parts.nats, queueGroup(app));
  const nest = await NestFactory.createMicroservice(withPlatform(appModule, parts), { strategy: server });
  nest.useGlobalFilters(new RpcErrorsFilter());
  server.addHandler(SUBJECTS.health(app), async () => parts.readiness.report());
  await nest.listen();
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

/** Drains NATS and closes the pool after Nest has shut the app's modules down. */
export function closeOnShutdown(nest: INestApplicationContext, nats: NatsConnection, database: Database): void {
  let closing = false;
  const close = async (signal: string) => {
    if (closing) return;
    closing = true;
    new Logger('shutdown').log(`${signal}: closing`);
    await nest.close().catch(() => undefined);
    await nats.drain().catch(() => undefined);
    await database.dataSource.destroy().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
}
