import { connect } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import { ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, startNatsServer } from '@tessera/testing';
import { tokenLogSql } from '@tessera/token-index';
import { coldStartSamples } from '../cold-start';
import { SAMPLES } from '../measure';
import { result, type Scenario } from '../scenario';

/** 1,000,000 by default (the target); BENCH_TOKEN_EVENTS makes a quicker run. */
const EVENTS = Number(process.env.BENCH_TOKEN_EVENTS ?? 1_000_000);
const CHUNK = 100_000;
/**
 * What the token index reads while catching up (streamTokenLog, 1,000,000-row batches): a binary COPY
 * of every event's position, type and schema version, with the fields of TokenMinted and
 * TokenRevoked extracted by PostgreSQL as text and the data of any other event as JSON text. The
 * floor reads the same COPY over the whole log in one query, its bytes dropped as they arrive.
 */
export const TOKEN_INDEX_READ = tokenLogSql(0);

/**
 * The log of a busy token app, written server-side with multi-row INSERTs: nine mints, then a
 * revocation of the ninth, over 1,000 owners. Hashes and ids are derived from the position.
 */
export async function fillTokenLog(pool: Pool, events = EVENTS): Promise<void> {
  for (let from = 1; from <= events; from += CHUNK) {
    const to = Math.min(events, from + CHUNK - 1);
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
  await pool.query('UPDATE event_store.head SET position = $1', [events]);
  await pool.query('VACUUM ANALYZE event_store.events');
}

const SNAPSHOT = 'token-index';

export const tokenColdStart: Scenario = {
  name: 'token-cold-start',
  rows: ['token-cold-start-snapshot'],
  description: `token app ready over ${EVENTS.toLocaleString('en-US')} token events (mints and revocations), from the log and from a snapshot, vs the binary COPY the index reads, read raw with pg (${SAMPLES} samples each, alternating)`,
  async run() {
    const db = await createTestDatabase();
    const natsServer = await startNatsServer();
    const nats = await connect({ servers: natsServer.url });
    try {
      await ensureEventStoreSchema(db.pool);
      await fillTokenLog(db.pool);
      const env = { DATABASE_URL: db.url, NATS_URL: natsServer.url, NODE_ENV: 'test' };
      const samples = await coldStartSamples({
        app: 'token',
        env,
        nats,
        pool: db.pool,
        snapshot: SNAPSHOT,
        events: EVENTS,
        reads: { copy: TOKEN_INDEX_READ },
      });
      const snapshotBytes = await db.pool.query<{ size: string }>(
        'SELECT octet_length(data) AS size FROM event_store.snapshots WHERE name = $1 ORDER BY position DESC LIMIT 1',
        [SNAPSHOT],
      );
      return [
        result({
          name: 'token-cold-start',
          value: samples.fromLog,
          unit: 'ms',
          floor: samples.floor,
          target: '<= 1.2',
          events: EVENTS,
          liveTokens: Math.round(EVENTS * 0.8),
          rssMb: Math.max(...samples.rssFromLogMb),
        }),
        result({
          name: 'token-cold-start-snapshot',
          value: samples.fromSnapshot,
          unit: 'ms',
          floor: samples.floor,
          target: '<= 0.2',
          rssMb: Math.max(...samples.rssFromSnapshotMb),
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
