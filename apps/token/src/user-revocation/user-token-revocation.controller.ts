import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TesseraError, TOKEN_REVOCATION_SUBJECTS, TOKEN_KINDS, type TokenKind } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TokenIndexReplica } from '@tessera/token-index';
import { TokenCommands } from '../tokens/token-commands';

/** Revokes every live token of a user, as `TokenRevoked` events: logout-all (sessions) and deactivation (all kinds). */
@Controller()
export class UserTokenRevocationController {
  constructor(
    private readonly replica: TokenIndexReplica,
    private readonly tokens: TokenCommands,
  ) {}

  @Handles(TOKEN_REVOCATION_SUBJECTS.revokeAllOfUser)
  async revokeAll(
    @Payload()
    body: {
      userId?: unknown;
      kinds?: unknown;
      reason?: unknown;
      actor?: unknown;
      impersonatedBy?: unknown;
      minRevision?: unknown;
    },
  ) {
    if (typeof body.userId !== 'string' || typeof body.actor !== 'string')
      throw new TesseraError('bad_request', 'the request needs "userId" and "actor"');
    const kinds = Array.isArray(body.kinds)
      ? (body.kinds.filter((kind) => (TOKEN_KINDS as readonly unknown[]).includes(kind)) as TokenKind[])
      : undefined;
    const reason = typeof body.reason === 'string' ? body.reason : 'owner';
    if (typeof body.minRevision === 'number') await this.replica.waitFor(body.minRevision, 2_000);
    const now = Date.now();
    const live = this.replica.index
      .tokensOf(body.userId)
      .filter((record) => !record.revoked && (record.expiresAt === 0 || record.expiresAt > now) && (!kinds || kinds.includes(record.kind)));
    let revision = String(this.replica.position);
    const by = { actor: body.actor, ...(typeof body.impersonatedBy === 'string' ? { impersonatedBy: body.impersonatedBy } : {}) };
    for (const record of live) {
      const position = await this.tokens.revoke({ type: 'RevokeToken', data: { tokenId: record.id, reason } }, by);
      if (position !== undefined) revision = String(position);
    }
    return { revoked: live.length, revision };
  }
}
