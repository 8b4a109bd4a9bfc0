import { Injectable, Logger } from '@nestjs/common';
import type { TokenKind, WriteMetadata } from '@tessera/contracts';
import { ConcurrencyError } from '@tessera/event-store';
import { TokenIndexReplica } from '@tessera/token-index';
import { TokenCommands } from '../tokens/token-commands';

/** Revokes every live token of a user, each as a `TokenRevoked` event: logout-all (sessions) and deactivation (all kinds). */
@Injectable()
export class UserTokensRevoker {
  private readonly log = new Logger('UserTokensRevoker');

  constructor(
    private readonly replica: TokenIndexReplica,
    private readonly tokens: TokenCommands,
  ) {}

  /** The live tokens of `userId` (of `kinds`, if given) revoked with `reason`; answers the revision of the last one. */
  async revokeAll(
    userId: string,
    reason: string,
    by: WriteMetadata,
    kinds?: readonly TokenKind[],
  ): Promise<{ revoked: number; revision: string }> {
    const now = Date.now();
    const live = this.replica.index
      .tokensOf(userId)
      .filter((record) => !record.revoked && (record.expiresAt === 0 || record.expiresAt > now) && (!kinds || kinds.includes(record.kind)));
    let revision = String(this.replica.position);
    let revoked = 0;
    for (const record of live) {
      try {
        const position = await this.tokens.revoke({ type: 'RevokeToken', data: { tokenId: record.id, reason } }, by);
        if (position !== undefined) {
          revision = String(position);
          revoked += 1;
        }
      } catch (error) {
        // Another replica revoked it at the same moment: it is revoked, which is all this asks.
        if (!(error instanceof ConcurrencyError)) throw error;
        this.log.debug(`token ${record.id} was revoked by another replica`);
      }
    }
    return { revoked, revision };
  }
}
