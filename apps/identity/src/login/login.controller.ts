import { createHash, randomBytes } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { LOGIN_SUBJECTS, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { CredentialCipher } from '../credentials/credential-cipher';
import { UpstreamCredentials } from '../credentials/upstream-credentials.service';
import { ExternalIdentities } from '../external-identities/external-identities.service';
import { TokenExchange } from '../token-exchange/token-exchange.service';
import { userBody } from '../users/users.projection';
import { UpstreamProvider, type UpstreamTokens } from '../upstream/upstream-provider.service';

/** A login must come back from the provider within this time. */
const LOGIN_STATE_TTL_SECONDS = 600;
/** CONTRACT section 4: the one-time code lives 60 s. */
const LOGIN_CODE_TTL_SECONDS = 60;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096)
    throw new TesseraError('bad_request', `${field}: must be a non-empty string`, [{ field, problems: ['must be a non-empty string'] }]);
  return value;
}

/**
 * The identity side of the login: pending logins and one-time codes live in PostgreSQL so any
 * gateway replica can finish what another began; the provider is asked who a token belongs to.
 */
@Controller()
export class LoginController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly provider: UpstreamProvider,
    private readonly identities: ExternalIdentities,
    private readonly credentials: UpstreamCredentials,
    private readonly cipher: CredentialCipher,
    private readonly exchanges: TokenExchange,
  ) {}

  @Handles(LOGIN_SUBJECTS.provider)
  providerSettings() {
    const { name, authorizationURL, tokenURL, clientID, clientSecret, scope } = this.provider.settings;
    return { name, authorizationURL, tokenURL, clientID, clientSecret, scope };
  }

  @Handles(LOGIN_SUBJECTS.saveState)
  async saveState(@Payload() body: Record<string, unknown>) {
    const stateHash = requireString(body, 'stateHash');
    await this.pool.query(
      `INSERT INTO identity.login_states (state_hash, browser_hash, verifier_sealed, redirect, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [
        stateHash,
        requireString(body, 'browserHash'),
        this.cipher.seal(requireString(body, 'verifier'), `login-state:${stateHash}`),
        requireString(body, 'redirect'),
        LOGIN_STATE_TTL_SECONDS,
      ],
    );
    return {};
  }

  /** Single use: the row is deleted as it is read, and only the browser that began the login may take it. */
  @Handles(LOGIN_SUBJECTS.takeState)
  async takeState(@Payload() body: Record<string, unknown>) {
    const stateHash = requireString(body, 'stateHash');
    const result = await this.pool.query<{ verifier_sealed: string; redirect: string }>(
      `DELETE FROM identity.login_states WHERE state_hash = $1 AND browser_hash = $2 AND expires_at > now() RETURNING verifier_sealed, redirect`,
      [stateHash, requireString(body, 'browserHash')],
    );
    const row = result.rows[0];
    if (!row) throw new TesseraError('not_found', 'no pending login with this state in this browser');
    return { verifier: this.cipher.open(row.verifier_sealed, `login-state:${stateHash}`), redirect: row.redirect };
  }

  /** After the code exchange: who the provider says this is, the user found or created, credentials sealed. */
  @Handles(LOGIN_SUBJECTS.complete)
  async complete(@Payload() body: Record<string, unknown>) {
    const tokens: UpstreamTokens = {
      accessToken: requireString(body, 'accessToken'),
      refreshToken: typeof body.refreshToken === 'string' && body.refreshToken ? body.refreshToken : undefined,
      expiresIn: Number(body.expiresIn) > 0 ? Number(body.expiresIn) : undefined,
    };
    const identity = await this.provider.identify(tokens.accessToken);
    const { user, created } = await this.identities.findOrCreate(identity);
    await this.credentials.store(user.id, tokens);
    return { userId: user.id, created };
  }

  @Handles(LOGIN_SUBJECTS.createCode)
  async createCode(@Payload() body: Record<string, unknown>) {
    const code = randomBytes(32).toString('base64url');
    await this.pool.query(
      'INSERT INTO identity.login_codes (code_hash, user_id, redirect, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))',
      [sha256(code), requireString(body, 'userId'), requireString(body, 'redirect'), LOGIN_CODE_TTL_SECONDS],
    );
    return { code };
  }

  /** Single use and bound to the redirect it was issued for; any mismatch burns the code. */
  @Handles(LOGIN_SUBJECTS.redeemCode)
  async redeemCode(@Payload() body: Record<string, unknown>) {
    const code = requireString(body, 'code');
    const redirect = requireString(body, 'redirect');
    const row = (
      await this.pool.query<{ user_id: string; redirect: string; expires_at: Date }>(
        'DELETE FROM identity.login_codes WHERE code_hash = $1 RETURNING user_id, redirect, expires_at',
        [sha256(code)],
      )
    ).rows[0];
    if (!row || row.redirect !== redirect || row.expires_at.getTime() <= Date.now())
      throw new TesseraError('bad_request', 'code: unknown, used, expired, or issued for another redirect', [
        { field: 'code', problems: ['unknown, used, expired, or issued for another redirect'] },
      ]);
    return { userId: row.user_id };
  }

  /** Token exchange: a provider access token issued to Tessera, validated with the provider, for the user it belongs to. */
  @Handles(LOGIN_SUBJECTS.exchange)
  async exchange(@Payload() body: Record<string, unknown>) {
    const { identity, expiresAt } = await this.exchanges.identify(requireString(body, 'authToken'));
    const { user } = await this.identities.findOrCreate(identity);
    return { userId: user.id, user: userBody(user), ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) };
  }
}
