import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users and service accounts, an inline projection of the identity events (read-your-writes). */
export class Users1763900000000 implements MigrationInterface {
  name = 'Users1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE identity.users (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      email text,
      admin boolean NOT NULL DEFAULT false,
      read_only boolean NOT NULL DEFAULT false,
      service_account boolean NOT NULL DEFAULT false,
      active boolean NOT NULL DEFAULT true,
      scopes text[],
      issuer text,
      subject text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query('CREATE UNIQUE INDEX users_external_identity ON identity.users (issuer, subject) WHERE issuer IS NOT NULL');
    await queryRunner.query('CREATE UNIQUE INDEX service_accounts_name ON identity.users (name) WHERE service_account');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE identity.users');
  }
}
