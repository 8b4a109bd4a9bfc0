import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Pending logins and one-time codes are purged by expiry in the background: index what the purge reads. */
export class LoginExpiryIndexes1765000000000 implements MigrationInterface {
  name = 'LoginExpiryIndexes1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX login_states_expires_at ON identity.login_states (expires_at)');
    await queryRunner.query('CREATE INDEX login_codes_expires_at ON identity.login_codes (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX identity.login_codes_expires_at');
    await queryRunner.query('DROP INDEX identity.login_states_expires_at');
  }
}
