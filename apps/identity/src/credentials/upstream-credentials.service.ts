import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { TesseraError } from '@tessera/contracts';
import { PG_POOL } from '@tessera/platform';
import { UpstreamProvider, type UpstreamTokens } from '../upstream/upstream-provider.service';
import { CredentialCipher } from './credential-cipher';

interface CredentialRow {
  user_id: string;
  provider: string;
  issuer: string;
  token_url: string;
  access_token_sealed: string;
  refresh_token_sealed: string | null;
  expires_at: Date | null;
  updated_at: Date;
}

/** Refresh when the access token expires within this window (CONTRACT section 6). */
const REFRESH_WINDOW_MS = 60_000;

/**
 * The user's upstream access and refresh tokens, sealed with AES-256-GCM in the identity app's own
 * table: never in an event, a log line or an answer other than `tessera.v1.identity.credentials`.
 */
@Injectable()
export class UpstreamCredentials {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly cipher: CredentialCipher,
    private readonly provider: UpstreamProvider,
  ) {}

  async store(userId: string, tokens: UpstreamTokens): Promise<void> {
    const settings = this.provider.settings;
    const context = (field: string) => `${userId}:${settings.name}:${field}`;
    await this.pool.query(
      `INSERT INTO identity.upstream_credentials (user_id, provider, issuer, token_url, access_token_sealed, refresh_token_sealed, expires_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (user_id, provider) DO UPDATE SET issuer = $3, token_url = $4, access_token_sealed = $5,
         refresh_token_sealed = coalesce($6, identity.upstream_credentials.refresh_token_sealed), expires_at = $7, updated_at = now()`,
      [
        userId,
        settings.name,
        settings.issuer,
        settings.tokenURL,
        this.cipher.seal(tokens.accessToken, context('access')),
        tokens.refreshToken ? this.cipher.seal(tokens.refreshToken, context('refresh')) : null,
        tokens.expiresIn ? new Date(Date.now() + tokens.expiresIn * 1000) : null,
      ],
    );
  }

  /** What `GET /api/v1/me/credentials` shows: providers and expiry, never a secret. */
  async listOf(userId: string) {
    const rows = (
      await this.pool.query<CredentialRow>('SELECT * FROM identity.upstream_credentials WHERE user_id = $1 ORDER BY provider', [userId])
    ).rows;
    return rows.map((row) => ({
      provider: row.provider,
      issuer: row.issuer,
      expiresAt: row.expires_at?.toISOString() ?? null,
      refreshable: row.refresh_token_sealed !== null,
      updatedAt: row.updated_at.toISOString(),
    }));
  }

  /** A usable access token: refreshed through the provider's token endpoint when it expires within 60 s. */
  async freshAccessToken(userId: string, provider: string): Promise<{ accessToken: string; expiresAt: string | null }> {
    const row = (
      await this.pool.query<CredentialRow>('SELECT * FROM identity.upstream_credentials WHERE user_id = $1 AND provider = $2', [
        userId,
        provider,
      ])
    ).rows[0];
    if (!row) throw new TesseraError('not_found', `no ${provider} credentials for this user`);
    const context = (field: string) => `${row.user_id}:${row.provider}:${field}`;
    const expiring = row.expires_at !== null && row.expires_at.getTime() - Date.now() < REFRESH_WINDOW_MS;
    if (!expiring)
      return {
        accessToken: this.cipher.open(row.access_token_sealed, context('access')),
        expiresAt: row.expires_at?.toISOString() ?? null,
      };
    if (!row.refresh_token_sealed)
      throw new TesseraError('not_found', `the ${provider} credentials expired and cannot be refreshed; the user must log in again`);
    const tokens = await this.provider.refresh(this.cipher.open(row.refresh_token_sealed, context('refresh')), row.token_url);
    await this.store(userId, tokens);
    const expiresAt = tokens.expiresIn ? new Date(Date.now() + tokens.expiresIn * 1000).toISOString() : null;
    return { accessToken: tokens.accessToken, expiresAt };
  }
}
