import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { TesseraError } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { startDevIdentityProvider, type DevIdentityProvider } from './dev-identity-provider';
import { DEV_CLIENT, providerName, realProviderSettings, type ProviderSettings } from './provider-settings';

/** Who the provider says a token belongs to. */
export interface UpstreamIdentity {
  issuer: string;
  subject: string;
  name: string;
  email: string | null;
  /** The provider vouches for the e-mail (OIDC `email_verified: true`); only then may it find a user. */
  emailVerified: boolean;
}

export interface UpstreamTokens {
  accessToken: string;
  refreshToken?: string;
  /** Seconds, as the token endpoint answered `expires_in`. */
  expiresIn?: number;
}

const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * What an OAuth2 access token can be: visible ASCII without spaces (RFC 6750's b64token and every
 * provider's opaque or JWT tokens fit). Anything else, a CR/LF or a control character above all, is
 * refused before it goes into an HTTP header or a log line.
 */
const ACCESS_TOKEN = /^[\x21-\x7e]+$/;

/** The upstream identity provider: its settings, the dev provider's lifetime, and the calls Tessera makes to it. */
@Injectable()
export class UpstreamProvider implements OnModuleInit, OnApplicationShutdown {
  private current?: ProviderSettings;
  private dev?: DevIdentityProvider;

  constructor(private readonly config: TesseraConfig) {}

  async onModuleInit(): Promise<void> {
    const name = providerName(this.config);
    if (name !== 'dev') {
      this.current = realProviderSettings(name, this.config);
      return;
    }
    if (this.config.NODE_ENV === 'production')
      throw new Error('OAUTH2_PROVIDER: the development identity provider is refused under NODE_ENV=production; configure a real one');
    this.dev = await startDevIdentityProvider({
      port: this.config.OAUTH2_DEV_PORT,
      tokenTtlSeconds: this.config.OAUTH2_DEV_TOKEN_TTL,
    });
    this.current = {
      name: 'dev',
      issuer: this.config.OAUTH2_ISSUER ?? DEV_CLIENT.issuer,
      authorizationURL: `${this.dev.url}/authorize`,
      tokenURL: `${this.dev.url}/token`,
      userinfoURL: `${this.dev.url}/userinfo`,
      clientID: DEV_CLIENT.clientID,
      clientSecret: DEV_CLIENT.clientSecret,
      scope: this.config.OAUTH2_SCOPE ?? 'openid email profile',
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dev?.stop().catch(() => undefined);
  }

  get settings(): ProviderSettings {
    if (!this.current) throw new TesseraError('unavailable', 'the identity provider is not configured yet');
    return this.current;
  }

  /** Validates a provider access token with the provider: RFC 7662 introspection when configured, else userinfo. */
  async identify(accessToken: string): Promise<UpstreamIdentity> {
    return this.identityOf(await this.claimsOf(accessToken));
  }

  /**
   * What the provider says about a token: its RFC 7662 introspection answer when configured (active
   * and unexpired), else its userinfo. A token that is not visible ASCII never reaches the provider.
   */
  async claimsOf(accessToken: string): Promise<Record<string, unknown>> {
    if (!ACCESS_TOKEN.test(accessToken))
      throw new TesseraError('invalid_token', 'this is not an access token the provider could have issued');
    const settings = this.settings;
    if (settings.introspectionURL) {
      const answer = await this.call(settings.introspectionURL, {
        method: 'POST',
        headers: { ...this.clientAuthorization(), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token: accessToken, token_type_hint: 'access_token' }).toString(),
      });
      if (answer.active !== true || (typeof answer.exp === 'number' && answer.exp * 1000 <= Date.now()))
        throw new TesseraError('invalid_token', 'the identity provider does not accept this token');
      return answer;
    }
    return this.call(settings.userinfoURL!, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', 'user-agent': 'tessera' },
    });
  }

  /** Trades a refresh token for fresh tokens at the token endpoint the credential came from. */
  async refresh(refreshToken: string, tokenURL: string): Promise<UpstreamTokens> {
    const answer = await this.call(tokenURL, {
      method: 'POST',
      headers: { ...this.clientAuthorization(), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
    if (typeof answer.access_token !== 'string') throw new TesseraError('unavailable', 'the identity provider answered no access token');
    return {
      accessToken: answer.access_token,
      refreshToken: typeof answer.refresh_token === 'string' ? answer.refresh_token : undefined,
      expiresIn: typeof answer.expires_in === 'number' ? answer.expires_in : Number(answer.expires_in) || undefined,
    };
  }

  clientAuthorization(): Record<string, string> {
    const { clientID, clientSecret } = this.settings;
    const basic = Buffer.from(`${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }

  /** A 4xx is the token's fault (401 invalid_token); no answer or a 5xx is the provider's (503). */
  async call(url: string, init: RequestInit): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    } catch (error) {
      // The cause's code only: a message may quote the request, and the request carries a caller's token.
      const cause = (error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).name;
      new Logger('upstream').warn(`identity provider unreachable (${String(cause)})`);
      throw new TesseraError('unavailable', 'the identity provider is unreachable', undefined, undefined, 5);
    }
    if (response.status >= 500)
      throw new TesseraError('unavailable', `the identity provider answered ${response.status}`, undefined, undefined, 5);
    if (response.status >= 400) throw new TesseraError('invalid_token', 'the identity provider does not accept this token');
    try {
      return (await response.json()) as Record<string, unknown>;
    } catch {
      throw new TesseraError('unavailable', 'the identity provider answered something that is not JSON', undefined, undefined, 5);
    }
  }

  /** OIDC `sub`, or GitHub's numeric `id`; the display name from whatever the provider offers. */
  identityOf(claims: Record<string, unknown>): UpstreamIdentity {
    const subject = claims.sub ?? claims.id;
    if (subject === undefined || subject === null || subject === '')
      throw new TesseraError('invalid_token', 'the identity provider named no subject for this token');
    const email = typeof claims.email === 'string' ? claims.email : null;
    const name = [claims.name, claims.preferred_username, claims.login, claims.username, email].find(
      (value): value is string => typeof value === 'string' && value.length > 0,
    );
    const emailVerified = email !== null && claims.email_verified === true;
    return { issuer: this.settings.issuer, subject: String(subject), name: name ?? String(subject), email, emailVerified };
  }
}
