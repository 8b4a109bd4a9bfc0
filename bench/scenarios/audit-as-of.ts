import type { Pool, PoolClient } from 'pg';
import { appendToStream, ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, startApp, startNatsServer, freePort, type AppProcess } from '@tessera/testing';
import { generateToken, hashToken } from '@tessera/token-index';
import { result, type Scenario } from '../scenario';

/** 1,000,000 by default (the target); BENCH_AUDIT_EVENTS makes a quicker run. */
const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
/** One event in POLICY_EVERY is a policy or identity event; the rest are token mints and revocations. */
const POLICY_EVERY = 20;
const USERS = 2_000;
const GROUPS = 200;
const DATASETS = 100;
const QUERIES = 100;
const CHUNK = 100_000;
const READ_PAGE = 5000;
const START = Date.parse('2026-01-01T00:00:00Z');
/** Recorded times 10 s apart: a million events span about 116 days. */
const STEP_MS = 10_000;

/**
 * A log written server-side with multi-row INSERTs. Policy event k (every POLICY_EVERY-th position):
 * users, groups, datasets and a TOS for one dataset in four first, then a cycle of memberships added
 * (and older ones removed), grants (some expiring) and revocations of older grants, TOS acceptances, read-only flags and a few
 * deactivations. Ids derive from numbers; stream versions are the positions (unique per stream).
 */
export async function fillLog(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await fillWith(client);
  } finally {
    client.release();
  }
  await pool.query('UPDATE event_store.head SET position = $1', [EVENTS]);
  await pool.query('VACUUM ANALYZE event_store.events');
}

