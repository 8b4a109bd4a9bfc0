import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A first login looks for the user without an external identity that has its verified e-mail. */
export class UnlinkedEmailIndex1766200000000 implements MigrationInterface {
  name = 'UnlinkedEmailIndex1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE INDEX users_unlinked_email ON identity.users (lower(email)) WHERE issuer IS NULL AND NOT service_account',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX identity.users_unlinked_email');
  }
}
