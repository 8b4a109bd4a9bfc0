import type { PoolClient } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';

/** Inline projection of the changes to a user (the users projection covers registration). */
export async function projectUserChanges(client: PoolClient, events: RecordedEvent<TesseraEvent>[], schema = 'identity'): Promise<void> {
  for (const event of events) {
    if (event.type === 'UserUpdated') {
      const data = event.data;
      await client.query(
        `UPDATE ${schema}.users SET name = coalesce($2, name), admin = coalesce($3, admin), read_only = coalesce($4, read_only), pi = coalesce($5, pi)
         WHERE id = $1`,
        [data.userId, data.name ?? null, data.admin ?? null, data.readOnly ?? null, data.pi ?? null],
      );
    } else if (event.type === 'UserDeactivated') {
      await client.query(`UPDATE ${schema}.users SET active = false WHERE id = $1`, [event.data.userId]);
    }
  }
}
