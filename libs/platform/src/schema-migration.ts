import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Every app's first migration: the schema that holds its own tables (no app reads another's). */
export function schemaMigration(schema: string, timestamp = 1763856000000): new () => MigrationInterface {
  const name = `Create${schema[0].toUpperCase()}${schema.slice(1)}Schema${timestamp}`;
  return class implements MigrationInterface {
    name = name;
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  };
}
