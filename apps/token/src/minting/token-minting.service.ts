import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TOKEN_EVENTS, tokenStreamId, type MintedToken, type TokenEvent, type TokenKind, type TokenMinted } from '@tessera/contracts';
import { EventStore } from '@tessera/event-store';
import { generateToken, hashToken, tokenHint, TokenIndexReplica } from '@tessera/token-index';

export interface MintRequest {
  kind: TokenKind;
  ownerId: string | null;
  name: string;
  scopes: string[];
  /** When it is minted (ms): the moment its expiry was computed from, so the lifetime is exact. */
  createdAt?: number;
  expiresAt: Date | null;
  impersonatedBy?: string | null;
  resource?: string;
  actions?: string[];
}

/** Mints every kind of token: one TokenMinted event holding the hash, the secret returned once. */
@Injectable()
export class TokenMinting {
  constructor(
    private readonly store: EventStore<TokenEvent>,
    private readonly replica: TokenIndexReplica,
  ) {}

  async mint(request: MintRequest, actor: string): Promise<MintedToken> {
    const token = generateToken(request.kind);
    const id = randomUUID();
    const data: TokenMinted['data'] = {
      tokenId: id,
      tokenHash: hashToken(token),
      kind: request.kind,
      ownerId: request.ownerId,
      name: request.name,
      scopes: request.scopes,
      hint: tokenHint(token),
      createdAt: new Date(request.createdAt ?? Date.now()).toISOString(),
      expiresAt: request.expiresAt?.toISOString() ?? null,
      ...(request.impersonatedBy ? { impersonatedBy: request.impersonatedBy } : {}),
      ...(request.resource !== undefined ? { resource: request.resource, actions: request.actions ?? [] } : {}),
    };
    const { position } = await this.store.append(
      { streamId: tokenStreamId(id), expectedVersion: 'no_stream', events: [{ type: TOKEN_EVENTS.tokenMinted, data }] },
      { metadata: { actor } },
    );
    // Read-your-writes on this replica: a list or revoke right after sees the token.
    await this.replica.waitFor(position, 2_000);
    return {
      id,
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

  async revoke(tokenId: string, reason: string, actor: string): Promise<string> {
    const { position } = await this.store.append(
      {
        streamId: tokenStreamId(tokenId),
        expectedVersion: 'any',
        events: [{ type: TOKEN_EVENTS.tokenRevoked, data: { tokenId, reason } }],
      },
      { metadata: { actor } },
    );
    await this.replica.waitFor(position, 2_000);
    return String(position);
  }
}
