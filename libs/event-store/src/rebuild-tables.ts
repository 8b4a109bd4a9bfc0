import type { Pool, PoolClient } from 'pg';
import type { Event, TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from './event';
import { readAll } from './read';

const BATCH = 5_000;
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * Read-model tables of one schema, kept by an inline projection that can write into any schema. It
 * is fed the whole log, read as the union `E`, and skips what is not its own.
 */
export interface TableProjection<E extends Event = TesseraEvent> {
  schema: string;
  tables: string[];
  /** Applies events to the tables of `schema` (the live schema, or the scratch copy of a rebuild). */
  project(client: PoolClient, events: RecordedEvent<E>[], schema: string): Promise<void>;
}

export interface TablesRebuilt {
  position: number;
  /** Whether the rebuilt tables held exactly the live rows (as multisets); if not, the live ones now hold the rebuilt rows. */
  matchesLive: boolean;
}

/**
 * Rebuilds read-model tables from the log into a scratch schema while the live tables keep
 * answering. The last stretch runs under the log head's row lock, which every append takes, so no
 * append (nor its inline projection) lands in between: the copy is compared with the live tables at
 * the same position and, where they differ, the live tables are overwritten in that transaction.
 * Readers keep seeing the old rows until it commits.
 */
export async function rebuildTables<E extends Event>(
  pool: Pool,
  projection: TableProjection<E>,
  onProgress: (position: number) => void = () => undefined,
): Promise<TablesRebuilt> {
  for (const name of [projection.schema, ...projection.tables]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  }
  const scratch = `${projection.schema}_rebuild`;
  await pool.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE; CREATE SCHEMA ${scratch}`);
  try {
    for (const table of projection.tables) {
      await pool.query(`CREATE TABLE ${scratch}.${table} (LIKE ${projection.schema}.${table} INCLUDING ALL)`);
    }
    let position = 0;
    for (;;) {
      const applied = await inTransaction(pool, (client) => applyBatch(client, projection, scratch, position));
      if (applied === position) break;
      position = applied;
      onProgress(position);
    }
    return await inTransaction(pool, async (client) => {
      await client.query('SELECT position FROM event_store.head FOR UPDATE');
      for (let applied = await applyBatch(client, projection, scratch, position); applied !== position;) {
        position = applied;
        applied = await applyBatch(client, projection, scratch, position);
      }
      let matchesLive = true;
      for (const table of projection.tables) {
        const live = `${projection.schema}.${table}`;
        const copy = `${scratch}.${table}`;
        const differing = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ((TABLE ${live} EXCEPT ALL TABLE ${copy}) UNION ALL (TABLE ${copy} EXCEPT ALL TABLE ${live})) AS d`,
        );
        if (differing.rows[0].n === 0) continue;
        matchesLive = false;
        await client.query(`DELETE FROM ${live}`);
        await client.query(`INSERT INTO ${live} TABLE ${copy}`);
      }
      onProgress(position);
      return { position, matchesLive };
    });
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${scratch} CASCADE`);
  }
}

/** Applies the next batch after `position`; answers the position reached (unchanged at the head). */
async function applyBatch<E extends Event>(
  client: PoolClient,
  projection: TableProjection<E>,
  schema: string,
  position: number,
): Promise<number> {
  const events = await readAll<E>(client, { after: position, limit: BATCH });
  if (events.length === 0) return position;
  await projection.project(client, events, schema);
  return events[events.length - 1].position;
}

/** Runs `work` in one transaction on one pooled connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
