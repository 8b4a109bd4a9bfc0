import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  writeMetadata,
  IDENTITY_ADMIN_SUBJECTS,
  isUuid,
  requireSuperAdmin,
  TesseraError,
  USER_ACCOUNT_SUBJECTS,
  type Principal,
  type UpdateUserFields,
} from '@tessera/contracts';
import { isUniqueViolation, readHeadPosition } from '@tessera/event-store';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { UserCommands } from './user-commands';
import { findUser, nextUserNumber, userBody, type UserRow } from './users.projection';

/** Users and service accounts: register, list, read, change, deactivate (super admin, except reading oneself). */
@Controller()
export class UsersController {
  constructor(
    private readonly users: UserCommands,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Handles(IDENTITY_ADMIN_SUBJECTS.createUser)
  async create(@Payload() body: { principal: Principal; name: string; email?: string | null; admin?: boolean; readOnly?: boolean }) {
    requireSuperAdmin(body.principal);
    const number = await nextUserNumber(this.pool);
    const data = { userId: randomUUID(), name: body.name, email: body.email ?? null, issuer: null, subject: null, number };
    const { position } = await this.users.run(
      { type: 'RegisterUser', data: { ...data, admin: body.admin ?? false, readOnly: body.readOnly ?? false } },
      writeMetadata(body.principal),
    );
    return { ...userBody((await findUser(this.pool, data.userId))!), revision: String(position) };
  }

  @Handles(IDENTITY_ADMIN_SUBJECTS.listUsers)
  async list(
    @Payload() body: { principal: Principal; limit?: number | string; cursor?: string; q?: string; serviceAccount?: 'true' | 'false' },
  ) {
    requireSuperAdmin(body.principal);
    const limit = Math.min(Math.max(Number(body.limit ?? 50) || 50, 1), 500);
    const cursor = isUuid(body.cursor) ? body.cursor : null;
    // `q` matches part of the name or e-mail; its own % and _ are literal.
    const pattern = typeof body.q === 'string' && body.q !== '' ? `%${body.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const serviceAccount = body.serviceAccount === 'true' ? true : body.serviceAccount === 'false' ? false : null;
    const result = await this.pool.query<UserRow>(
      `SELECT * FROM identity.users
        WHERE ($1::uuid IS NULL OR id > $1)
          AND ($3::text IS NULL OR name ILIKE $3 OR email ILIKE $3)
          AND ($4::boolean IS NULL OR service_account = $4)
        ORDER BY id LIMIT $2`,
      [cursor, limit + 1, pattern, serviceAccount],
    );
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
    const row = isUuid(body.id) ? await findUser(this.pool, body.id) : undefined;
    if (!row) throw new TesseraError('not_found', 'no such user');
    return { ...userBody(row), revision: String(await readHeadPosition(this.pool)) };
  }

  @Handles(IDENTITY_ADMIN_SUBJECTS.createServiceAccount)
  async createServiceAccount(@Payload() body: { principal: Principal; name: string; scopes: string[] }) {
    requireSuperAdmin(body.principal);
    const parentId = body.principal.kind === 'impersonation' ? null : (body.principal.userId ?? null);
    const data = { userId: randomUUID(), name: body.name, scopes: body.scopes, number: await nextUserNumber(this.pool), parentId };
    const { position } = await this.users
      .run({ type: 'CreateServiceAccount', data }, writeMetadata(body.principal))
      .catch((error: unknown) => {
        throw isUniqueViolation(error) ? new TesseraError('conflict', `a service account named ${body.name} exists`) : error;
      });
    return { id: data.userId, number: data.number, name: data.name, scopes: data.scopes, parentId, revision: String(position) };
  }

  /** PATCH: `UserUpdated` with only what changed (nothing, and no revision, when nothing does). */
  @Handles(USER_ACCOUNT_SUBJECTS.update)
  async update(@Payload() body: UpdateUserFields & { principal: Principal }) {
    requireSuperAdmin(body.principal);
    const { principal, id, name, admin, readOnly, pi } = body;
    const { position } = await this.users.run(
      { type: 'UpdateUser', data: { userId: String(id), name, admin, readOnly, pi } },
      writeMetadata(principal),
    );
    const row = (await findUser(this.pool, id))!;
    return { ...userBody(row), pi: row.pi, ...(position !== undefined ? { revision: String(position) } : {}) };
  }

  /** DELETE: the user's tokens are refused from `UserDeactivated` on, in every token index. */
  @Handles(USER_ACCOUNT_SUBJECTS.deactivate)
  async deactivate(@Payload() body: { principal: Principal; id: string }) {
    requireSuperAdmin(body.principal);
    const { position } = await this.users.run({ type: 'DeactivateUser', data: { userId: String(body.id) } }, writeMetadata(body.principal));
    return position === undefined ? { deactivated: false } : { deactivated: true, revision: String(position) };
  }
}
