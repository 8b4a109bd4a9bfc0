import type { Pool, PoolClient } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';

export interface UserRow {
  id: string;
  name: string;
  email: string | null;
  admin: boolean;
  read_only: boolean;
  service_account: boolean;
  active: boolean;
  scopes: string[] | null;
  pi: boolean;
  /** bigint: pg gives it as a decimal string. */
  number: string;
  parent_id: string | null;
  created_at: Date;
}

/** The answer body of a user (CONTRACT section 4). */
export function userBody(row: UserRow) {
  return {
    id: row.id,
    number: Number(row.number),
    name: row.name,
    email: row.email,
    admin: row.admin,
    readOnly: row.read_only,
    serviceAccount: row.service_account,
    active: row.active,
    ...(row.service_account ? { scopes: row.scopes ?? [], parentId: row.parent_id } : {}),
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Inline projection of the user streams: the users table changes in the same transaction as the
 * log, so its unique indexes (external identity, service-account name) refuse a duplicate there.
 */
export async function projectUsers(client: PoolClient, events: RecordedEvent<TesseraEvent>[], schema = 'identity'): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case 'UserRegistered': {
        const data = event.data;
        await client.query(
          `INSERT INTO ${schema}.users (id, name, email, admin, read_only, issuer, subject, created_at, number)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [data.userId, data.name, data.email, data.admin, data.readOnly, data.issuer, data.subject, event.recordedAt, data.number],
        );
        break;
      }
      case 'ServiceAccountCreated': {
        const data = event.data;
        await client.query(
          `INSERT INTO ${schema}.users (id, name, service_account, scopes, created_at, number, parent_id) VALUES ($1, $2, true, $3, $4, $5, $6)`,
          [data.userId, data.name, data.scopes, event.recordedAt, data.number, data.parentId ?? null],
        );
        break;
      }
      case 'UserUpdated': {
        const data = event.data;
        await client.query(
          `UPDATE ${schema}.users SET name = coalesce($2, name), admin = coalesce($3, admin), read_only = coalesce($4, read_only), pi = coalesce($5, pi)
           WHERE id = $1`,
          [data.userId, data.name ?? null, data.admin ?? null, data.readOnly ?? null, data.pi ?? null],
        );
        break;
      }
      case 'UserDeactivated':
        await client.query(`UPDATE ${schema}.users SET active = false WHERE id = $1`, [event.data.userId]);
        break;
      case 'ExternalIdentityLinked':
        await client.query(`UPDATE ${schema}.users SET issuer = $2, subject = $3 WHERE id = $1`, [
          event.data.userId,
          event.data.issuer,
          event.data.subject,
        ]);
        break;
    }
  }
}

export async function findUser(pool: Pool, id: string): Promise<UserRow | undefined> {
  const result = await pool.query<UserRow>('SELECT * FROM identity.users WHERE id = $1', [id]);
  return result.rows[0];
}

/**
 * The next free user number. Numbers come from one sequence shared by every replica; an import of
 * middle_auth users moves it past the numbers they keep (passUserNumbers).
 */
export async function nextUserNumber(pool: Pool): Promise<number> {
  const result = await pool.query<{ number: string }>(`SELECT nextval('identity.user_numbers') AS number`);
  return Number(result.rows[0].number);
}

/** After numbers were given out by hand (an import): the sequence continues above the highest one. */
export async function passUserNumbers(client: Pool | PoolClient, schema = 'identity'): Promise<void> {
  await client.query(
    `SELECT setval('${schema}.user_numbers', greatest((SELECT max(number) FROM ${schema}.users WHERE number < 1000000000), (SELECT last_value FROM ${schema}.user_numbers)))`,
  );
}
