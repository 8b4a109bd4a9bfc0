import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * User numbers (a stable integer besides the UUID, middle_auth's user id when imported) and the
 * parent of a service account. New users take the next number of the sequence; an import moves the
 * sequence past the numbers it brings. Rows from before numbers existed get the number their UUID
 * gives, as the events' upcaster does.
 */
export class UserNumbers1766000000000 implements MigrationInterface {
  name = 'UserNumbers1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE SEQUENCE identity.user_numbers START 1');
    await queryRunner.query('ALTER TABLE identity.users ADD COLUMN number bigint, ADD COLUMN parent_id uuid');
    await queryRunner.query(
      `UPDATE identity.users SET number = ('x' || substr(replace(id::text, '-', ''), 1, 12))::bit(48)::bigint WHERE number IS NULL`,
    );
    await queryRunner.query('ALTER TABLE identity.users ALTER COLUMN number SET NOT NULL');
    await queryRunner.query('CREATE UNIQUE INDEX users_number ON identity.users (number)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE identity.users DROP COLUMN number, DROP COLUMN parent_id');
    await queryRunner.query('DROP SEQUENCE identity.user_numbers');
  }
}
