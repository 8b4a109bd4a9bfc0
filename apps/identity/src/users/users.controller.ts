import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  actorOf,
  IDENTITY_ADMIN_SUBJECTS,
  IDENTITY_EVENTS,
  requireSuperAdmin,
  TesseraError,
  userStreamId,
  type IdentityEvent,
  type Principal,
  type UserRegistered,
} from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { EventStore, readHeadPosition } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import { findUser, isUniqueViolation, projectUsers, userBody, type UserRow } from './users.projection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users: register, list, read, and the caller's own record. */
@Controller()
export class UsersController {
  constructor(
    private readonly store: EventStore<IdentityEvent>,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Handles(IDENTITY_ADMIN_SUBJECTS.createUser)
  async create(@Payload() body: { principal: Principal; name: string; email?: string | null; admin?: boolean; readOnly?: boolean }) {
    requireSuperAdmin(body.principal);
    const data: UserRegistered['data'] = {
      userId: randomUUID(),
      name: body.name,
      email: body.email ?? null,
      admin: body.admin ?? false,
      readOnly: body.readOnly ?? false,
      issuer: null,
      subject: null,
    };
    const { position } = await this.store.append(
      { streamId: userStreamId(data.userId), expectedVersion: 'no_stream', events: [{ type: IDENTITY_EVENTS.userRegistered, data }] },
      { metadata: { actor: actorOf(body.principal) }, project: projectUsers },
    );
    const row = (await findUser(this.pool, data.userId))!;
    return { ...userBody(row), revision: String(position) };
  }

  @Handles(IDENTITY_ADMIN_SUBJECTS.listUsers)
  async list(@Payload() body: { principal: Principal; limit?: number | string; cursor?: string }) {
    requireSuperAdmin(body.principal);
    const limit = Math.min(Math.max(Number(body.limit ?? 50) || 50, 1), 500);
    const cursor = body.cursor && UUID.test(body.cursor) ? body.cursor : null;
    const result = await this.pool.query<UserRow>('SELECT * FROM identity.users WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2', [
      cursor,
      limit + 1,
    ]);
    const rows = result.rows.slice(0, limit);
    return {
      items: rows.map(userBody),
      nextCursor: result.rows.length > limit ? rows[rows.length - 1].id : null,
      revision: String(await readHeadPosition(this.pool)),
    };
  }

  @Handles(IDENTITY_ADMIN_SUBJECTS.getUser)
  async get(@Payload() body: { principal: Principal; id: string }) {
    if (!body.principal.superAdmin && body.principal.userId !== body.id)
      throw new TesseraError('not_admin', 'only a super admin may read other users');
    const row = UUID.test(body.id) ? await findUser(this.pool, body.id) : undefined;
    if (!row) throw new TesseraError('not_found', 'no such user');
    return { ...userBody(row), revision: String(await readHeadPosition(this.pool)) };
  }

  @Handles(IDENTITY_ADMIN_SUBJECTS.createServiceAccount)
  async createServiceAccount(@Payload() body: { principal: Principal; name: string; scopes: string[] }) {
    requireSuperAdmin(body.principal);
    const userId = randomUUID();
    try {
      const { position } = await this.store.append(
        {
          streamId: userStreamId(userId),
          expectedVersion: 'no_stream',
          events: [{ type: IDENTITY_EVENTS.serviceAccountCreated, data: { userId, name: body.name, scopes: body.scopes } }],
        },
        { metadata: { actor: actorOf(body.principal) }, project: projectUsers },
      );
      return { id: userId, name: body.name, scopes: body.scopes, revision: String(position) };
    } catch (error) {
      if (isUniqueViolation(error)) throw new TesseraError('conflict', `a service account named ${body.name} exists`);
      throw error;
    }
  }
}
