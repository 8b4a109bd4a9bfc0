import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool, PoolClient } from 'pg';
import {
  DEVICE_SUBJECTS,
  deviceAuthorizationStreamId,
  TesseraError,
  writeMetadata,
  type DeviceLoginView,
  type DevicePoll,
  type IdentityEvent,
  type Principal,
} from '@tessera/contracts';
import { EventStore, handleCommand, isUniqueViolation } from '@tessera/event-store';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { CredentialCipher } from '../credentials/credential-cipher';
import { deviceAuthorizationDecider, type DeviceAuthorizationCommand } from './domain/device-authorization.decider';
import { decidePoll } from './domain/device-poll';
import { newUserCode, normalizeUserCode } from './user-code';

/** RFC 8628: a device code lives 15 minutes; the device polls every 5 s, 5 s more after each `slow_down`. */
export const DEVICE_CODE_TTL_SECONDS = 900;
export const POLL_INTERVAL_SECONDS = 5;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

interface DeviceRequestRow {
  id: string;
  user_code: string;
  client_id: string;
  scopes: string[];
  status: DeviceLoginView['status'];
  token_sealed: string | null;
  token_expires_at: Date | null;
  interval_seconds: number;
  last_polled_at: Date | null;
  expires_at: Date;
}

/**
 * Device logins: requested by a command line, approved or denied by a signed-in user on the console,
 * collected by the device's polls. Pending requests are rows here (any gateway replica can finish
 * them); each request, approval and denial is also an event of the request's stream.
 */
@Controller()
export class DeviceAuthorizationController {
  constructor(
    private readonly store: EventStore<IdentityEvent>,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly cipher: CredentialCipher,
  ) {}

