import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { actorOf, SUBJECTS, TesseraError, TOKEN_ADMIN_SUBJECTS, type Introspection } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TesseraConfig } from '@tessera/config';
import { authorizeResourceAction, isRefusal, parseToken, TokenIndexReplica } from '@tessera/token-index';
import { TokenCommands } from '../tokens/token-commands';

function requireToken(body: { token?: unknown }): string {
  if (typeof body?.token !== 'string' || body.token.length === 0) {
    throw new TesseraError('bad_request', 'token: must be a string', [{ field: 'token', problems: ['must be a string'] }]);
  }
  return body.token;
}

/** RFC 7662 introspection, resource authorization and RFC 7009 revocation: a token in the body is its own proof. */
@Controller()
export class IntrospectionController {
  constructor(
    private readonly replica: TokenIndexReplica,
    private readonly tokens: TokenCommands,
    private readonly config: TesseraConfig,
  ) {}

  @Handles(SUBJECTS.tokenIntrospect)
  async introspect(@Payload() body: { token?: unknown }): Promise<Introspection> {
    const token = requireToken(body);
    const result = await this.replica.resolve(token);
    const revision = String(this.replica.position);
    if (isRefusal(result)) return { active: false, revision };
    const record = this.replica.index.tokenById(result.tokenId)!;
    return {
      active: true,
      sub: result.userId ?? 'admin',
      scope: result.scopes.join(' '),
      ...(record.expiresAt !== 0 ? { exp: Math.floor(record.expiresAt / 1000) } : {}),
      iat: Math.floor(record.createdAt / 1000),
      token_type: 'Bearer',
      kind: result.kind,
      ...(result.resource !== undefined ? { resource: result.resource, actions: result.actions } : {}),
      revision,
    };
  }

  @Handles(SUBJECTS.tokenAuthorize)
  async authorize(@Payload() body: { token?: unknown; resource?: unknown; action?: unknown }) {
    const token = requireToken(body);
    if (typeof body.resource !== 'string' || typeof body.action !== 'string')
      throw new TesseraError('bad_request', 'resource and action must be strings');
    const result = await this.replica.resolve(token);
    const revision = String(this.replica.position);
    if (isRefusal(result)) return { allowed: false, reason: result.error, revision };
    return { ...authorizeResourceAction(result, body.resource, body.action, this.config.TESSERA_PRIVILEGED_ACTIONS), revision };
  }

  /** RFC 7009: always answers; revokes when the token is known and live. */
  @Handles(TOKEN_ADMIN_SUBJECTS.revoke)
  async revoke(@Payload() body: { token?: unknown }): Promise<{ revision?: string }> {
    const token = requireToken(body);
    if (parseToken(token) === undefined) return {};
    await this.replica.resolve(token);
    const record = this.replica.index.tokenFor(token);
    if (!record || record.revoked) return {};
    // The holder revokes it; the holder of an impersonation token is the admin behind it.
    const by = {
      actor: actorOf({ userId: record.ownerId ?? undefined, tokenId: record.id }),
      ...(record.impersonatedBy ? { impersonatedBy: record.impersonatedBy } : {}),
    };
    const position = await this.tokens.revoke({ type: 'RevokeToken', data: { tokenId: record.id, reason: 'rfc7009' } }, by);
    return position === undefined ? {} : { revision: String(position) };
  }
}
