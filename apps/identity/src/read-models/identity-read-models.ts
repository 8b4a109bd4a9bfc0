import type { PoolClient } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent, TableProjection } from '@tessera/event-store';
import { projectTrustedApps } from '../trusted-apps/trusted-apps.projection';
import { projectUsers } from '../users/users.projection';

/**
 * The identity app's read models, projections of the log: users and service accounts, trusted apps.
 * (Login states, one-time codes and upstream credentials are not in the log, so not rebuilt.)
 */
export const IDENTITY_READ_MODELS: TableProjection = {
  schema: 'identity',
  tables: ['users', 'trusted_apps'],
  async project(client: PoolClient, events: RecordedEvent<TesseraEvent>[], schema: string): Promise<void> {
    // Each projection keeps tables of its own, so each takes the whole batch in order.
    await projectUsers(client, events, schema);
    await projectTrustedApps(client, events, schema);
  },
};
