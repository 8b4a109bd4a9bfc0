import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  actorOf,
  LOGIN_SUBJECTS,
  requireSuperAdmin,
  TesseraError,
  TRUSTED_APP_EVENTS,
  TRUSTED_APP_SUBJECTS,
  trustedAppStreamId,
  type IdentityEvent,
  type Principal,
  type TrustedAppRegistered,
} from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { EventStore, readHeadPosition } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import { isUniqueViolation } from '../users/users.projection';
import { isTrustedOrigin, isTrustedRedirect, projectTrustedApps, trustedAppUrls, type TrustedAppRow } from './trusted-apps.projection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const url = normalizeAppUrl(body.url);
    const data: TrustedAppRegistered['data'] = { appId: randomUUID(), url };
    try {
      const { position } = await this.store.append(
        {
          streamId: trustedAppStreamId(data.appId),
          expectedVersion: 'no_stream',
          events: [{ type: TRUSTED_APP_EVENTS.trustedAppRegistered, data }],
        },
        { metadata: { actor: actorOf(body.principal) }, project: projectTrustedApps },
      );
      const row = (await this.pool.query<TrustedAppRow>('SELECT * FROM identity.trusted_apps WHERE id = $1', [data.appId])).rows[0];
      return { ...appBody(row), revision: String(position) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new TesseraError('conflict', `${url} is registered already`);
      throw error;
    }
  }

  @Handles(TRUSTED_APP_SUBJECTS.remove)
  async remove(@Payload() body: { principal: Principal; id: string }) {
    requireSuperAdmin(body.principal);
    const row = UUID.test(body.id)
      ? (await this.pool.query<TrustedAppRow>('SELECT * FROM identity.trusted_apps WHERE id = $1', [body.id])).rows[0]
      : undefined;
    if (!row) throw new TesseraError('not_found', 'no such app');
    const { position } = await this.store.append(
      {
        streamId: trustedAppStreamId(row.id),
        expectedVersion: 1,
        events: [{ type: TRUSTED_APP_EVENTS.trustedAppRemoved, data: { appId: row.id, url: row.url } }],
      },
      { metadata: { actor: actorOf(body.principal) }, project: projectTrustedApps },
    );
    return { revision: String(position) };
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

/** An http(s) URL without credentials, query or fragment; 400 naming `url` otherwise. */
function normalizeAppUrl(raw: unknown): string {
  const bad = (problem: string) => new TesseraError('bad_request', `url: ${problem}`, [{ field: 'url', problems: [problem] }]);
  if (typeof raw !== 'string') throw bad('must be a string');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('must be http or https');
  if (url.username || url.password || url.search || url.hash) throw bad('must carry no credentials, query or fragment');
  return url.href;
}
