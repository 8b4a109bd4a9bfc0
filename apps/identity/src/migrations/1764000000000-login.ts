import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login: trusted apps (inline projection), pending logins and one-time codes (shared by
 * every gateway replica, hence here and not in a process), upstream credentials (encrypted, never
 * in the log), and the `pi` flag of a user.
 */
export class Login1764000000000 implements MigrationInterface {
  name = 'Login1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE identity.trusted_apps (
      id uuid PRIMARY KEY,
      url text NOT NULL UNIQUE,
      created_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE identity.login_states (
      state_hash text PRIMARY KEY,
      browser_hash text NOT NULL,
      verifier_sealed text NOT NULL,
      redirect text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE identity.login_codes (
      code_hash text PRIMARY KEY,
      user_id uuid NOT NULL,
      redirect text NOT NULL,
      expires_at timestamptz NOT NULL
    )`);
    await queryRunner.query(`CREATE TABLE identity.upstream_credentials (
      user_id uuid NOT NULL,
      provider text NOT NULL,
      issuer text NOT NULL,
      token_url text NOT NULL,
      access_token_sealed text NOT NULL,
      refresh_token_sealed text,
      expires_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, provider)
    )`);
    await queryRunner.query('ALTER TABLE identity.users ADD COLUMN pi boolean NOT NULL DEFAULT false');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE identity.users DROP COLUMN pi');
    await queryRunner.query('DROP TABLE identity.upstream_credentials');
    await queryRunner.query('DROP TABLE identity.login_codes');
    await queryRunner.query('DROP TABLE identity.login_states');
    await queryRunner.query('DROP TABLE identity.trusted_apps');
  }
}
