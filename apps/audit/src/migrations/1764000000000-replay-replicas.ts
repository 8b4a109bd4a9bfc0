import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A replay of another app's in-memory projection runs on every replica of that app: the job keeps
 * each replica's progress, and how many replicas accepted it (null while the answers are gathered).
 */
export class ReplayReplicas1764000000000 implements MigrationInterface {
  name = 'ReplayReplicas1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE audit.replay_jobs ADD COLUMN replicas jsonb NOT NULL DEFAULT '{}';
      ALTER TABLE audit.replay_jobs ADD COLUMN accepted_by integer;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE audit.replay_jobs DROP COLUMN accepted_by;
      ALTER TABLE audit.replay_jobs DROP COLUMN replicas;
    `);
  }
}
