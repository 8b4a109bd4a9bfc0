import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import { SUBJECTS, type HealthReply } from '@tessera/contracts';
import { ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, ROOT, startNatsServer } from '@tessera/testing';
import { result, type Scenario } from '../scenario';

/** 1,000,000 by default (the target); BENCH_TOKEN_EVENTS makes a quicker run. */
const EVENTS = Number(process.env.BENCH_TOKEN_EVENTS ?? 1_000_000);
const CHUNK = 100_000;
const READ_PAGE = 5000;

/**
 * The log of a busy token app, written server-side with multi-row INSERTs: nine mints, then a
 * revocation of the ninth, over 1,000 owners. Hashes and ids are derived from the position.
 */
async function fillLog(pool: Pool): Promise<void> {
  for (let from = 1; from <= EVENTS; from += CHUNK) {
    const to = Math.min(EVENTS, from + CHUNK - 1);
    await pool.query(
      `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at)
       SELECT g,
              'token-' || md5((CASE WHEN g % 10 = 0 THEN g - 1 ELSE g END)::text)::uuid,
              CASE WHEN g % 10 = 0 THEN 2 ELSE 1 END,
              CASE WHEN g % 10 = 0 THEN 'TokenRevoked' ELSE 'TokenMinted' END,
              1,
              CASE WHEN g % 10 = 0 THEN jsonb_build_object('tokenId', md5((g - 1)::text)::uuid, 'reason', 'owner')
              ELSE jsonb_build_object(
                'tokenId', md5(g::text)::uuid,
                'tokenHash', encode(sha256(g::text::bytea), 'hex'),
                'kind', 'personal',
                'ownerId', md5('owner' || (g % 1000)::text)::uuid,
                'name', 'token ' || g,
                'scopes', jsonb_build_array('view', 'tokens'),
                'hint', 'tsrp_…' || substr(md5(g::text), 1, 4),
                'createdAt', '2026-01-01T00:00:00.000Z',
                'expiresAt', '2027-06-01T00:00:00.000Z') END,
              jsonb_build_object('actor', md5('owner' || (g % 1000)::text)::uuid),
              now()
         FROM generate_series($1::bigint, $2::bigint) AS g`,
      [from, to],
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

/** Starts a token app process and measures until its health subject says ready; returns it still running. */
async function coldStart(
  env: Record<string, string>,
  nats: NatsConnection,
): Promise<{ ms: number; pid: number; stop: () => Promise<void> }> {
  const began = performance.now();
  const child = spawn(process.execPath, ['-r', './scripts/register-paths.js', 'dist/apps/token/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TESSERA_DB_POOL_SIZE: '4', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`token app exited with ${child.exitCode}`);
    if (performance.now() - began > 300_000) throw new Error('token app not ready after 300 s');
    try {
      const reply = (await nats.request(SUBJECTS.health('token'), '{}', { timeout: 500 })).json<HealthReply>();
      if (reply.ready) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ms = performance.now() - began;
  return {
    ms,
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

export const tokenColdStart: Scenario = {
  name: 'token-cold-start',
  description: `token app ready over ${EVENTS.toLocaleString('en-US')} token events (mints and revocations), from the log and from a snapshot, vs a raw paged read with pg`,
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
      // The app snapshots after a long replay; wait for it before the second start.
      for (let tries = 0; tries < 600; tries += 1) {
        const saved = await db.pool.query("SELECT position FROM event_store.snapshots WHERE name = 'token-index' AND position = $1", [
          EVENTS,
        ]);
        if (saved.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await fromLog.stop();
      const snapshotBytes = await db.pool.query<{ size: string }>(
        "SELECT octet_length(data) AS size FROM event_store.snapshots WHERE name = 'token-index' ORDER BY position DESC LIMIT 1",
      );
      const fromSnapshot = await coldStart(env, nats);
      const rssFromSnapshot = rssMb(fromSnapshot.pid);
      await fromSnapshot.stop();

      const extras = { events: EVENTS, liveTokens: Math.round(EVENTS * 0.8), rssMb: rss, rssTargetMb: 400 };
      return [
        result({
          name: 'token-cold-start',
          value: Math.round(fromLog.ms),
          unit: 'ms',
          floor: Math.round(floorMs),
          target: '<= 1.5',
          ...extras,
        }),
        result({
          name: 'token-cold-start-snapshot',
          value: Math.round(fromSnapshot.ms),
          unit: 'ms',
          floor: Math.round(floorMs),
          target: '<= 0.25',
          rssMb: rssFromSnapshot,
          snapshotMb: Math.round(Number(snapshotBytes.rows[0]?.size ?? 0) / 1e6),
        }),
      ];
    } finally {
      await nats.close();
      await natsServer.stop();
      await db.drop();
    }
  },
};
