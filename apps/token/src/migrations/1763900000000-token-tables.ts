import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Admin-key attempts (the rate limit holds across replicas) and batched `lastUsedAt`. */
export class TokenTables1763900000000 implements MigrationInterface {
  name = 'TokenTables1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE token.admin_key_attempts (
      address text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      attempts integer NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE token.token_last_used (
      token_id uuid PRIMARY KEY,
      last_used_at timestamptz NOT NULL
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE token.token_last_used');
    await queryRunner.query('DROP TABLE token.admin_key_attempts');
  }
}
