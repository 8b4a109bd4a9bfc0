import { connect } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import { ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, startNatsServer } from '@tessera/testing';
import { coldStartSamples } from '../cold-start';
import { SAMPLES } from '../measure';
import { result, type Scenario } from '../scenario';

/** 1,000,000 by default (the target); BENCH_POLICY_EVENTS makes a quicker run. */
const EVENTS = Number(process.env.BENCH_POLICY_EVENTS ?? 1_000_000);
const GROUPS = 1_000;
const DATASETS = 1_000;
const USERS = 10_000;
const CHUNK = 100_000;
/** The policy app reads whole events (readAll, every column); the floor reads the same, in one query. */
const POLICY_COLUMNS = 'position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at';
const SNAPSHOT = 'policy-decision-index';

/**
 * A busy policy log written server-side: 1,000 groups, 1,000 datasets, then memberships and grants
 * alternating (over 10,000 users). Ids are derived from numbers; stream versions are the positions.
 */
async function fillLog(pool: Pool): Promise<void> {
  for (let from = 1; from <= EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK - 1);
    await pool.query(
      `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at)
       SELECT g, x.stream, g, x.type, 1, x.data, '{"actor":"bench"}', now()
         FROM generate_series($1::bigint, $2::bigint) AS g,
         LATERAL (SELECT
           md5('g' || (CASE WHEN g <= $3 THEN g ELSE g % $3 + 1 END))::uuid AS group_id,
           md5('d' || (CASE WHEN g <= $3 + $4 THEN g - $3 ELSE g % $4 + 1 END))::uuid AS dataset_id,
           md5('g' || ((g * 7) % $3 + 1))::uuid AS grant_group,
           md5('u' || (g % $5))::uuid AS user_id) AS ids,
         LATERAL (SELECT
           CASE WHEN g <= $3 THEN 'group-' || ids.group_id
                WHEN g <= $3 + $4 OR g % 2 = 1 THEN 'dataset-' || ids.dataset_id
                ELSE 'group-' || ids.group_id END AS stream,
           CASE WHEN g <= $3 THEN 'GroupCreated'
                WHEN g <= $3 + $4 THEN 'DatasetCreated'
                WHEN g % 2 = 0 THEN 'GroupMemberAdded'
                ELSE 'PermissionGranted' END AS type,
           CASE WHEN g <= $3 THEN jsonb_build_object('groupId', ids.group_id, 'name', 'group-' || g)
                WHEN g <= $3 + $4 THEN jsonb_build_object('datasetId', ids.dataset_id, 'name', 'dataset-' || (g - $3), 'description', null)
                WHEN g % 2 = 0 THEN jsonb_build_object('groupId', ids.group_id, 'userId', ids.user_id, 'admin', false)
                ELSE jsonb_build_object('datasetId', ids.dataset_id, 'groupId', ids.grant_group,
                                        'permission', CASE WHEN g % 4 = 1 THEN 'view' ELSE 'edit' END, 'expiresAt', null) END AS data) AS x`,
      [from, to, GROUPS, DATASETS, USERS],
    );
  }
  await pool.query('UPDATE event_store.head SET position = $1', [EVENTS]);
  await pool.query('VACUUM ANALYZE event_store.events');
}

export const policyColdStart: Scenario = {
  name: 'policy-cold-start',
  rows: ['policy-cold-start-snapshot'],
  description: `policy app ready over ${EVENTS.toLocaleString('en-US')} policy events, from the log and from a snapshot, vs reading every column raw with pg (${SAMPLES} samples each, alternating)`,
  async run() {
    const db = await createTestDatabase();
    const natsServer = await startNatsServer();
    const nats = await connect({ servers: natsServer.url });
    try {
      await ensureEventStoreSchema(db.pool);
      await fillLog(db.pool);
      const env = { DATABASE_URL: db.url, NATS_URL: natsServer.url, NODE_ENV: 'test' };
      const samples = await coldStartSamples({
        app: 'policy',
        env,
        nats,
        pool: db.pool,
        snapshot: SNAPSHOT,
        events: EVENTS,
        reads: { columns: POLICY_COLUMNS },
      });
      return [
        result({
          name: 'policy-cold-start',
          value: samples.fromLog,
          unit: 'ms',
          floor: samples.floor,
          target: '<= 1.5',
          events: EVENTS,
          rssMb: Math.max(...samples.rssFromLogMb),
        }),
        result({
          name: 'policy-cold-start-snapshot',
          value: samples.fromSnapshot,
          unit: 'ms',
          floor: samples.floor,
          target: '<= 0.25',
          events: EVENTS,
        }),
      ];
    } finally {
      await nats.close();
      await natsServer.stop();
      await db.drop();
    }
  },
};
