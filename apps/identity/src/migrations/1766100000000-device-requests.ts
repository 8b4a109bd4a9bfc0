import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device logins (RFC 8628): pending requests live here, not in a gateway's memory, so any gateway
 * replica can answer a poll. The device code is stored as a SHA-256 hash; the token minted on
 * approval is sealed (AES-256-GCM) until the device collects it, then erased.
 */
export class DeviceRequests1766100000000 implements MigrationInterface {
  name = 'DeviceRequests1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE identity.device_requests (
      id uuid PRIMARY KEY,
      device_code_hash text NOT NULL UNIQUE,
      user_code text NOT NULL UNIQUE,
      client_id text NOT NULL,
      scopes text[] NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'collected')),
      user_id uuid,
      token_sealed text,
      token_expires_at timestamptz,
      interval_seconds integer NOT NULL,
      last_polled_at timestamptz,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await queryRunner.query('CREATE INDEX device_requests_expires_at ON identity.device_requests (expires_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE identity.device_requests');
  }
}
