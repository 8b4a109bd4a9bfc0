import type { NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { IDENTITY_EVENTS, TOKEN_EVENTS, type TokenKind } from '@tessera/contracts';
import { EventStore } from '@tessera/event-store';
import { generateToken, hashToken, tokenHint } from '@tessera/token-index';

export interface TestUser {
  id: string;
  token: string;
}

/**
 * Users, service accounts and tokens for the policy tests, written as the identity and token apps
 * write them (the same events), so these tests exercise the policy rules and nothing else.
 */
export class PolicyFixtures {
  private readonly identity: EventStore;
  private readonly tokens: EventStore;

  constructor(pool: Pool, nats: NatsConnection) {
    this.identity = new EventStore(pool, 'identity', nats);
    this.tokens = new EventStore(pool, 'token', nats);
  }

  async user(options: { name?: string; admin?: boolean; readOnly?: boolean; scopes?: string[] } = {}): Promise<TestUser> {
    const id = randomUUID();
    await this.identity.append({
      streamId: `user-${id}`,
      events: [
        {
          type: IDENTITY_EVENTS.userRegistered,
          data: {
            userId: id,
            name: options.name ?? `user ${id.slice(0, 8)}`,
            email: null,
            admin: options.admin ?? false,
            readOnly: options.readOnly ?? false,
            issuer: null,
            subject: null,
          },
        },
      ],
    });
    return { id, token: await this.token(id, options.scopes ?? ['*', 'admin', 'tokens']) };
  }

  async serviceAccount(scopes: string[]): Promise<TestUser> {
    const id = randomUUID();
    await this.identity.append({
      streamId: `user-${id}`,
      events: [{ type: IDENTITY_EVENTS.serviceAccountCreated, data: { userId: id, name: `service ${id.slice(0, 8)}`, scopes } }],
    });
    return { id, token: await this.token(id, scopes, 'service') };
  }

  async token(ownerId: string | null, scopes: string[], kind: TokenKind = 'personal'): Promise<string> {
    const token = generateToken(kind);
    const tokenId = randomUUID();
    await this.tokens.append({
      streamId: `token-${tokenId}`,
      events: [
        {
          type: TOKEN_EVENTS.tokenMinted,
          data: {
            tokenId,
            tokenHash: hashToken(token),
            kind,
            ownerId,
            name: 'test',
            scopes,
            hint: tokenHint(token),
            createdAt: new Date().toISOString(),
            expiresAt: null,
          },
        },
      ],
    });
    return token;
  }
}
