import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TesseraError, TOKEN_REVOCATION_SUBJECTS, TOKEN_KINDS, type TokenKind } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TokenIndexReplica } from '@tessera/token-index';
import { UserTokensRevoker } from './user-tokens.revoker';

/** Revokes every live token of a user on request: logout-all (sessions). Deactivation does it from the log. */
@Controller()
export class UserTokenRevocationController {
  constructor(
    private readonly replica: TokenIndexReplica,
    private readonly revoker: UserTokensRevoker,
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
    const by = { actor: body.actor, ...(typeof body.impersonatedBy === 'string' ? { impersonatedBy: body.impersonatedBy } : {}) };
    return this.revoker.revokeAll(body.userId, reason, by, kinds);
  }
}
