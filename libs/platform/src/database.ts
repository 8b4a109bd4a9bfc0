import { Client, Pool } from 'pg';
import type { MigrationInterface } from 'typeorm';
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
  /** The pg pool, shared by the event store and the read models. */
  pool: Pool;
  health: DatabaseHealth;
}

/**
 * Creates the database if missing, then applies the event-store schema and the app's migrations.
 * TypeORM runs the migrations, and is loaded only when one is pending: once they are applied (every
 * start but an app's first), the app never loads its 300 modules (about 20 MB and a third of a
 * second of a start).
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  await ensureDatabase(options.url);
  const health = options.health ?? new DatabaseHealth();
  const pool = new Pool({
    connectionString: options.url,
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
  } as ConstructorParameters<typeof Pool>[0]);
  // An idle connection that drops is reported here.
  pool.on('error', (error) => health.observe(error));
  health.watch(pool);
  try {
    await ensureEventStoreSchema(pool);
    const table = `${options.schema}_migrations`;
    if (await migrationsPending(pool, table, options.migrations)) await runMigrations(options.url, table, options.migrations);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { pool, health };
}

/** True unless every migration's name is in TypeORM's table of those run (read with pg, without TypeORM). */
async function migrationsPending(pool: Pool, table: string, migrations: (new () => MigrationInterface)[]): Promise<boolean> {
  if (migrations.length === 0) return false;
  // Where TypeORM keeps it: the first schema of the search path.
  const exists = await pool.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`"${table}"`]);
  if (!exists.rows[0]?.found) return true;
  const run = new Set((await pool.query<{ name: string }>(`SELECT name FROM "${table}"`)).rows.map((row) => row.name));
  // TypeORM's name of a migration: its `name`, else its class's.
  return migrations.some((Migration) => {
    const migration = new Migration();
    return !run.has(migration.name ?? Migration.name);
  });
}

/** Runs the pending migrations with TypeORM on a connection of its own, one app's replicas at a time. */
async function runMigrations(url: string, table: string, migrations: (new () => MigrationInterface)[]): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a migration is pending
  const { DataSource } = require('typeorm') as typeof import('typeorm');
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrations,
    migrationsTableName: table,
    migrationsTransactionMode: 'each',
    // One connection holds the lock, another runs the migrations.
    extra: { max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
  });
  await dataSource.initialize();
  try {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await dataSource.runMigrations();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
  } finally {
    await dataSource.destroy().catch(() => undefined);
  }
}
