import type { Pool, PoolClient } from 'pg';
import { TesseraError, type AuditAccessIntervals, type AuditAccessInterval } from '@tessera/contracts';
import { accessTable, type AccessTable } from './access-tables';
import { datasetAccessIn, inSnapshot } from './access-queries';

/** More changes than this in the range asked: the caller narrows it (each change is one as-of question). */
export const MAX_CHANGES = 1000;

/**
 * Each user's access intervals to a dataset over [from, to): the as-of answer is asked at `from`
 * and at every moment where a holding of the dataset (or the dataset itself) begins, ends or
 * expires, in one snapshot. So the intervals follow the very rules of `GET /api/v1/audit/access`, never a copy of them.
 */
export async function datasetAccessIntervals(pool: Pool, dataset: string, from: Date, to: Date): Promise<AuditAccessIntervals> {
  return inSnapshot(pool, async (client, generation, revision) => {
    const first = await datasetAccessIn(client, generation, revision, dataset, from);
    const changes = await changeMoments(client, generation, first.dataset.id, from, to);
    if (changes.length > MAX_CHANGES) {
      throw new TesseraError('bad_request', `the access changed more than ${MAX_CHANGES} times in this range: narrow it`, [
        { field: 'from', problems: [`more than ${MAX_CHANGES} changes between from and to`] },
      ]);
    }
    const open = new Map<string, AuditAccessInterval>();
    const intervals: AuditAccessInterval[] = [];
    const observe = (at: Date, users: typeof first.users) => {
      const held = new Set<string>();
      for (const user of users) {
        for (const permission of user.permissions) {
          const key = `${user.id}\u0000${permission}`;
          held.add(key);
          if (!open.has(key)) open.set(key, { userId: user.id, name: user.name, permission, from: at.toISOString(), to: to.toISOString() });
        }
      }
      for (const [key, interval] of open) {
        if (held.has(key)) continue;
        intervals.push({ ...interval, to: at.toISOString() });
        open.delete(key);
      }
    };
    observe(from, first.users);
    for (const at of changes) observe(at, (await datasetAccessIn(client, generation, revision, first.dataset.id, at)).users);
    intervals.push(...open.values());
    intervals.sort(
      (a, b) =>
        (a.name ?? a.userId).localeCompare(b.name ?? b.userId) || a.permission.localeCompare(b.permission) || a.from.localeCompare(b.from),
    );
    return { dataset: first.dataset, from: from.toISOString(), to: to.toISOString(), revision: String(revision), intervals };
  });
}

/** The moments in (from, to) where a holding of the dataset or the dataset begins, ends or expires, in order. */
async function changeMoments(client: PoolClient, generation: number, datasetId: string, from: Date, to: Date): Promise<Date[]> {
  const t = (table: AccessTable) => accessTable(generation, table);
  const result = await client.query<{ at: Date }>(
    `WITH moments AS (
            SELECT unnest(ARRAY[valid_from, valid_to, expires_at]) AS at FROM ${t('holdings')} WHERE dataset_id = $1
            UNION SELECT unnest(ARRAY[valid_from, valid_to]) FROM ${t('datasets')} WHERE dataset_id = $1)
     SELECT at FROM moments WHERE at > $2 AND at < $3 ORDER BY at LIMIT $4`,
    [datasetId, from, to, MAX_CHANGES + 1],
  );
  return result.rows.map((row) => row.at);
}
