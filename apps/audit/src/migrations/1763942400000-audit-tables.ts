import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit app's own tables (projection state, replay jobs) and the indexes on the shared log that
 * the history filters need. The temporal projection's tables are made per generation by
 * `createAccessTables`, because a replay builds a fresh generation beside the live one.
 */
export class AuditTables1763942400000 implements MigrationInterface {
  name = 'AuditTables1763942400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit.projection_state (
        name        text    PRIMARY KEY,
        generation  integer NOT NULL,
        position    bigint  NOT NULL
      );
      CREATE SEQUENCE audit.generation_seq START 2;
      CREATE TABLE audit.replay_jobs (
        id            uuid        PRIMARY KEY,
        projection    text        NOT NULL,
        generation    integer     NOT NULL,
        status        text        NOT NULL,
        position      bigint      NOT NULL DEFAULT 0,
        target        bigint      NOT NULL DEFAULT 0,
        started_at    timestamptz NOT NULL DEFAULT now(),
        finished_at   timestamptz,
        matches_live  boolean,
        error         text
      );
      CREATE INDEX IF NOT EXISTS audit_events_actor_idx ON event_store.events ((metadata->>'actor'), position);
      CREATE INDEX IF NOT EXISTS audit_events_user_idx ON event_store.events ((data->>'userId'), position);
      CREATE INDEX IF NOT EXISTS audit_events_dataset_idx ON event_store.events ((data->>'datasetId'), position);
      CREATE INDEX IF NOT EXISTS audit_events_stream_position_idx ON event_store.events (stream_id, position);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX IF EXISTS event_store.audit_events_actor_idx;
      DROP INDEX IF EXISTS event_store.audit_events_user_idx;
      DROP INDEX IF EXISTS event_store.audit_events_dataset_idx;
      DROP INDEX IF EXISTS event_store.audit_events_stream_position_idx;
      DROP TABLE IF EXISTS audit.replay_jobs;
      DROP SEQUENCE IF EXISTS audit.generation_seq;
      DROP TABLE IF EXISTS audit.projection_state;
    `);
  }
}
