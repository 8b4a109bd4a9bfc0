import type { Pool, PoolClient } from 'pg';
import { TesseraError, type AuditDatasetAccess, type AuditUserAccess } from '@tessera/contracts';
import { accessTable, type AccessTable } from './access-tables';
import { readState } from './access.projection';

const UNDEFINED_TABLE = '42P01';
/** "Valid at $2": the interval [valid_from, valid_to) contains the moment asked about. */
const VALID_AT = (alias: string) => `${alias}.valid_from <= $2 AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > $2)`;
/** A holding row counts at $2: valid then and not expired (`heldAt` of holding-rows.ts, in SQL). */
const HELD_AT = (alias: string) => `${VALID_AT(alias)} AND (${alias}.expires_at IS NULL OR ${alias}.expires_at > $2)`;

/**
 * As-of questions over the temporal projection, in one repeatable-read snapshot: the state row
 * (live generation, revision) and the intervals are read as of the same moment. Each question is
 * a few index look-ups keyed by the dataset or the user, never a replay of the log; who held what
 * is the rule book's holdings (access-projector.ts), only read here at a moment.
 */
export async function datasetAccessAt(pool: Pool, dataset: string, at: Date): Promise<AuditDatasetAccess> {
  return inSnapshot(pool, (client, generation, revision) => datasetAccessIn(client, generation, revision, dataset, at));
}

/** Who held what on the dataset at `at`, read through `client` (inside its snapshot). */
export async function datasetAccessIn(
  client: PoolClient,
  generation: number,
  revision: number,
  dataset: string,
  at: Date,
): Promise<AuditDatasetAccess> {
  const t = (table: AccessTable) => accessTable(generation, table);
  const found = await client.query<{ dataset_id: string; name: string; valid: boolean }>(
    `SELECT dataset_id, name, (valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)) AS valid FROM ${t('datasets')}
      WHERE dataset_id = $1 OR name = $1 ORDER BY (valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)) DESC, valid_from DESC LIMIT 1`,
    [dataset, at],
  );
  const row = found.rows[0];
  if (!row) throw new TesseraError('not_found', `no dataset ${JSON.stringify(dataset)} in the log`);
  const base = { at: at.toISOString(), revision: String(revision), dataset: { id: row.dataset_id, name: row.name } };
  if (!row.valid) return { ...base, users: [] };
  const held = await client.query<{ user_id: string; user_name: string | null; permission: string; group_name: string | null }>(
    `SELECT h.user_id, u.name AS user_name, h.permission, gr.name AS group_name
       FROM ${t('holdings')} h
       LEFT JOIN LATERAL (SELECT name FROM ${t('user_states')} us WHERE us.user_id = h.user_id AND ${VALID_AT('us')} LIMIT 1) u ON true
       LEFT JOIN LATERAL (SELECT name FROM ${t('groups')} gs WHERE gs.group_id = h.group_id AND gs.valid_from <= $2
                           ORDER BY gs.valid_from DESC LIMIT 1) gr ON true
      WHERE h.dataset_id = $1 AND ${HELD_AT('h')}`,
    [row.dataset_id, at],
  );
  const users = new Map<string, { id: string; name: string | null; permissions: Set<string>; via: Set<string> }>();
  for (const holding of held.rows) {
    let user = users.get(holding.user_id);
    if (!user)
      users.set(holding.user_id, (user = { id: holding.user_id, name: holding.user_name, permissions: new Set(), via: new Set() }));
    user.permissions.add(holding.permission);
    user.via.add(holding.group_name ?? holding.user_id);
  }
  return {
    ...base,
    users: [...users.values()]
      .map((user) => ({ id: user.id, name: user.name, permissions: [...user.permissions].sort(), via: [...user.via].sort() }))
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id)),
  };
}

export async function userAccessAt(pool: Pool, userId: string, at: Date): Promise<AuditUserAccess> {
  return inSnapshot(pool, async (client, generation, revision) => {
    const t = (table: AccessTable) => accessTable(generation, table);
    const found = await client.query<{ name: string | null; read_only: boolean; deactivated: boolean; valid: boolean }>(
      `SELECT name, read_only, deactivated, (valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)) AS valid FROM ${t('user_states')}
        WHERE user_id = $1 ORDER BY (valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)) DESC, valid_from DESC LIMIT 1`,
      [userId, at],
    );
    const row = found.rows[0];
    if (!row) throw new TesseraError('not_found', `no user ${JSON.stringify(userId)} in the log`);
    const base = { at: at.toISOString(), revision: String(revision) };
    // Not registered yet at that moment: nothing held, shown as its first known name.
    const user = { id: userId, name: row.name, readOnly: row.valid && row.read_only, deactivated: row.valid && row.deactivated };
    if (!row.valid) return { ...base, user, datasets: [] };
    const held = await client.query<{ dataset_id: string; dataset_name: string; permission: string; group_name: string | null }>(
      `SELECT h.dataset_id, d.name AS dataset_name, h.permission, gr.name AS group_name
         FROM ${t('holdings')} h
         JOIN LATERAL (SELECT name FROM ${t('datasets')} ds WHERE ds.dataset_id = h.dataset_id AND ${VALID_AT('ds')} LIMIT 1) d ON true
         LEFT JOIN LATERAL (SELECT name FROM ${t('groups')} gs WHERE gs.group_id = h.group_id AND gs.valid_from <= $2
                             ORDER BY gs.valid_from DESC LIMIT 1) gr ON true
        WHERE h.user_id = $1 AND ${HELD_AT('h')}`,
      [userId, at],
    );
    const datasets = new Map<string, { id: string; name: string; permissions: Set<string>; via: Set<string> }>();
    for (const holding of held.rows) {
      let dataset = datasets.get(holding.dataset_id);
      if (!dataset) {
        datasets.set(
          holding.dataset_id,
          (dataset = { id: holding.dataset_id, name: holding.dataset_name, permissions: new Set(), via: new Set() }),
        );
      }
      dataset.permissions.add(holding.permission);
      dataset.via.add(holding.group_name ?? '');
    }
    return {
      ...base,
      user,
      datasets: [...datasets.values()]
        .map((dataset) => ({
          id: dataset.id,
          name: dataset.name,
          permissions: [...dataset.permissions].sort(),
          via: [...dataset.via].sort(),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  });
}

/** Runs a read in one snapshot; retried once if a replay dropped the generation it started on. */
export async function inSnapshot<T>(
  pool: Pool,
  read: (client: PoolClient, generation: number, revision: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const state = await readState(client);
      const answer = await read(client, state.generation, state.position);
      await client.query('COMMIT');
      return answer;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((error as { code?: string }).code !== UNDEFINED_TABLE || attempt > 0) throw error;
    } finally {
      client.release();
    }
  }
}
