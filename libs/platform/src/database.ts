import { Client, type Pool } from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';
import { ensureEventStoreSchema, isUniqueViolation } from '@tessera/event-store';
import { DatabaseHealth } from './database-health';

const DUPLICATE_DATABASE = '42P04';
/** Key of the advisory lock that serialises one app's migrations across its replicas. */
const MIGRATION_LOCK_KEY = 7_362_002;
/** A connection attempt that has not succeeded by then fails, so a request never waits on a silent network. */
const CONNECT_TIMEOUT_MS = 3_000;

/** Creates the database of `url` when it does not exist yet (CONTRACT: "created if missing"). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection lost between queries is an 'error' event: without a listener it would end the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // Another replica created it first.
        if (error.code !== DUPLICATE_DATABASE && !isUniqueViolation(error)) throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export interface OpenDatabaseOptions {
  url: string;
  /** The app's schema; its migrations table lives there. */
  schema: string;
  migrations: (new () => MigrationInterface)[];
  poolSize: number;
  /** Told of every connection error; probes the pool once it is open. */
  health?: DatabaseHealth;
}

export interface Database {
  dataSource: DataSource;
  /** The pg pool under TypeORM, shared by the event store and the read models. */
  pool: Pool;
  health: DatabaseHealth;
}

/** Creates the database if missing, then applies the event-store schema and the app's migrations. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  await ensureDatabase(options.url);
  const health = options.health ?? new DatabaseHealth();
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrations: options.migrations,
    migrationsTableName: `${options.schema}_migrations`,
    migrationsTransactionMode: 'each',
    // An idle connection that drops is reported here (TypeORM would log a warning per connection).
    poolErrorHandler: (error: unknown) => health.observe(error),
    extra: {
      max: options.poolSize,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      // A connection checked out of the pool (an append, a streamed read, a COPY, an advisory-lock
      // session) that drops emits 'error' on its client: with no listener that ends the process.
      // Its query fails on its own; the listener only notes that the database went away.
      onConnect: (client: Client) => {
        client.on('error', (error) => health.observe(error));
      },
    },
  });
  await dataSource.initialize();
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  health.watch(pool);
  await ensureEventStoreSchema(pool);
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
  return { dataSource, pool, health };
}
