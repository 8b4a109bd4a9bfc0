import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';

const SERVER_URL = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/**
 * A fresh database of its own for one test file, so files run in parallel without seeing each other;
 * on the shared server, or on `serverUrl` (a private server of startPostgresServer).
 */
export async function createTestDatabase(serverUrl = SERVER_URL): Promise<TestDatabase> {
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = `${serverUrl}/${name}`;
  const pool = new Pool({ connectionString: url, max: 12 });
  // A private server may be killed under the pool: its idle connections then report errors here.
  pool.on('error', () => undefined);
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
