import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  personalTokensStreamId,
  TesseraError,
  tokenStreamId,
  type MintedToken,
  type TokenEvent,
  type WriteMetadata,
} from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { ConcurrencyError, EventStore, foldState, handleCommand, readStream } from '@tessera/event-store';
import { generateToken, hashToken, tokenHint, TokenIndexReplica } from '@tessera/token-index';
import { personalTokensDecider } from '../personal-tokens/domain/personal-tokens.decider';
import { mintedKind, tokenDecider, type MintAsked, type TokenCommand, type TokenOwner } from './domain/token.decider';

/** How long a request waits for this replica's index to reach a revision (CONTRACT section 2). */
const MIN_REVISION_WAIT_MS = 2_000;
/** Tries of one personal mint against the owner's mints on other replicas at the same moment; each retry waits a little longer. */
const MINT_ATTEMPTS = 20;
const MINT_RETRY_JITTER_MS = 5;

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

  /** One personal mint at a time per owner in this replica: they would only race each other for the owner's stream. */
  private readonly personalMints = new Map<string, Promise<unknown>>();

  /** Mints a token of the kind asked, acting as `ownerId` (looked up in the index); the secret is in this answer only. */
  /** `by`: the caller's writeMetadata, or an actor name (`admin-key`, a login). */
  async mint(asked: MintAsked, ownerId: string | undefined, by: string | WriteMetadata): Promise<MintedToken> {
    const owner = ownerId === undefined ? undefined : await this.owner(ownerId);
    const kind = mintedKind(asked, owner);
    const token = generateToken(kind);
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
    const { events, position } =
      kind === 'personal' && owner ? await this.mintPersonal(owner.id, command, by) : await this.run(secret.tokenId, command, by);
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

  /**
   * A personal token is minted together with its place among its owner's personal tokens, at the
   * version of the owner's stream the quota was decided on: two replicas minting the owner's 100th
   * token at once cannot both succeed (the loser decides again on the new version).
   */
  private mintPersonal(ownerId: string, command: Extract<TokenCommand, { type: 'MintToken' }>, by: string | WriteMetadata) {
    const previous = this.personalMints.get(ownerId) ?? Promise.resolve();
    const mint = previous.catch(() => undefined).then(() => this.mintPersonalNow(ownerId, command, by));
    this.personalMints.set(ownerId, mint);
    void mint
      .catch(() => undefined)
      .then(() => {
        if (this.personalMints.get(ownerId) === mint) this.personalMints.delete(ownerId);
      });
    return mint;
  }

  private async mintPersonalNow(ownerId: string, command: Extract<TokenCommand, { type: 'MintToken' }>, by: string | WriteMetadata) {
    const tokenId = command.data.secret.tokenId;
    const minted = tokenDecider.decide(command, tokenDecider.initialState());
    if (minted instanceof TesseraError) throw minted;
    const streamId = personalTokensStreamId(ownerId);
    for (let attempt = 1; ; attempt++) {
      const history = await readStream<TokenEvent>(this.store.pool, streamId);
      const index = this.replica.index;
      const now = Date.now();
      const ended = (id: string) => {
        const record = index.tokenById(id);
        return record !== undefined && (record.revoked || (record.expiresAt !== 0 && record.expiresAt <= now));
      };
      const heldBefore = index
        .tokensOf(ownerId)
        .filter((record) => record.kind === 'personal' && !ended(record.id))
        .map((record) => record.id);
      const added = personalTokensDecider.decide(
        { type: 'AddPersonalToken', data: { ownerId, tokenId, ended, heldBefore } },
        foldState(personalTokensDecider, history),
      );
      if (added instanceof TesseraError) throw added;
      try {
        const result = await this.store.append(
          [
            { streamId: tokenStreamId(tokenId), expectedVersion: 'no_stream', events: minted },
            { streamId, expectedVersion: history.length === 0 ? 'no_stream' : history[history.length - 1].streamVersion, events: added },
          ],
          { metadata: typeof by === 'string' ? { actor: by } : { ...by } },
        );
        await this.replica.waitFor(result.position, MIN_REVISION_WAIT_MS);
        return result;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MINT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * MINT_RETRY_JITTER_MS * attempt));
      }
    }
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
