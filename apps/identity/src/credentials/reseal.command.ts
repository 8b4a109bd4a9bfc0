import { Pool } from 'pg';
import { readConfigOrExit } from '@tessera/platform';
import { CredentialCipher } from './credential-cipher';

/**
 * `npm run reseal`: seals every stored upstream credential and pending login again under
 * TESSERA_ENCRYPTION_KEY, opening them with it or TESSERA_PREVIOUS_ENCRYPTION_KEYS. Rotate by
 * giving the identity replicas the new key (the old one as previous), running this, then dropping
 * the old key. A row another replica rewrote meanwhile is left alone: it is under the new key.
 */
async function reseal(): Promise<void> {
  const config = readConfigOrExit();
  const cipher = new CredentialCipher(config);
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 2 });
  let credentials = 0;
  let logins = 0;
  try {
    const rows = await pool.query<{ user_id: string; provider: string; access_token_sealed: string; refresh_token_sealed: string | null }>(
      'SELECT user_id, provider, access_token_sealed, refresh_token_sealed FROM identity.upstream_credentials',
    );
    for (const row of rows.rows) {
      if (!cipher.needsReseal(row.access_token_sealed) && !(row.refresh_token_sealed && cipher.needsReseal(row.refresh_token_sealed)))
        continue;
      const context = (field: string) => `${row.user_id}:${row.provider}:${field}`;
      const updated = await pool.query(
        `UPDATE identity.upstream_credentials SET access_token_sealed = $3, refresh_token_sealed = $4
          WHERE user_id = $1 AND provider = $2 AND access_token_sealed = $5 AND refresh_token_sealed IS NOT DISTINCT FROM $6`,
        [
          row.user_id,
          row.provider,
          cipher.reseal(row.access_token_sealed, context('access')),
          row.refresh_token_sealed === null ? null : cipher.reseal(row.refresh_token_sealed, context('refresh')),
          row.access_token_sealed,
          row.refresh_token_sealed,
        ],
      );
      credentials += updated.rowCount ?? 0;
    }
    const states = await pool.query<{ state_hash: string; verifier_sealed: string }>(
      'SELECT state_hash, verifier_sealed FROM identity.login_states WHERE expires_at > now()',
    );
    for (const row of states.rows) {
      if (!cipher.needsReseal(row.verifier_sealed)) continue;
      const updated = await pool.query(
        'UPDATE identity.login_states SET verifier_sealed = $2 WHERE state_hash = $1 AND verifier_sealed = $3',
        [row.state_hash, cipher.reseal(row.verifier_sealed, `login-state:${row.state_hash}`), row.verifier_sealed],
      );
      logins += updated.rowCount ?? 0;
    }
    console.log(`resealed ${credentials} credentials and ${logins} pending logins under the current key`);
  } finally {
    await pool.end();
  }
}

reseal().catch((error: Error) => {
  console.error(`reseal failed: ${error.message}`);
  process.exit(1);
});
