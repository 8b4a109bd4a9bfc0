import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Rate-limit windows shared by every gateway replica, purged by `expires_at`. */
export class RateLimits1765000000000 implements MigrationInterface {
  name = 'RateLimits1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE gateway.rate_limit_hits (
      key text PRIMARY KEY,
      window_start timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      hits integer NOT NULL
    )`);
    await queryRunner.query('CREATE INDEX rate_limit_hits_expires_at ON gateway.rate_limit_hits (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway.rate_limit_hits');
  }
}
