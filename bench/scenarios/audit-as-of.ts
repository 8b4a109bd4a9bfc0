import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { appendToStream, copyRowsOut, ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, startApp, startNatsServer, freePort, type AppProcess } from '@tessera/testing';
import { generateToken, hashToken } from '@tessera/token-index';
import { copyRaw } from '../floors';
import { alternate, percentile, profiled, SAMPLES, summarize, timed } from '../measure';
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

/** The floor of an as-of query: the whole log read raw, the fastest way (a COPY of the table, every column). */
async function rawRead(pool: Pool): Promise<number> {
  let bytes = 0;
  const ms = await timed(() => copyRaw(pool, 'COPY event_store.events TO STDOUT', (chunk) => (bytes += chunk.length)));
  if (bytes === 0) throw new Error('the raw read of the log gave no bytes');
  return ms;
}

/**
 * The line the export sends for each event, as apps/audit/src/export/log-export.ts builds it. The
 * floor of the export lets PostgreSQL build the same text and send it as it is, the cheapest way: a
 * binary COPY of the one column (each text as it is, behind a length; a CSV COPY costs PostgreSQL
 * more, as it looks at every byte for quotes), each line then followed by a newline. Both are
 * hashed once and must be equal byte for byte.
 */
const EXPORT_LINE = `json_build_object(
  'position', position::text, 'type', type, 'streamId', stream_id, 'streamVersion', stream_version,
  'schemaVersion', schema_version, 'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'actor', metadata->'actor', 'metadata', metadata, 'data', data)::text`;

interface Drained {
  ms: number;
  bytes: number;
  lines: number;
  sha256?: string;
}

/** Counts bytes and lines of a stream of chunks (and hashes them when asked), timing it. */
async function drain(feed: (onChunk: (chunk: Uint8Array) => void) => Promise<void>, hashed: boolean): Promise<Drained> {
  const hash = hashed ? createHash('sha256') : undefined;
  let bytes = 0;
  let lines = 0;
  const began = performance.now();
  await feed((chunk) => {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
    hash?.update(chunk);
  });
  return { ms: performance.now() - began, bytes, lines, sha256: hash?.digest('hex') };
}

const NEWLINE = Buffer.from('\n');

function exportFloor(pool: Pool, head: number, hashed = false): Promise<Drained> {
  const sql = `COPY (SELECT ${EXPORT_LINE} FROM event_store.events WHERE position <= ${head} ORDER BY position) TO STDOUT (FORMAT binary)`;
  return drain(async (onChunk) => {
    const client = await pool.connect();
    try {
      await copyRowsOut(client, sql, ([line]) => {
        onChunk(line!);
        onChunk(NEWLINE);
      });
    } finally {
      client.release();
    }
  }, hashed);
}

function exportProject(baseUrl: string, token: string, hashed = false): Promise<Drained> {
  return drain(async (onChunk) => {
    const response = await fetch(`${baseUrl}/api/v1/audit/export`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) onChunk(chunk);
  }, hashed);
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

export const auditAsOf: Scenario = {
  name: 'audit-as-of',
  rows: ['audit-export'],
  description: `GET /api/v1/audit/access?dataset=&at= over ${EVENTS.toLocaleString('en-US')} events (1 in ${POLICY_EVERY} a policy or identity event) vs a full raw read of the log (COPY); NDJSON export vs a COPY of the same lines built by PostgreSQL (${SAMPLES} samples each, alternating)`,
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
      apps.push(
        ...(await Promise.all([
          startApp('audit', profiled('audit', env), 600_000),
          startApp('gateway', profiled('gateway', env), 600_000),
        ])),
      );
      const catchUpMs = performance.now() - started + (await waitUntilCaughtUp(baseUrl, token, head));

      const span = EVENTS * STEP_MS;
      const timings: number[] = [];
      let holders = 0;
      // One round of queries gives one sample: the median of its queries.
      const queries = async () => {
        const round: number[] = [];
        for (let i = 0; i < QUERIES; i += 1) {
          const dataset = `d${String(((i * 37) % DATASETS) + 1).padStart(3, '0')}`;
          const at = new Date(START + span * (0.1 + (0.9 * ((i * 61) % QUERIES)) / QUERIES)).toISOString();
          const began = performance.now();
          const response = await fetch(`${baseUrl}/api/v1/audit/access?dataset=${dataset}&at=${at}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await response.json()) as { users?: unknown[]; at?: string };
          round.push(performance.now() - began);
          if (response.status !== 200 || !Array.isArray(body.users) || body.at === undefined)
            throw new Error(`access answered ${response.status}: ${JSON.stringify(body)}`);
          holders += body.users.length;
        }
        timings.push(...round);
        return summarize(round).median;
      };
      const reads = await alternate(SAMPLES, () => rawRead(db.pool), queries);
      timings.sort((x, y) => x - y);

      // The bytes must be the same: the floor and the export, each hashed once, untimed.
      const [floorBytes, exportBytes] = [await exportFloor(db.pool, head, true), await exportProject(baseUrl, token, true)];
      if (exportBytes.lines !== head) throw new Error(`export gave ${exportBytes.lines} lines, the log holds ${head}`);
      if (floorBytes.sha256 !== exportBytes.sha256)
        throw new Error(`the export's bytes (${exportBytes.bytes}) differ from the floor's (${floorBytes.bytes})`);
      const exports = await alternate(
        SAMPLES,
        () => exportFloor(db.pool, head),
        () => exportProject(baseUrl, token),
      );
      for (const sample of [...exports.floor, ...exports.project]) {
        if (sample.bytes !== exportBytes.bytes) throw new Error(`an export sample gave ${sample.bytes} bytes, not ${exportBytes.bytes}`);
      }
      const perSecond = (sample: Drained) => head / (sample.ms / 1000);

      return [
        result({
          name: 'audit-as-of',
          value: reads.project,
          unit: 'ms',
          floor: reads.floor,
          target: '<= 0.01',
          events: EVENTS,
          queries: timings.length,
          p50Ms: Number(percentile(timings, 50).toFixed(2)),
          p99Ms: Number(percentile(timings, 99).toFixed(2)),
          meanHolders: Math.round(holders / timings.length),
          projectionCatchUpMs: Math.round(catchUpMs),
          auditReplayMs: Number(/caught up at \d+ in (\d+) ms/.exec(apps[0].output())?.[1] ?? NaN),
        }),
        result({
          name: 'audit-export',
          value: exports.project.map(perSecond),
          unit: 'events/s',
          floor: exports.floor.map(perSecond),
          target: '>= 0.8',
          exportMb: Number((exportBytes.bytes / 1e6).toFixed(1)),
        }),
      ];
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
      await natsServer.stop();
      await db.drop();
    }
  },
};
