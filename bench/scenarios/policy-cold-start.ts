import { connect, type NatsConnection } from '@nats-io/transport-node';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { SUBJECTS, type HealthReply } from '@tessera/contracts';
import { ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, ROOT, startNatsServer } from '@tessera/testing';
import { result, type Scenario } from '../scenario';

/** 1,000,000 by default (the target); BENCH_POLICY_EVENTS makes a quicker run. */
const EVENTS = Number(process.env.BENCH_POLICY_EVENTS ?? 1_000_000);
const GROUPS = 1_000;
const DATASETS = 1_000;
const USERS = 10_000;
const CHUNK = 100_000;
const READ_PAGE = 5000;

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

/** The floor: the same rows read raw with pg, in the pages a LogSubscription reads. */
async function rawRead(pool: Pool): Promise<number> {
  const began = performance.now();
  let after = 0;
  for (;;) {
    const page = await pool.query<{ position: string }>(
      `SELECT position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at
         FROM event_store.events WHERE position > $1 ORDER BY position LIMIT $2`,
      [after, READ_PAGE],
    );
    if (page.rows.length === 0) break;
    after = Number(page.rows[page.rows.length - 1].position);
  }
  return performance.now() - began;
}

async function coldStart(
  env: Record<string, string>,
  nats: NatsConnection,
): Promise<{ ms: number; pid: number; stop: () => Promise<void> }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['-r', './scripts/register-paths.js', 'dist/apps/policy/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TESSERA_DB_POOL_SIZE: '4', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`policy app exited with ${child.exitCode}`);
    if (performance.now() - began > 300_000) throw new Error('policy app not ready after 300 s');
    try {
      const reply = (await nats.request(SUBJECTS.health('policy'), '{}', { timeout: 500 })).json<HealthReply>();
      if (reply.ready) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    ms: performance.now() - began,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Math.round(Number(line?.match(/\d+/)?.[0] ?? 0) / 1024);
}

export const policyColdStart: Scenario = {
  name: 'policy-cold-start',
  description: `policy app ready over ${EVENTS.toLocaleString('en-US')} policy events, from the log and from a snapshot, vs a raw paged read with pg`,
  async run() {
    const db = await createTestDatabase();
    const natsServer = await startNatsServer();
    const nats = await connect({ servers: natsServer.url });
    try {
      await ensureEventStoreSchema(db.pool);
      await fillLog(db.pool);
      const env = { DATABASE_URL: db.url, NATS_URL: natsServer.url, NODE_ENV: 'test' };
      const floorMs = await rawRead(db.pool);
      const fromLog = await coldStart(env, nats);
      const rss = rssMb(fromLog.pid);
      // The app snapshots right after a long replay; wait for it before the second start.
      for (let tries = 0; tries < 600; tries += 1) {
        const saved = await db.pool.query("SELECT 1 FROM event_store.snapshots WHERE name = 'policy-decision-index' AND position = $1", [
          EVENTS,
        ]);
        if (saved.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await fromLog.stop();
      const fromSnapshot = await coldStart(env, nats);
      await fromSnapshot.stop();
      return [
        result({
          name: 'policy-cold-start',
          value: Math.round(fromLog.ms),
          unit: 'ms',
          floor: Math.round(floorMs),
          target: '<= 1.5',
          events: EVENTS,
          rssMb: rss,
        }),
        result({
          name: 'policy-cold-start-snapshot',
          value: Math.round(fromSnapshot.ms),
          unit: 'ms',
          floor: Math.round(floorMs),
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
