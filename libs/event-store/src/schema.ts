import type { Pool } from 'pg';

/**
 * The whole event-store schema. Positions are dense and follow commit order: every append takes
 * the single `head` row lock before it inserts and holds it until commit, so a reader tailing
 * `position > n` can never see position n+1 before n (the bigserial-gap bug cannot happen) and a
 * rolled-back append gives its positions back.
 */
export const EVENT_STORE_SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS event_store;

CREATE TABLE IF NOT EXISTS event_store.events (
  position        bigint      PRIMARY KEY,
  stream_id       text        NOT NULL,
  stream_version  integer     NOT NULL,
  type            text        NOT NULL,
  schema_version  integer     NOT NULL DEFAULT 1,
  data            jsonb       NOT NULL,
  metadata        jsonb       NOT NULL DEFAULT '{}',
  recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
);

CREATE INDEX IF NOT EXISTS events_type_position_idx ON event_store.events (type, position);
CREATE INDEX IF NOT EXISTS events_recorded_at_idx ON event_store.events (recorded_at);

CREATE TABLE IF NOT EXISTS event_store.head (
  id        boolean PRIMARY KEY DEFAULT true CHECK (id),
  position  bigint  NOT NULL
);
INSERT INTO event_store.head (id, position) VALUES (true, 0) ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS event_store.snapshots (
  name        text        NOT NULL,
  position    bigint      NOT NULL,
  data        bytea       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, position)
);

-- Snapshots are read whole at every start: uncompressed, a big one is read several times faster
-- (and written without a long pglz pass). Altered only once, so a start never waits on its lock.
DO $$ BEGIN
  IF (SELECT attstorage FROM pg_attribute WHERE attrelid = 'event_store.snapshots'::regclass AND attname = 'data') <> 'e' THEN
    ALTER TABLE event_store.snapshots ALTER COLUMN data SET STORAGE EXTERNAL;
  END IF;
END $$;
`;

/** Key of the advisory lock that serialises schema changes when several replicas start at once. */
export const SCHEMA_LOCK_KEY = 7_362_001;

export async function ensureEventStoreSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    await client.query(EVENT_STORE_SCHEMA_SQL);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [SCHEMA_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