async function fillWith(pool: PoolClient): Promise<void> {
  // A stable spread of numbers over ids, so memberships and grants meet in the same groups.
  await pool.query(
    `CREATE OR REPLACE FUNCTION pg_temp.mix(salt text, n bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtext(salt || n)::bigint) $$`,
  );
  // One dataset in four has terms of service.
  const setup = USERS + GROUPS + DATASETS + DATASETS / 4;
  for (let from = 1; from <= EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK - 1);
    await pool.query(
      `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at)
       SELECT g, x.stream, g, t.type, 1, x.data, jsonb_build_object('actor', md5('u1')::uuid),
              to_timestamp(($7::bigint + g * $8::bigint) / 1000.0)
         FROM generate_series($1::bigint, $2::bigint) AS g,
         LATERAL (SELECT g / $9 AS k, (g / $9) - $6 AS m) AS n,
         LATERAL (SELECT
           md5('u' || (CASE WHEN n.k <= $3 THEN n.k ELSE pg_temp.mix('u', n.m) % $3 + 1 END))::uuid AS user_id,
           md5('u' || (pg_temp.mix('u', n.m - 505) % $3 + 1))::uuid AS removed_user,
           md5('g' || (CASE WHEN n.k <= $3 + $4 THEN n.k - $3 ELSE pg_temp.mix('g', CASE WHEN n.m % 10 = 5 THEN n.m - 505 ELSE n.m END) % $4 + 1 END))::uuid AS group_id,
           md5('d' || (CASE WHEN n.k <= $3 + $4 + $5 THEN n.k - $3 - $4 WHEN n.k <= $6 THEN (n.k - $3 - $4 - $5) * 4 ELSE pg_temp.mix('d', CASE WHEN n.m % 20 = 7 THEN n.m - 401 ELSE n.m END) % $5 + 1 END))::uuid AS dataset_id,
           md5('g' || (pg_temp.mix('h', CASE WHEN n.m % 20 = 7 THEN n.m - 401 ELSE n.m END) % $4 + 1))::uuid AS grant_group,
           (ARRAY['view', 'edit', 'admin_view'])[((CASE WHEN n.m % 20 = 7 THEN n.m - 401 ELSE n.m END) % 3) + 1] AS permission) AS ids,
         LATERAL (SELECT
           CASE WHEN g % $9 <> 0 THEN 'TokenMinted'
                WHEN n.k <= $3 THEN 'UserRegistered'
                WHEN n.k <= $3 + $4 THEN 'GroupCreated'
                WHEN n.k <= $3 + $4 + $5 THEN 'DatasetCreated'
                WHEN n.k <= $6 THEN 'TosPublished'
                WHEN n.m % 10 < 5 THEN 'GroupMemberAdded'
                WHEN n.m % 10 = 5 THEN 'GroupMemberRemoved'
                WHEN n.m % 20 = 7 THEN 'PermissionRevoked'
                WHEN n.m % 10 IN (6, 7) THEN 'PermissionGranted'
                WHEN n.m % 10 = 8 THEN 'TosAccepted'
                WHEN n.m % 1000 = 9 THEN 'UserDeactivated'
                ELSE 'UserUpdated' END AS type) AS t,
         LATERAL (SELECT
           CASE t.type
             WHEN 'TokenMinted' THEN 'token-' || md5(g::text)::uuid
             WHEN 'UserRegistered' THEN 'user-' || ids.user_id
             WHEN 'UserUpdated' THEN 'user-' || ids.user_id
             WHEN 'UserDeactivated' THEN 'user-' || ids.user_id
             WHEN 'GroupCreated' THEN 'group-' || ids.group_id
             WHEN 'GroupMemberAdded' THEN 'group-' || ids.group_id
             WHEN 'GroupMemberRemoved' THEN 'group-' || ids.group_id
             WHEN 'TosPublished' THEN 'tos-' || md5('t' || ids.dataset_id)::uuid
             WHEN 'TosAccepted' THEN 'tos-' || md5('t' || ids.dataset_id)::uuid
             ELSE 'dataset-' || ids.dataset_id END AS stream,
           CASE t.type
             WHEN 'TokenMinted' THEN jsonb_build_object('tokenId', md5(g::text)::uuid, 'tokenHash', encode(sha256(g::text::bytea), 'hex'),
               'kind', 'personal', 'ownerId', md5('u' || (g % $3 + 1))::uuid, 'name', 'token ' || g, 'scopes', jsonb_build_array('view'),
               'hint', 'tsrp_…' || substr(md5(g::text), 1, 4), 'createdAt', '2026-01-01T00:00:00.000Z', 'expiresAt', '2027-06-01T00:00:00.000Z')
             WHEN 'UserRegistered' THEN jsonb_build_object('userId', ids.user_id, 'name', 'user ' || n.k, 'email', null,
               'admin', false, 'readOnly', n.k % 20 = 0, 'issuer', 'bench', 'subject', n.k::text)
             WHEN 'UserUpdated' THEN jsonb_build_object('userId', ids.user_id, 'readOnly', n.m % 20 = 19)
             WHEN 'UserDeactivated' THEN jsonb_build_object('userId', ids.user_id)
             WHEN 'GroupCreated' THEN jsonb_build_object('groupId', ids.group_id, 'name', 'group ' || (n.k - $3))
             WHEN 'GroupMemberAdded' THEN jsonb_build_object('groupId', ids.group_id, 'userId', ids.user_id, 'admin', false)
             WHEN 'GroupMemberRemoved' THEN jsonb_build_object('groupId', ids.group_id, 'userId', ids.removed_user)
             WHEN 'DatasetCreated' THEN jsonb_build_object('datasetId', ids.dataset_id, 'name', 'd' || lpad((n.k - $3 - $4)::text, 3, '0'), 'description', null)
             WHEN 'TosPublished' THEN jsonb_build_object('tosId', md5('t' || ids.dataset_id)::uuid, 'datasetId', ids.dataset_id, 'version', 1, 'title', 'terms', 'text', 'be nice')
             WHEN 'TosAccepted' THEN jsonb_build_object('tosId', md5('t' || ids.dataset_id)::uuid, 'datasetId', ids.dataset_id, 'userId', ids.user_id)
             WHEN 'PermissionGranted' THEN jsonb_build_object('datasetId', ids.dataset_id, 'groupId', ids.grant_group, 'permission', ids.permission,
               'expiresAt', CASE WHEN n.m % 40 = 6 THEN to_char(to_timestamp(($7::bigint + (g + 50000) * $8::bigint) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END)
             ELSE jsonb_build_object('datasetId', ids.dataset_id, 'groupId', ids.grant_group, 'permission', ids.permission) END AS data) AS x`,
      [from, to, USERS, GROUPS, DATASETS, setup, START, STEP_MS, POLICY_EVERY],
    );
  }
}

/** The floor: the whole log read raw with pg, in the pages a LogSubscription reads. */
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

