import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The admin-key try limit moved to the gateway's rate limiter (gateway.rate_limit_hits, purged); its old rows go. */
export class DropAdminKeyAttempts1765000000000 implements MigrationInterface {
  name = 'DropAdminKeyAttempts1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS token.admin_key_attempts');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE token.admin_key_attempts (
      address text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      attempts integer NOT NULL
    )`);
  }
}