  @Handles(DEVICE_SUBJECTS.request)
  async request(@Payload() body: { clientId: string; scopes: string[] }) {
    const requestId = randomUUID();
    const deviceCode = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + DEVICE_CODE_TTL_SECONDS * 1000).toISOString();
    const command: DeviceAuthorizationCommand = {
      type: 'RequestDeviceAuthorization',
      data: { requestId, clientId: String(body.clientId), scopes: body.scopes.map(String), expiresAt },
    };
    // A user code taken by a live request (about one in 10^10) is drawn again.
    for (let attempt = 0; ; attempt += 1) {
      const userCode = newUserCode();
      try {
        const { position } = await this.run(command, `device-client:${command.data.clientId}`, async (client) => {
          await client.query(
            `INSERT INTO identity.device_requests (id, device_code_hash, user_code, client_id, scopes, interval_seconds, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)`,
            [requestId, sha256(deviceCode), userCode, command.data.clientId, command.data.scopes, POLL_INTERVAL_SECONDS, expiresAt],
          );
        });
        return { deviceCode, userCode, expiresIn: DEVICE_CODE_TTL_SECONDS, interval: POLL_INTERVAL_SECONDS, revision: String(position) };
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  @Handles(DEVICE_SUBJECTS.show)
  async show(@Payload() body: { principal: Principal; userCode: string }): Promise<DeviceLoginView> {
    const row = await this.live(body.principal, body.userCode);
    return {
      userCode: row.user_code,
      clientId: row.client_id,
      scopes: row.scopes,
      status: row.status,
      expiresAt: row.expires_at.toISOString(),
    };
  }

  @Handles(DEVICE_SUBJECTS.approve)
  async approve(
    @Payload() body: { principal: Principal; userCode: string; tokenId: string; token: string; tokenExpiresAt: string | null },
  ) {
    const row = await this.live(body.principal, body.userCode);
    const sealed = this.cipher.seal(String(body.token), `device-token:${row.id}`);
    const command: DeviceAuthorizationCommand = {
      type: 'ApproveDeviceAuthorization',
      data: { requestId: row.id, userId: body.principal.userId!, tokenId: String(body.tokenId), now: Date.now() },
    };
    const { position } = await this.run(command, body.principal, async (client) => {
      const updated = await client.query(
        `UPDATE identity.device_requests SET status = 'approved', user_id = $2, token_sealed = $3, token_expires_at = $4
         WHERE id = $1 AND status = 'pending' AND expires_at > now()`,
        [row.id, body.principal.userId, sealed, body.tokenExpiresAt],
      );
      if (updated.rowCount !== 1) throw new TesseraError('conflict', 'this device login was decided or expired meanwhile');
    });
    return { revision: String(position) };
  }

  @Handles(DEVICE_SUBJECTS.deny)
  async deny(@Payload() body: { principal: Principal; userCode: string }) {
    const row = await this.live(body.principal, body.userCode);
    const command: DeviceAuthorizationCommand = {
      type: 'DenyDeviceAuthorization',
      data: { requestId: row.id, userId: body.principal.userId!, now: Date.now() },
    };
    const { position } = await this.run(command, body.principal, async (client) => {
      const updated = await client.query(
        `UPDATE identity.device_requests SET status = 'denied', user_id = $2 WHERE id = $1 AND status = 'pending' AND expires_at > now()`,
        [row.id, body.principal.userId],
      );
      if (updated.rowCount !== 1) throw new TesseraError('conflict', 'this device login was decided or expired meanwhile');
    });
    return { revision: String(position) };
  }

  /**
   * One poll, under a row lock so two replicas answering the same device agree: too soon after the
   * last one (while pending) is `slow_down` and the interval grows; an approved login hands over its
   * token once and forgets it.
   */
  @Handles(DEVICE_SUBJECTS.poll)
  async poll(@Payload() body: { deviceCode: string }): Promise<DevicePoll> {
    if (typeof body.deviceCode !== 'string' || body.deviceCode.length > 200) return { status: 'unknown' };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const row = (
        await client.query<DeviceRequestRow>('SELECT * FROM identity.device_requests WHERE device_code_hash = $1 FOR UPDATE', [
          sha256(body.deviceCode),
        ])
      ).rows[0];
      const answer = await this.pollAnswer(client, row);
      await client.query('COMMIT');
      return answer;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async pollAnswer(client: PoolClient, row: DeviceRequestRow | undefined): Promise<DevicePoll> {
    if (!row) return { status: 'unknown' };
    const polled = {
      status: row.status,
      expiresAt: row.expires_at.getTime(),
      lastPolledAt: row.last_polled_at?.getTime() ?? null,
      intervalSeconds: row.interval_seconds,
    };
    const outcome = decidePoll(polled, Date.now());
    switch (outcome.status) {
      case 'approved':
        await client.query(
          `UPDATE identity.device_requests SET status = 'collected', token_sealed = NULL, last_polled_at = now() WHERE id = $1`,
          [row.id],
        );
        return {
          status: 'approved',
          token: this.cipher.open(row.token_sealed!, `device-token:${row.id}`),
          expiresAt: row.token_expires_at?.toISOString() ?? null,
        };
      case 'slow_down':
        await client.query('UPDATE identity.device_requests SET interval_seconds = $2, last_polled_at = now() WHERE id = $1', [
          row.id,
          outcome.interval,
        ]);
        return outcome;
      case 'pending':
        await client.query('UPDATE identity.device_requests SET last_polled_at = now() WHERE id = $1', [row.id]);
        return outcome;
      default:
        return outcome;
    }
  }

  /** The live (unexpired) request with this user code, for a signed-in person; `not_found` names no reason beyond that. */
  private async live(principal: Principal, typed: string): Promise<DeviceRequestRow> {
    if (!principal.userId || principal.serviceAccount)
      throw new TesseraError('not_admin', 'only a signed-in person approves or denies a device login');
    const userCode = normalizeUserCode(typed);
    if (!userCode)
      throw new TesseraError('bad_request', 'user_code: must be 8 letters without vowels, as XXXX-XXXX', [
        { field: 'user_code', problems: ['must be 8 letters without vowels, as XXXX-XXXX'] },
      ]);
    const row = (
      await this.pool.query<DeviceRequestRow>('SELECT * FROM identity.device_requests WHERE user_code = $1 AND expires_at > now()', [
        userCode,
      ])
    ).rows[0];
    if (!row) throw new TesseraError('not_found', 'no device login waits with this code (mistyped, or expired)');
    return row;
  }

  private run(command: DeviceAuthorizationCommand, by: Principal | string, project: (client: PoolClient) => Promise<void>) {
    return handleCommand(this.store, deviceAuthorizationStreamId(command.data.requestId), deviceAuthorizationDecider, command, {
      metadata: typeof by === 'string' ? { actor: by } : { ...writeMetadata(by) },
      project: (client) => project(client),
    });
  }
}