async function adminToken(pool: Pool): Promise<string> {
  const token = generateToken('admin');
  await appendToStream(pool, {
    streamId: 'token-bench-admin',
    events: [
      {
        type: 'TokenMinted',
        data: {
          tokenId: 'bench-admin',
          tokenHash: hashToken(token),
          kind: 'admin',
          ownerId: null,
          name: 'bench',
          scopes: ['*'],
          hint: 'tsra_…',
          createdAt: new Date().toISOString(),
          expiresAt: null,
        },
      },
    ],
  });
  return token;
}

/** Polls until the audit app's projection and the gateway's token index both reflect the head. */
async function waitUntilCaughtUp(baseUrl: string, token: string, head: number): Promise<number> {
  const began = performance.now();
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/audit/access?dataset=d001&at=2026-02-01T00:00:00Z`, {
      headers: { authorization: `Bearer ${token}` },
    }).catch(() => undefined);
    if (response?.status === 200 && Number(((await response.json()) as { revision: string }).revision) >= head)
      return performance.now() - began;
    if (performance.now() - began > 900_000) throw new Error('the audit projection did not catch up within 900 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

export const auditAsOf: Scenario = {
  name: 'audit-as-of',
  description: `GET /api/v1/audit/access?dataset=&at= over ${EVENTS.toLocaleString('en-US')} events (1 in ${POLICY_EVERY} a policy or identity event) vs a full raw read of the log; NDJSON export vs the same raw read`,
  async run() {
    const db = await createTestDatabase();
    const natsServer = await startNatsServer();
    const apps: AppProcess[] = [];
    try {
      await ensureEventStoreSchema(db.pool);
      await fillLog(db.pool);
      const token = await adminToken(db.pool);
      const head = EVENTS + 1;
      const port = await freePort();
      const env = { DATABASE_URL: db.url, NATS_URL: natsServer.url, NODE_ENV: 'test', PORT: String(port) };
      const baseUrl = `http://127.0.0.1:${port}`;
      const started = performance.now();
      apps.push(...(await Promise.all([startApp('audit', env, 600_000), startApp('gateway', env, 600_000)])));
      const catchUpMs = performance.now() - started + (await waitUntilCaughtUp(baseUrl, token, head));

      const floorMs = await rawRead(db.pool);
      const span = EVENTS * STEP_MS;
      const timings: number[] = [];
      let holders = 0;
      for (let i = 0; i < QUERIES; i += 1) {
        const dataset = `d${String(((i * 37) % DATASETS) + 1).padStart(3, '0')}`;
        const at = new Date(START + span * (0.1 + (0.9 * ((i * 61) % QUERIES)) / QUERIES)).toISOString();
        const began = performance.now();
        const response = await fetch(`${baseUrl}/api/v1/audit/access?dataset=${dataset}&at=${at}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as { users?: unknown[] };
        timings.push(performance.now() - began);
        if (response.status !== 200) throw new Error(`access answered ${response.status}: ${JSON.stringify(body)}`);
        holders += body.users?.length ?? 0;
      }
      const medianMs = percentile(timings, 0.5);

      const exportBegan = performance.now();
      const response = await fetch(`${baseUrl}/api/v1/audit/export`, { headers: { authorization: `Bearer ${token}` } });
      let lines = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const byte of chunk) if (byte === 10) lines += 1;
      }
      const exportMs = performance.now() - exportBegan;
      if (lines !== head) throw new Error(`export gave ${lines} lines, the log holds ${head}`);

      return [
        result({
          name: 'audit-as-of',
          value: Number(medianMs.toFixed(2)),
          unit: 'ms',
          floor: Math.round(floorMs),
          target: '<= 0.1',
          events: EVENTS,
          p99Ms: Number(percentile(timings, 0.99).toFixed(2)),
          meanHolders: Math.round(holders / QUERIES),
          projectionCatchUpMs: Math.round(catchUpMs),
          auditReplayMs: Number(/caught up at \d+ in (\d+) ms/.exec(apps[0].output())?.[1] ?? NaN),
        }),
        result({
          name: 'audit-export',
          value: Math.round(head / (exportMs / 1000)),
          unit: 'events/s',
          floor: Math.round(head / (floorMs / 1000)),
          target: '>= 0.5',
          exportMs: Math.round(exportMs),
        }),
      ];
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await natsServer.stop();
      await db.drop();
    }
  },
};
