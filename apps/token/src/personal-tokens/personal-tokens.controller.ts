import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  requireScope,
  requireSuperAdmin,
  TOKEN_ADMIN_SUBJECTS,
  writeMetadata,
  type MintedToken,
  type MintFields,
  type Principal,
} from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { TokenIndexReplica } from '@tessera/token-index';
import { TokenCommands } from '../tokens/token-commands';
import { lastUsedOf } from '../last-used/last-used.store';

/** Personal, impersonation, service-account and resource tokens: mint, list masked, revoke by id. */
@Controller()
export class PersonalTokensController {
  constructor(
    private readonly tokens: TokenCommands,
    private readonly replica: TokenIndexReplica,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  /** The owner the token acts as: the caller's own for a personal token, `ownerId` for impersonation and service tokens. */
  @Handles(TOKEN_ADMIN_SUBJECTS.mint)
  async mint(@Payload() body: MintFields & { principal: Principal }): Promise<MintedToken> {
    const { principal, ...request } = body;
    await this.tokens.atLeast(body.minRevision);
    const ownerId = body.kind === 'personal' ? principal.userId : body.kind === 'resource' ? undefined : body.ownerId;
    return this.tokens.mint({ kind: body.kind, principal, request }, ownerId, writeMetadata(principal));
  }

  @Handles(TOKEN_ADMIN_SUBJECTS.list)
  async list(@Payload() body: { principal: Principal; ownerId?: string; minRevision?: number }) {
    const { principal } = body;
    // Another owner's tokens (a service account's, a user's): for a super admin, as the console's admin pages show them.
    if (body.ownerId !== undefined && body.ownerId !== principal.userId) requireSuperAdmin(principal);
    else requireScope(principal, 'tokens');
    await this.tokens.atLeast(body.minRevision);
    const ownerId = body.ownerId ?? principal.userId;
    if (ownerId === undefined) return { items: [], revision: String(this.replica.position) };
    const records = this.replica.index.tokensOf(ownerId).filter((record) => !record.revoked);
    const lastUsed = await lastUsedOf(
      this.pool,
      records.map((record) => record.id),
    );
    const items = records
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((record) => ({
        id: record.id,
        name: record.name,
        kind: record.kind,
        hint: record.hint,
        scopes: record.scopes,
        createdAt: new Date(record.createdAt).toISOString(),
        expiresAt: record.expiresAt === 0 ? null : new Date(record.expiresAt).toISOString(),
        lastUsedAt: lastUsed.get(record.id) ?? null,
        ...(record.resource !== null ? { resource: record.resource, actions: record.actions } : {}),
      }));
    return { items, nextCursor: null, revision: String(this.replica.position) };
  }

  @Handles(TOKEN_ADMIN_SUBJECTS.revokeById)
  async revokeById(@Payload() body: { principal: Principal; tokenId: string; minRevision?: number }): Promise<{ revision: string }> {
    await this.tokens.atLeast(body.minRevision);
    const command = { type: 'RevokeTokenById' as const, data: { tokenId: String(body.tokenId), caller: body.principal } };
    const position = await this.tokens.revoke(command, writeMetadata(body.principal));
    // Revoked already: nothing written, the answer is where this replica stands.
    return { revision: String(position ?? this.replica.position) };
  }
}
