import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import {
  requireScope,
  requireSuperAdmin,
  TesseraError,
  TOKEN_ADMIN_SUBJECTS,
  writeMetadata,
  type MintedToken,
  type MintFields,
  type PageQuery,
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
  async list(@Payload() body: { principal: Principal; ownerId?: string; minRevision?: number } & PageQuery) {
    const { principal } = body;
    // Another owner's tokens (a service account's, a user's): for a super admin, as the console's admin pages show them.
    if (body.ownerId !== undefined && body.ownerId !== principal.userId) requireSuperAdmin(principal);
    else requireScope(principal, 'tokens');
    const { limit, after } = pageOf(body);
    await this.tokens.atLeast(body.minRevision);
    const ownerId = body.ownerId ?? principal.userId;
    if (ownerId === undefined) return { items: [], nextCursor: null, revision: String(this.replica.position) };
    // Newest first, ties by id: a cursor names the last token of its page, so a mint or revoke between pages moves nothing.
    const records = this.replica.index
      .tokensOf(ownerId)
      .filter((record) => !record.revoked)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .filter((record) => !after || record.createdAt < after.createdAt || (record.createdAt === after.createdAt && record.id > after.id));
    const page = records.slice(0, limit);
    const lastUsed = await lastUsedOf(
      this.pool,
      page.map((record) => record.id),
    );
    const items = page.map((record) => ({
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
    const last = page[page.length - 1];
    const nextCursor = records.length > limit ? cursorOf(last.createdAt, last.id) : null;
    return { items, nextCursor, revision: String(this.replica.position) };
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

/** A list's page size: `?limit=` from 1 to 500, 50 by default (CONTRACT section 2). */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** `?limit=` and `?cursor=` of a token list; 400 naming the field when either is not one. */
function pageOf(query: PageQuery): { limit: number; after?: { createdAt: number; id: string } } {
  const limit = query.limit === undefined || query.limit === '' ? DEFAULT_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new TesseraError('bad_request', `limit must be an integer from 1 to ${MAX_LIMIT}`, [
      { field: 'limit', problems: [`1 to ${MAX_LIMIT}`] },
    ]);
  if (query.cursor === undefined || query.cursor === '') return { limit };
  const match = /^(\d{1,15}):([0-9a-f-]{36})$/.exec(Buffer.from(String(query.cursor), 'base64url').toString('utf8'));
  if (!match) throw new TesseraError('bad_request', 'cursor is not valid', [{ field: 'cursor', problems: ['not a cursor of this list'] }]);
  return { limit, after: { createdAt: Number(match[1]), id: match[2] } };
}

function cursorOf(createdAt: number, id: string): string {
  return Buffer.from(`${createdAt}:${id}`, 'utf8').toString('base64url');
}
