import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  actorOf,
  IDENTITY_EVENTS,
  requireSuperAdmin,
  TesseraError,
  USER_ACCOUNT_SUBJECTS,
  userStreamId,
  type IdentityEvent,
  type Principal,
  type UserUpdated,
} from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { EventStore } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import { findUser, userBody, type UserRow } from '../users/users.projection';
import { projectUserChanges } from './user-accounts.projection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FLAGS = ['admin', 'readOnly', 'pi'] as const;

/** PATCH and DELETE of a user (super admin): `UserUpdated` with only what changed, `UserDeactivated`. */
@Controller()
export class UserAccountsController {
  constructor(
    private readonly store: EventStore<IdentityEvent>,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Handles(USER_ACCOUNT_SUBJECTS.update)
  async update(@Payload() body: { principal: Principal; id: string; name?: string; admin?: boolean; readOnly?: boolean; pi?: boolean }) {
    requireSuperAdmin(body.principal);
    const user = await this.existing(body.id);
    const change: UserUpdated['data'] = { userId: user.id };
    if (body.name !== undefined && body.name !== user.name) change.name = body.name;
    const current = { admin: user.admin, readOnly: user.read_only, pi: (user as UserRow & { pi: boolean }).pi };
    for (const flag of FLAGS) if (body[flag] !== undefined && body[flag] !== current[flag]) change[flag] = body[flag];
    let revision: string | undefined;
    if (Object.keys(change).length > 1) {
      const { position } = await this.store.append(
        { streamId: userStreamId(user.id), expectedVersion: 'any', events: [{ type: IDENTITY_EVENTS.userUpdated, data: change }] },
        { metadata: { actor: actorOf(body.principal) }, project: projectUserChanges },
      );
      revision = String(position);
    }
    const row = (await findUser(this.pool, user.id)) as UserRow & { pi: boolean };
    return { ...userBody(row), pi: row.pi, ...(revision ? { revision } : {}) };
  }

  /** Tokens are refused from this event on (every token index); the gateway then revokes them one by one. */
  @Handles(USER_ACCOUNT_SUBJECTS.deactivate)
  async deactivate(@Payload() body: { principal: Principal; id: string }) {
    requireSuperAdmin(body.principal);
    const user = await this.existing(body.id);
    if (!user.active) return { deactivated: false };
    const { position } = await this.store.append(
      {
        streamId: userStreamId(user.id),
        expectedVersion: 'any',
        events: [{ type: IDENTITY_EVENTS.userDeactivated, data: { userId: user.id } }],
      },
      { metadata: { actor: actorOf(body.principal) }, project: projectUserChanges },
    );
    return { deactivated: true, revision: String(position) };
  }

  private async existing(id: string): Promise<UserRow> {
    const row = typeof id === 'string' && UUID.test(id) ? await findUser(this.pool, id) : undefined;
    if (!row) throw new TesseraError('not_found', 'no such user');
    return row;
  }
}
