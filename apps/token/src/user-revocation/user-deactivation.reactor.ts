import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { TesseraEvent, WriteMetadata } from '@tessera/contracts';
import { readAll, type EventPayload } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import { TokenIndexReplica } from '@tessera/token-index';
import { UserTokensRevoker } from './user-tokens.revoker';

/**
 * When the log says a user was deactivated (`UserDeactivated`, written by the identity app), the
 * token app revokes every live token of theirs, each revocation in the log with the deactivating
 * admin as its actor. Tokens are refused from the deactivation on (the index knows the owner is
 * inactive); the revocations are the record. Every replica reacts; the token streams' expected
 * versions let one revocation of each token win. A deactivation read again at a restart finds
 * nothing left to revoke.
 */
@Injectable()
export class UserDeactivationReactor {
  private readonly log = new Logger('UserDeactivationReactor');
  /** Deactivations are handled one at a time, in log order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly replica: TokenIndexReplica,
    private readonly revoker: UserTokensRevoker,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    // Registered before the replica starts (at bootstrap), so no event of its catch-up is missed.
    replica.onApplied((events) => this.read(events));
  }

  private read(events: readonly EventPayload<TesseraEvent>[]): void {
    for (const event of events) {
      if (event.type !== 'UserDeactivated') continue;
      const { userId } = event.data;
      const { position } = event;
      this.queue = this.queue
        .then(() => this.revokeTokensOf(userId, position))
        .catch((error: Error) => this.log.warn(`revoking the tokens of deactivated user ${userId} failed: ${error.message}`));
    }
  }

  private async revokeTokensOf(userId: string, position: number): Promise<void> {
    const now = Date.now();
    const anyLive = this.replica.index
      .tokensOf(userId)
      .some((record) => !record.revoked && (record.expiresAt === 0 || record.expiresAt > now));
    if (!anyLive) return;
    const [deactivation] = await readAll<TesseraEvent>(this.pool, { after: position - 1, to: position, limit: 1 });
    const by: WriteMetadata = {
      actor: deactivation?.metadata.actor ?? 'system',
      ...(deactivation?.metadata.impersonatedBy ? { impersonatedBy: deactivation.metadata.impersonatedBy } : {}),
    };
    const { revoked } = await this.revoker.revokeAll(userId, 'deactivated', by);
    if (revoked > 0) this.log.log(`revoked ${revoked} tokens of deactivated user ${userId}`);
  }
}
