import type { PoolClient } from 'pg';
import { AccessState, evolveHoldings, type HoldingChanges } from '@tessera/access-rules';
import { IDENTITY_EVENTS, POLICY_EVENTS, type TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { accessTable, type AccessTable } from './access-tables';
import { HoldingRows } from './holding-rows';

/** The event types the temporal projection reads; the rest of the log passes by. */
const RELEVANT = new Set<string>([
  IDENTITY_EVENTS.userRegistered,
  IDENTITY_EVENTS.serviceAccountCreated,
  IDENTITY_EVENTS.userUpdated,
  IDENTITY_EVENTS.userDeactivated,
  POLICY_EVENTS.groupCreated,
  POLICY_EVENTS.groupDeleted,
  POLICY_EVENTS.groupMemberAdded,
  POLICY_EVENTS.groupMemberRemoved,
  POLICY_EVENTS.datasetCreated,
  POLICY_EVENTS.datasetUpdated,
  POLICY_EVENTS.datasetDeleted,
  POLICY_EVENTS.permissionRegistered,
  POLICY_EVENTS.permissionGranted,
  POLICY_EVENTS.permissionRevoked,
  POLICY_EVENTS.tosPublished,
  POLICY_EVENTS.tosAccepted,
]);

/** At most this many rows go in one INSERT or UPDATE statement. */
const ROWS_PER_STATEMENT = 20_000;

interface Pending {
  event: RecordedEvent<TesseraEvent>;
  changes: HoldingChanges;
}

/**
 * Materialises access history: the rule book (`@tessera/access-rules`) follows the log in memory
 * and says which holdings each event ended and began; they become rows valid over
 * [valid_from, valid_to) of recorded time in the `holdings` table. Beside them, the names of
 * users, groups and datasets over time. No rule of who holds what is written here.
 */
export class AccessProjector {
  readonly state = new AccessState();
  private evolvedTo = 0;
  private pending: Pending[] = [];

  /** The position the rules' state has reached. */
  get position(): number {
    return this.evolvedTo;
  }

  /**
   * Evolves the rules' state over the events it has not seen (a redelivered batch is skipped);
   * the holding changes of events after `written` (the table's position) wait for `write`.
   */
  follow(events: RecordedEvent<TesseraEvent>[], written = 0): void {
    for (const event of events) {
      if (event.position <= this.evolvedTo) continue;
      this.evolvedTo = event.position;
      if (!RELEVANT.has(event.type)) continue;
      if (event.position <= written) this.state.evolve(event);
      else this.pending.push({ event, changes: evolveHoldings(this.state, event) });
    }
  }

  /** What the pending events after `after` write (no I/O): the events, for the names, and their holding rows. */
  pendingAfter(after: number): { events: RecordedEvent<TesseraEvent>[]; rows: HoldingRows } {
    const events: RecordedEvent<TesseraEvent>[] = [];
    const rows = new HoldingRows();
    for (const { event, changes } of this.pending) {
      if (event.position <= after) continue;
      events.push(event);
      rows.add(changes, event.recordedAt);
    }
    return { events, rows };
  }

  /** Writes the pending events after `after` into the generation's tables, inside the caller's transaction. */
  async write(client: PoolClient, generation: number, after: number): Promise<void> {
    const { events, rows } = this.pendingAfter(after);
    for (const event of events) await writeNames(client, generation, event);
    await writeHoldings(client, generation, rows);
  }

  /** The caller committed what `write` wrote: nothing is pending any more. */
  written(): void {
    this.pending = [];
  }
}

async function writeHoldings(client: PoolClient, generation: number, rows: HoldingRows): Promise<void> {
  const table = accessTable(generation, 'holdings');
  for (let from = 0; from < rows.closed.length; from += ROWS_PER_STATEMENT) {
    const chunk = rows.closed.slice(from, from + ROWS_PER_STATEMENT);
    await client.query(
      `UPDATE ${table} h SET valid_to = c.at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS c(user_id, dataset_id, permission, group_id, at)
        WHERE h.dataset_id = c.dataset_id AND h.user_id = c.user_id AND h.group_id = c.group_id AND h.permission = c.permission
          AND h.valid_to IS NULL`,
      [
        chunk.map((row) => row.userId),
        chunk.map((row) => row.datasetId),
        chunk.map((row) => row.permission),
        chunk.map((row) => row.groupId),
        chunk.map((row) => row.at),
      ],
    );
  }
  for (let from = 0; from < rows.opened.length; from += ROWS_PER_STATEMENT) {
    const chunk = rows.opened.slice(from, from + ROWS_PER_STATEMENT);
    await client.query(
      `INSERT INTO ${table} (user_id, dataset_id, permission, group_id, expires_at, valid_from, valid_to)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])`,
      [
        chunk.map((row) => row.userId),
        chunk.map((row) => row.datasetId),
        chunk.map((row) => row.permission),
        chunk.map((row) => row.groupId),
        chunk.map((row) => row.expiresAt),
        chunk.map((row) => row.validFrom),
        chunk.map((row) => row.validTo),
      ],
    );
  }
}

/** The names of users, groups and datasets (and a user's standing, as shown) over time. */
async function writeNames(client: PoolClient, generation: number, event: RecordedEvent<TesseraEvent>): Promise<void> {
  const t = (table: AccessTable) => accessTable(generation, table);
  const q = (sql: string, values: unknown[]) => client.query(sql, values);
  const at = event.recordedAt;
  switch (event.type) {
    case 'UserRegistered':
    case 'ServiceAccountCreated': {
      const { data } = event;
      await q(`UPDATE ${t('user_states')} SET valid_to = $2 WHERE user_id = $1 AND valid_to IS NULL`, [data.userId, at]);
      await q(`INSERT INTO ${t('user_states')} VALUES ($1, $2, $3, false, $4, NULL)`, [
        data.userId,
        data.name,
        'readOnly' in data && data.readOnly,
        at,
      ]);
      return;
    }
    case 'UserUpdated':
      if (event.data.name === undefined && event.data.readOnly === undefined) return;
      await changeUser(client, generation, event.data.userId, at, { name: event.data.name, readOnly: event.data.readOnly });
      return;
    case 'UserDeactivated':
      await changeUser(client, generation, event.data.userId, at, { deactivated: true });
      return;
    case 'GroupCreated':
      await q(`INSERT INTO ${t('groups')} VALUES ($1, $2, $3, NULL)`, [event.data.groupId, event.data.name, at]);
      return;
    case 'GroupDeleted':
      await q(`UPDATE ${t('groups')} SET valid_to = $2 WHERE group_id = $1 AND valid_to IS NULL`, [event.data.groupId, at]);
      return;
    case 'DatasetCreated':
      await q(`INSERT INTO ${t('datasets')} VALUES ($1, $2, $3, NULL)`, [event.data.datasetId, event.data.name, at]);
      return;
    case 'DatasetUpdated':
      if (typeof event.data.name !== 'string') return;
      await q(`UPDATE ${t('datasets')} SET valid_to = $2 WHERE dataset_id = $1 AND valid_to IS NULL`, [event.data.datasetId, at]);
      await q(`INSERT INTO ${t('datasets')} VALUES ($1, $2, $3, NULL)`, [event.data.datasetId, event.data.name, at]);
      return;
    case 'DatasetDeleted':
      await q(`UPDATE ${t('datasets')} SET valid_to = $2 WHERE dataset_id = $1 AND valid_to IS NULL`, [event.data.datasetId, at]);
      return;
    default:
      return;
  }
}

/** Closes the user's open interval and opens one with the changed fields. */
async function changeUser(
  client: PoolClient,
  generation: number,
  userId: string,
  at: Date,
  change: { name?: string; readOnly?: boolean; deactivated?: boolean },
): Promise<void> {
  const table = accessTable(generation, 'user_states');
  const closed = await client.query<{ name: string | null; read_only: boolean; deactivated: boolean }>(
    `UPDATE ${table} SET valid_to = $2 WHERE user_id = $1 AND valid_to IS NULL RETURNING name, read_only, deactivated`,
    [userId, at],
  );
  const before = closed.rows[0] ?? { name: null, read_only: false, deactivated: false };
  await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, NULL)`, [
    userId,
    change.name ?? before.name,
    change.readOnly ?? before.read_only,
    change.deactivated ?? before.deactivated,
    at,
  ]);
}
