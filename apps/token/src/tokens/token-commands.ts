import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TesseraError, tokenStreamId, type MintedToken, type TokenEvent, type WriteMetadata } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { EventStore, handleCommand } from '@tessera/event-store';
import { generateToken, hashToken, tokenHint, TokenIndexReplica } from '@tessera/token-index';
import { mintedKind, tokenDecider, type MintAsked, type TokenCommand, type TokenOwner } from './domain/token.decider';

/** How long a request waits for this replica's index to reach a revision (CONTRACT section 2). */
const MIN_REVISION_WAIT_MS = 2_000;

/**
 * The token app's writes: each command folds the token's stream, asks the token decider and appends
 * what it decided at the stream's version; the answer waits until this replica's index shows it, so
 * a list or revoke right after sees it (read-your-writes). The token index is the read model the
 * mint rules need beyond the token itself: the owner's standing and the permission registry.
 */
@Injectable()
export class TokenCommands {
  constructor(
    private readonly store: EventStore<TokenEvent>,
    private readonly replica: TokenIndexReplica,
    private readonly config: TesseraConfig,
  ) {}

  /** Mints a token of the kind asked, acting as `ownerId` (looked up in the index); the secret is in this answer only. */
  /** `by`: the caller's writeMetadata, or an actor name (`admin-key`, a login). */
  async mint(asked: MintAsked, ownerId: string | undefined, by: string | WriteMetadata): Promise<MintedToken> {
    const owner = ownerId === undefined ? undefined : await this.owner(ownerId);
    const token = generateToken(mintedKind(asked, owner));
    const secret = { tokenId: randomUUID(), tokenHash: hashToken(token), hint: tokenHint(token) };
    const index = this.replica.index;
    const command: TokenCommand = {
      type: 'MintToken',
      data: {
        asked,
        secret,
        owner,
        isPermission: (name) => index.isPermission(name),
        limits: {
          maxDays: this.config.TESSERA_TOKEN_MAX_DAYS,
          sessionSeconds: this.config.TESSERA_SESSION_TTL,
          adminSeconds: this.config.TESSERA_ADMIN_TOKEN_TTL,
        },
        now: Date.now(),
      },
    };
    const { events, position } = await this.run(secret.tokenId, command, by);
    const { data } = events[0] as Extract<TokenEvent, { type: 'TokenMinted' }>;
    return {
      id: data.tokenId,
      token,
      name: data.name,
      scopes: data.scopes,
      kind: data.kind,
      hint: data.hint,
      createdAt: data.createdAt,
      expiresAt: data.expiresAt,
      ...(data.resource !== undefined ? { resource: data.resource, actions: data.actions } : {}),
      revision: String(position),
    };
  }

  /** Revokes a token; undefined when it was revoked already (nothing is written). */
  async revoke(command: Exclude<TokenCommand, { type: 'MintToken' }>, by: string | WriteMetadata): Promise<number | undefined> {
    return (await this.run(command.data.tokenId, command, by)).position;
  }

  /** The owner record, reading the log once if this replica has not seen it yet. */
  async owner(id: string): Promise<TokenOwner | undefined> {
    let owner = this.replica.index.owner(id);
    if (!owner) {
      await this.replica.catchUp();
      owner = this.replica.index.owner(id);
    }
    return owner;
  }

  /** Answers only once this replica's index reflects `minRevision`; 503 `stale` after the bounded wait. */
  async atLeast(minRevision: unknown): Promise<void> {
    if (minRevision === undefined || minRevision === null) return;
    const wanted = Number(minRevision);
    if (!Number.isSafeInteger(wanted)) return;
    if (!(await this.replica.waitFor(wanted, MIN_REVISION_WAIT_MS))) {
      throw new TesseraError(
        'stale',
        `the token index reflects revision ${this.replica.position}, not yet ${wanted}`,
        undefined,
        undefined,
        1,
      );
    }
  }

  private async run(tokenId: string, command: TokenCommand, by: string | WriteMetadata) {
    const metadata = typeof by === 'string' ? { actor: by } : { ...by };
    const handled = await handleCommand(this.store, tokenStreamId(tokenId), tokenDecider, command, { metadata });
    if (handled.position !== undefined) await this.replica.waitFor(handled.position, MIN_REVISION_WAIT_MS);
    return handled;
  }
}
