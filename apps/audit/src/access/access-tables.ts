import type { Pool, PoolClient } from 'pg';
import { AUDIT_ACCESS_PROJECTION } from '@tessera/contracts';

type Queryable = Pool | PoolClient;

/** Name of the temporal projection, as replay requests and `audit.projection_state` spell it. */
export const ACCESS_PROJECTION = AUDIT_ACCESS_PROJECTION;

/** The tables of one generation of the temporal projection; a replay fills the next generation. */
export const ACCESS_TABLES = ['user_states', 'groups', 'datasets', 'holdings'] as const;
export type AccessTable = (typeof ACCESS_TABLES)[number];

/** `audit.access_g<generation>_<table>`. */
export function accessTable(generation: number, table: AccessTable): string {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new Error(`bad generation ${generation}`);
  return `audit.access_g${generation}_${table}`;
}

/**
 * Validity intervals [valid_from, valid_to) in the log's recorded time; an open interval has
 * valid_to NULL. `holdings` is what the rule book (`@tessera/access-rules`) says each user held on
 * each dataset through each group (a row counts at a moment until its `expires_at`); the other
 * tables keep names and users' standing as shown. Each table is indexed by the key a question starts from, so an as-of answer is a
 * handful of index look-ups whatever the length of the log.
 */
export async function createAccessTables(db: Queryable, generation: number): Promise<void> {
  const t = (table: AccessTable) => accessTable(generation, table);
  const g = `access_g${generation}`;
  await db.query(`
    CREATE TABLE IF NOT EXISTS ${t('user_states')} (
      user_id text NOT NULL, name text, read_only boolean NOT NULL, deactivated boolean NOT NULL,
      valid_from timestamptz NOT NULL, valid_to timestamptz);
    CREATE INDEX IF NOT EXISTS ${g}_user_states_idx ON ${t('user_states')} (user_id, valid_from);
    CREATE TABLE IF NOT EXISTS ${t('groups')} (
      group_id text NOT NULL, name text NOT NULL, valid_from timestamptz NOT NULL, valid_to timestamptz);
    CREATE INDEX IF NOT EXISTS ${g}_groups_idx ON ${t('groups')} (group_id, valid_from);
    CREATE TABLE IF NOT EXISTS ${t('datasets')} (
      dataset_id text NOT NULL, name text NOT NULL, valid_from timestamptz NOT NULL, valid_to timestamptz);
    CREATE INDEX IF NOT EXISTS ${g}_datasets_id_idx ON ${t('datasets')} (dataset_id, valid_from);
    CREATE INDEX IF NOT EXISTS ${g}_datasets_name_idx ON ${t('datasets')} (name, valid_from);
    CREATE TABLE IF NOT EXISTS ${t('holdings')} (
      user_id text NOT NULL, dataset_id text NOT NULL, permission text NOT NULL, group_id text NOT NULL,
      expires_at timestamptz, valid_from timestamptz NOT NULL, valid_to timestamptz);
    CREATE INDEX IF NOT EXISTS ${g}_holdings_dataset_idx ON ${t('holdings')} (dataset_id, valid_from);
    CREATE INDEX IF NOT EXISTS ${g}_holdings_user_idx ON ${t('holdings')} (user_id, valid_from);
    CREATE UNIQUE INDEX IF NOT EXISTS ${g}_holdings_open_idx ON ${t('holdings')} (dataset_id, user_id, group_id, permission)
      WHERE valid_to IS NULL;
  `);
}

/** Whether the generation's tables are of this layout (a generation of an older one is rebuilt). */
export async function hasCurrentLayout(db: Queryable, generation: number): Promise<boolean> {
  const result = await db.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [accessTable(generation, 'holdings')]);
  return result.rows[0].found !== null;
}

/** Tables of the layout before holdings were materialised from the rule book. */
const FORMER_TABLES = ['memberships', 'grants', 'tos_versions', 'tos_acceptances'];

export async function dropAccessTables(db: Queryable, generation: number): Promise<void> {
  const tables = [
    ...ACCESS_TABLES.map((table) => accessTable(generation, table)),
    ...FORMER_TABLES.map((table) => `audit.access_g${generation}_${table}`),
  ];
  await db.query(tables.map((table) => `DROP TABLE IF EXISTS ${table};`).join('\n'));
}

/** True when two generations hold exactly the same rows (as multisets), table by table. */
export async function sameAccessRows(db: Queryable, left: number, right: number): Promise<boolean> {
  for (const table of ACCESS_TABLES) {
    const a = accessTable(left, table);
    const b = accessTable(right, table);
    const result = await db.query<{ differs: boolean }>(
      `SELECT EXISTS ((SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}) UNION ALL (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a})) AS differs`,
    );
    if (result.rows[0].differs) return false;
  }
  return true;
}
