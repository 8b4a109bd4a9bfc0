import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  LOGIN_SUBJECTS,
  requireSuperAdmin,
  TesseraError,
  TRUSTED_APP_SUBJECTS,
  trustedAppStreamId,
  type IdentityEvent,
  type Principal,
  writeMetadata,
} from '@tessera/contracts';
import { EventStore, handleCommand, isUniqueViolation, readHeadPosition } from '@tessera/event-store';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { normalizeAppUrl, trustedAppDecider, type TrustedAppCommand } from './domain/trusted-app.decider';
import { isTrustedOrigin, isTrustedRedirect, projectTrustedApps, trustedAppUrls, type TrustedAppRow } from './trusted-apps.projection';

function appBody(row: TrustedAppRow) {
  return { id: row.id, url: row.url, createdAt: row.created_at.toISOString() };
}

/** Trusted application URLs: where login redirects and popup messages may go. */
@Controller()
export class TrustedAppsController {
  constructor(
    private readonly store: EventStore<IdentityEvent>,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Handles(TRUSTED_APP_SUBJECTS.list)
  async list() {
    const rows = (await this.pool.query<TrustedAppRow>('SELECT * FROM identity.trusted_apps ORDER BY created_at, id')).rows;
    return { items: rows.map(appBody), revision: String(await readHeadPosition(this.pool)) };
  }

  @Handles(TRUSTED_APP_SUBJECTS.create)
  async create(@Payload() body: { principal: Principal; url: string }) {
    requireSuperAdmin(body.principal);
    const appId = randomUUID();
    const { position } = await this.run({ type: 'RegisterTrustedApp', data: { appId, url: body.url } }, body.principal).catch((error) => {
      throw isUniqueViolation(error) ? new TesseraError('conflict', `${String(normalizeAppUrl(body.url))} is registered already`) : error;
    });
    const row = (await this.pool.query<TrustedAppRow>('SELECT * FROM identity.trusted_apps WHERE id = $1', [appId])).rows[0];
    return { ...appBody(row), revision: String(position) };
  }

  @Handles(TRUSTED_APP_SUBJECTS.remove)
  async remove(@Payload() body: { principal: Principal; id: string }) {
    requireSuperAdmin(body.principal);
    const { position } = await this.run({ type: 'RemoveTrustedApp', data: { appId: String(body.id) } }, body.principal);
    return { revision: String(position) };
  }

  /** The app's stream folded, decided, appended at its version, the trusted_apps table changed in the same transaction. */
  private run(command: TrustedAppCommand, principal: Principal) {
    const streamId = trustedAppStreamId(command.data.appId);
    return handleCommand(this.store, streamId, trustedAppDecider, command, {
      metadata: { ...writeMetadata(principal) },
      project: projectTrustedApps,
    });
  }

  @Handles(LOGIN_SUBJECTS.checkRedirect)
  async checkRedirect(@Payload() body: { redirect: string }) {
    return { trusted: typeof body.redirect === 'string' && isTrustedRedirect(body.redirect, await trustedAppUrls(this.pool)) };
  }

  @Handles(LOGIN_SUBJECTS.checkOrigin)
  async checkOrigin(@Payload() body: { origin: string }) {
    return { trusted: typeof body.origin === 'string' && isTrustedOrigin(body.origin, await trustedAppUrls(this.pool)) };
  }
}
