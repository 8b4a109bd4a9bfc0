import type { PoolClient } from 'pg';
import {
  POLICY_EVENTS,
  type DatasetCreated,
  type DatasetDeleted,
  type DatasetUpdated,
  type GroupCreated,
  type GroupDeleted,
} from '@tessera/contracts';
import type { RecordedEvent, TableProjection } from '@tessera/event-store';

/**
 * Inline projection of group and dataset names: their unique indexes refuse a duplicate name in the
 * append's own transaction, however many policy replicas write at once.
 */
export async function projectPolicyNames(client: PoolClient, events: RecordedEvent[], schema = 'policy'): Promise<void> {
  for (const event of events) {
    switch (event.type) {
      case POLICY_EVENTS.groupCreated: {
        const data = event.data as unknown as GroupCreated;
        await client.query(`INSERT INTO ${schema}.group_names (name, group_id) VALUES ($1, $2)`, [data.name, data.groupId]);
        break;
      }
      case POLICY_EVENTS.groupDeleted:
        await client.query(`DELETE FROM ${schema}.group_names WHERE group_id = $1`, [(event.data as unknown as GroupDeleted).groupId]);
        break;
      case POLICY_EVENTS.datasetCreated: {
        const data = event.data as unknown as DatasetCreated;
        await client.query(`INSERT INTO ${schema}.dataset_names (name, dataset_id) VALUES ($1, $2)`, [data.name, data.datasetId]);
        break;
      }
      case POLICY_EVENTS.datasetUpdated: {
        const data = event.data as unknown as DatasetUpdated;
        if (data.name !== undefined) {
          await client.query(`UPDATE ${schema}.dataset_names SET name = $1 WHERE dataset_id = $2`, [data.name, data.datasetId]);
        }
        break;
      }
      case POLICY_EVENTS.datasetDeleted:
        await client.query(`DELETE FROM ${schema}.dataset_names WHERE dataset_id = $1`, [
          (event.data as unknown as DatasetDeleted).datasetId,
        ]);
        break;
    }
  }
}

export const POLICY_READ_MODELS: TableProjection = {
  schema: 'policy',
  tables: ['group_names', 'dataset_names'],
  project: projectPolicyNames,
};
