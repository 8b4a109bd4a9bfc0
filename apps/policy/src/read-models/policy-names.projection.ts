import type { PoolClient } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent, TableProjection } from '@tessera/event-store';

/**
 * Inline projection of group and dataset names: their unique indexes refuse a duplicate name in the
 * append's own transaction, however many policy replicas write at once.
 */
export async function projectPolicyNames(client: PoolClient, events: RecordedEvent<TesseraEvent>[], schema = 'policy'): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case 'GroupCreated': {
        const data = event.data;
        await client.query(`INSERT INTO ${schema}.group_names (name, group_id) VALUES ($1, $2)`, [data.name, data.groupId]);
        break;
      }
      case 'GroupDeleted':
        await client.query(`DELETE FROM ${schema}.group_names WHERE group_id = $1`, [event.data.groupId]);
        break;
      case 'DatasetCreated': {
        const data = event.data;
        await client.query(`INSERT INTO ${schema}.dataset_names (name, dataset_id) VALUES ($1, $2)`, [data.name, data.datasetId]);
        break;
      }
      case 'DatasetUpdated': {
        const data = event.data;
        if (data.name !== undefined) {
          await client.query(`UPDATE ${schema}.dataset_names SET name = $1 WHERE dataset_id = $2`, [data.name, data.datasetId]);
        }
        break;
      }
      case 'DatasetDeleted':
        await client.query(`DELETE FROM ${schema}.dataset_names WHERE dataset_id = $1`, [event.data.datasetId]);
        break;
    }
  }
}

export const POLICY_READ_MODELS: TableProjection = {
  schema: 'policy',
  tables: ['group_names', 'dataset_names'],
  project: projectPolicyNames,
};
