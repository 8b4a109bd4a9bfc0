import type { PoolClient } from 'pg';
import { IDENTITY_EVENTS, POLICY_EVENTS, type TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { accessTable, type AccessTable } from './access-tables';

/** The event types the temporal projection reads; the rest of the log passes by without a query. */
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
  POLICY_EVENTS.permissionGranted,
  POLICY_EVENTS.permissionRevoked,
  POLICY_EVENTS.tosPublished,
  POLICY_EVENTS.tosAccepted,
]);

export function isAccessEvent(type: string): boolean {
  return RELEVANT.has(type);
}

/**
 * Turns events into validity intervals, inside the caller's transaction: a change closes the open
 * interval (valid_to = the event's recorded time) and opens the next one. It follows the policy
 * app's DecisionIndex: a deactivation ends memberships, deleting a group ends its memberships and
 * grants, a new TOS version replaces the dataset's current one.
 */
export class AccessProjector {
  constructor(
    private readonly client: PoolClient,
    private readonly generation: number,
  ) {}

  private t(table: AccessTable): string {
    return accessTable(this.generation, table);
  }

  async apply(events: RecordedEvent<TesseraEvent>[]): Promise<void> {
    for (const event of events) if (RELEVANT.has(event.type)) await this.applyOne(event);
  }

  private async applyOne(event: RecordedEvent<TesseraEvent>): Promise<void> {
    const { type, data, recordedAt: at } = event;
    const q = (sql: string, values: unknown[]) => this.client.query(sql, values);
    switch (type) {
      case IDENTITY_EVENTS.userRegistered:
      case IDENTITY_EVENTS.serviceAccountCreated:
        await q(`UPDATE ${this.t('user_states')} SET valid_to = $2 WHERE user_id = $1 AND valid_to IS NULL`, [data.userId, at]);
        await q(`INSERT INTO ${this.t('user_states')} VALUES ($1, $2, $3, false, $4, NULL)`, [
          data.userId,
          data.name,
          'readOnly' in data && data.readOnly,
          at,
        ]);
        return;
      case IDENTITY_EVENTS.userUpdated:
        if (data.name === undefined && data.readOnly === undefined) return;
        await this.changeUser(data.userId, at, { name: data.name, readOnly: data.readOnly });
        return;
      case IDENTITY_EVENTS.userDeactivated:
        await this.changeUser(data.userId, at, { deactivated: true });
        await q(`UPDATE ${this.t('memberships')} SET valid_to = $2 WHERE user_id = $1 AND valid_to IS NULL`, [data.userId, at]);
        return;
      case POLICY_EVENTS.groupCreated:
        await q(`INSERT INTO ${this.t('groups')} VALUES ($1, $2, $3, NULL)`, [data.groupId, data.name, at]);
        return;
      case POLICY_EVENTS.groupDeleted:
        for (const table of ['groups', 'memberships', 'grants'] as const) {
          await q(`UPDATE ${this.t(table)} SET valid_to = $2 WHERE group_id = $1 AND valid_to IS NULL`, [data.groupId, at]);
        }
        return;
      case POLICY_EVENTS.groupMemberAdded: {
        // Re-adding an existing member only changes its admin flag: the membership goes on.
        const open = await q(`SELECT 1 FROM ${this.t('memberships')} WHERE group_id = $1 AND user_id = $2 AND valid_to IS NULL`, [
          data.groupId,
          data.userId,
        ]);
        if (open.rowCount === 0) await q(`INSERT INTO ${this.t('memberships')} VALUES ($1, $2, $3, NULL)`, [data.userId, data.groupId, at]);
        return;
      }
      case POLICY_EVENTS.groupMemberRemoved:
        await q(`UPDATE ${this.t('memberships')} SET valid_to = $3 WHERE group_id = $1 AND user_id = $2 AND valid_to IS NULL`, [
          data.groupId,
          data.userId,
          at,
        ]);
        return;
      case POLICY_EVENTS.datasetCreated:
        await q(`INSERT INTO ${this.t('datasets')} VALUES ($1, $2, $3, NULL)`, [data.datasetId, data.name, at]);
        return;
      case POLICY_EVENTS.datasetUpdated:
        if (typeof data.name !== 'string') return;
        await q(`UPDATE ${this.t('datasets')} SET valid_to = $2 WHERE dataset_id = $1 AND valid_to IS NULL`, [data.datasetId, at]);
        await q(`INSERT INTO ${this.t('datasets')} VALUES ($1, $2, $3, NULL)`, [data.datasetId, data.name, at]);
        return;
      case POLICY_EVENTS.datasetDeleted:
        for (const table of ['datasets', 'grants', 'tos_versions'] as const) {
          await q(`UPDATE ${this.t(table)} SET valid_to = $2 WHERE dataset_id = $1 AND valid_to IS NULL`, [data.datasetId, at]);
        }
        return;
      case POLICY_EVENTS.permissionGranted:
        await this.closeGrant(data.datasetId, data.groupId, data.permission, at);
        await q(`INSERT INTO ${this.t('grants')} VALUES ($1, $2, $3, $4, $5, NULL)`, [
          data.datasetId,
          data.groupId,
          data.permission,
          data.expiresAt ?? null,
          at,
        ]);
        return;
      case POLICY_EVENTS.permissionRevoked:
        await this.closeGrant(data.datasetId, data.groupId, data.permission, at);
        return;
      case POLICY_EVENTS.tosPublished:
        await q(`UPDATE ${this.t('tos_versions')} SET valid_to = $2 WHERE dataset_id = $1 AND valid_to IS NULL`, [data.datasetId, at]);
        await q(`INSERT INTO ${this.t('tos_versions')} VALUES ($1, $2, $3, $4, NULL)`, [data.datasetId, data.tosId, data.version, at]);
        return;
      case POLICY_EVENTS.tosAccepted:
        await q(`INSERT INTO ${this.t('tos_acceptances')} VALUES ($1, $2, $3)`, [data.userId, data.tosId, at]);
        return;
    }
  }

  private async closeGrant(datasetId: string, groupId: string, permission: string, at: Date): Promise<void> {
    await this.client.query(
      `UPDATE ${this.t('grants')} SET valid_to = $4 WHERE dataset_id = $1 AND group_id = $2 AND permission = $3 AND valid_to IS NULL`,
      [datasetId, groupId, permission, at],
    );
  }

  /** Closes the user's open interval and opens one with the changed fields. */
  private async changeUser(userId: string, at: Date, change: { name?: string; readOnly?: boolean; deactivated?: boolean }): Promise<void> {
    const closed = await this.client.query<{ name: string | null; read_only: boolean; deactivated: boolean }>(
      `UPDATE ${this.t('user_states')} SET valid_to = $2 WHERE user_id = $1 AND valid_to IS NULL RETURNING name, read_only, deactivated`,
      [userId, at],
    );
    const before = closed.rows[0] ?? { name: null, read_only: false, deactivated: false };
    await this.client.query(`INSERT INTO ${this.t('user_states')} VALUES ($1, $2, $3, $4, $5, NULL)`, [
      userId,
      change.name ?? before.name,
      change.readOnly ?? before.read_only,
      change.deactivated ?? before.deactivated,
      at,
    ]);
  }
}
