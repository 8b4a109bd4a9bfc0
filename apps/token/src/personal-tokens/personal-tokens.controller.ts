import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  actorOf,
  requireScope,
  requireSuperAdmin,
  TesseraError,
  TOKEN_ADMIN_SUBJECTS,
  type MintedToken,
  type MintFields,
  type Principal,
  type TokenKind,
} from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { TokenIndexReplica } from '@tessera/token-index';
import { TokenMinting } from '../minting/token-minting.service';
import { TokenRules } from '../minting/token-rules';
import { lastUsedOf } from '../last-used/last-used.store';

/** Personal, impersonation, service-account and resource tokens: mint, list masked, revoke by id. */
@Controller()
export class PersonalTokensController {
  constructor(
    private readonly minting: TokenMinting,
    private readonly rules: TokenRules,
    private readonly replica: TokenIndexReplica,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Handles(TOKEN_ADMIN_SUBJECTS.mint)
  async mint(@Payload() body: MintFields & { principal: Principal }): Promise<MintedToken> {
    const { principal } = body;
    await this.rules.atLeast(body.minRevision);
    const scopes = body.scopes ?? [];
    const now = Date.now();
    switch (body.kind) {
      case 'personal': {
        requireScope(principal, 'tokens');
        if (principal.userId === undefined)
          throw new TesseraError('bad_request', 'an admin token has no owner to mint a personal token for');
        this.rules.checkKnownScopes(scopes);
        this.rules.checkWithin(scopes, principal.scopes, 'this token');
        const owner = await this.rules.owner(principal.userId);
        if (owner?.serviceAccount) this.rules.checkServiceAccountScopes(scopes, owner.scopes ?? []);
        const kind: TokenKind = owner?.serviceAccount ? 'service' : 'personal';
        return this.minting.mint(
          { kind, ownerId: principal.userId, name: body.name ?? '', scopes, createdAt: now, expiresAt: this.rules.expiryOf(body, now) },
          actorOf(principal),
        );
      }
      case 'impersonation': {
        requireSuperAdmin(principal);
        const owner = body.ownerId ? await this.rules.owner(body.ownerId) : undefined;
        if (!owner || owner.serviceAccount) throw new TesseraError('not_found', 'no such user');
        if (!owner.active) throw new TesseraError('conflict', 'the user is deactivated');
        this.rules.checkKnownScopes(scopes);
        return this.minting.mint(
          {
            kind: 'impersonation',
            ownerId: owner.id,
            name: body.name ?? '',
            scopes,
            createdAt: now,
            expiresAt: this.rules.expiryOf(body, now),
            impersonatedBy: actorOf(principal),
          },
          actorOf(principal),
        );
      }
      case 'service': {
        requireSuperAdmin(principal);
        const owner = body.ownerId ? await this.rules.owner(body.ownerId) : undefined;
        if (!owner || !owner.serviceAccount) throw new TesseraError('not_found', 'no such service account');
        this.rules.checkKnownScopes(scopes);
        this.rules.checkServiceAccountScopes(scopes, owner.scopes ?? []);
        return this.minting.mint(
          { kind: 'service', ownerId: owner.id, name: body.name ?? '', scopes, createdAt: now, expiresAt: this.rules.expiryOf(body, now) },
          actorOf(principal),
        );
      }
      case 'resource': {
        if (!principal.superAdmin) {
          if (!principal.serviceAccount)
            throw new TesseraError(
              'not_admin',
              'only a service account with scope resource-tokens, or a super admin, mints resource tokens',
            );
          requireScope(principal, 'resource-tokens');
        }
        if (!body.resource || !body.actions || body.actions.length === 0)
          throw new TesseraError('bad_request', 'resource and actions are required');
        return this.minting.mint(
          {
            kind: 'resource',
            ownerId: principal.userId ?? null,
            name: body.resource,
            scopes: [],
            createdAt: now,
            expiresAt: this.rules.expiryOf(body, now),
            resource: body.resource,
            actions: body.actions,
          },
          actorOf(principal),
        );
      }
      default:
        throw new TesseraError('bad_request', 'unknown token kind');
    }
  }

  @Handles(TOKEN_ADMIN_SUBJECTS.list)
  async list(@Payload() body: { principal: Principal; minRevision?: number }) {
    const { principal } = body;
    requireScope(principal, 'tokens');
    await this.rules.atLeast(body.minRevision);
    if (principal.userId === undefined) return { items: [], revision: String(this.replica.position) };
    const records = this.replica.index.tokensOf(principal.userId).filter((record) => !record.revoked);
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
    const { principal } = body;
    await this.rules.atLeast(body.minRevision);
    const record = await this.rules.token(body.tokenId);
    const owns = record !== undefined && record.ownerId !== null && record.ownerId === principal.userId;
    if (!record || (!owns && !principal.superAdmin)) throw new TesseraError('not_found', 'no such token');
    if (!principal.superAdmin) requireScope(principal, 'tokens');
    if (record.revoked) return { revision: String(this.replica.position) };
    return { revision: await this.minting.revoke(record.id, principal.superAdmin && !owns ? 'admin' : 'owner', actorOf(principal)) };
  }
}
