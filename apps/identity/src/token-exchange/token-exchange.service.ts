import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TesseraError } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { UpstreamProvider, type UpstreamIdentity } from '../upstream/upstream-provider.service';

/** A refused provider token is refused again without asking the provider, for this long. */
const REFUSAL_TTL_MS = 60_000;
/** Refusals remembered at most (the oldest go first): a flood of distinct tokens cannot grow memory. */
const MAX_REFUSALS = 10_000;
const GOOGLE_TOKEN_INFO = 'https://oauth2.googleapis.com/tokeninfo';
const GITHUB_API = 'https://api.github.com';

export interface ExchangedIdentity {
  identity: UpstreamIdentity;
  /** When the provider token expires, where the provider says: the Tessera token must not outlive it. */
  expiresAt?: Date;
}

const invalid = (message: string) => new TesseraError('invalid_token', message);
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');

/**
 * `POST /api/v1/tokens/exchange`: a provider token becomes a Tessera session only if the provider
 * says it was issued to Tessera's client (or to an audience in OAUTH2_EXCHANGE_AUDIENCES). Without
 * that check, any site where the user signed in with the same provider could turn the token it
 * holds into the user's Tessera session.
 */
@Injectable()
export class TokenExchange {
  private readonly refused = new Map<string, number>();
  private readonly audiences: Set<string>;

  constructor(
    private readonly provider: UpstreamProvider,
    config: TesseraConfig,
  ) {
    this.audiences = new Set(config.OAUTH2_EXCHANGE_AUDIENCES);
  }

  async identify(accessToken: string): Promise<ExchangedIdentity> {
    const key = createHash('sha256').update(accessToken).digest('base64');
    const until = this.refused.get(key);
    if (until !== undefined && until > Date.now()) throw invalid('the identity provider does not accept this token');
    try {
      return await this.checked(accessToken);
    } catch (error) {
      if (error instanceof TesseraError && error.code === 'invalid_token') this.remember(key);
      throw error;
    }
  }

  private async checked(accessToken: string): Promise<ExchangedIdentity> {
    const { name, clientID } = this.provider.settings;
    const allowed = new Set([clientID, ...this.audiences]);
    let claims: Record<string, unknown>;
    let audiences: string[];
    if (name === 'github' && !this.provider.settings.introspectionURL) {
      // GitHub tells an app whether a token is its own (and only its own) through the applications API.
      const answer = await this.provider.call(`${GITHUB_API}/applications/${encodeURIComponent(clientID)}/token`, {
        method: 'POST',
        headers: {
          ...this.provider.clientAuthorization(),
          accept: 'application/vnd.github+json',
          'content-type': 'application/json',
          'user-agent': 'tessera',
        },
        body: JSON.stringify({ access_token: accessToken }),
      });
      claims = (answer.user ?? {}) as Record<string, unknown>;
      audiences = [clientID];
    } else if (name === 'google' && !this.provider.settings.introspectionURL) {
      const info = await this.provider.call(`${GOOGLE_TOKEN_INFO}?access_token=${encodeURIComponent(accessToken)}`, {
        headers: { accept: 'application/json' },
      });
      claims = { ...(await this.provider.claimsOf(accessToken)), exp: Number(info.exp) || undefined };
      audiences = [...list(info.aud), ...list(info.azp)];
    } else {
      // RFC 7662 introspection (`client_id`, `aud`), or a userinfo answer that names its audience.
      claims = await this.provider.claimsOf(accessToken);
      audiences = [...list(claims.client_id), ...list(claims.aud), ...list(claims.azp)];
      if (audiences.length === 0)
        throw invalid('the identity provider does not say whom this token was issued to (configure OAUTH2_INTROSPECTION_URL)');
    }
    if (!audiences.some((audience) => allowed.has(audience))) throw invalid('this token was issued to another client');
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    return { identity: this.provider.identityOf(claims), ...(exp ? { expiresAt: new Date(exp * 1000) } : {}) };
  }

  private remember(key: string): void {
    if (this.refused.size >= MAX_REFUSALS) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(key, Date.now() + REFUSAL_TTL_MS);
  }
}
