import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Inline read models that make group and dataset names unique (409 on a duplicate, nothing half-written). */
export class PolicyNames1763900000000 implements MigrationInterface {
  name = 'PolicyNames1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE policy.group_names (name text PRIMARY KEY, group_id uuid NOT NULL UNIQUE)`);
    await queryRunner.query(`CREATE TABLE policy.dataset_names (name text PRIMARY KEY, dataset_id uuid NOT NULL UNIQUE)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE policy.dataset_names');
    await queryRunner.query('DROP TABLE policy.group_names');
  }
}
