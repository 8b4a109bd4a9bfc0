import type { Pool, PoolClient } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';

export interface TrustedAppRow {
  id: string;
  url: string;
  created_at: Date;
}

/** Inline projection: the unique URL is enforced in the same transaction as the event. */
export async function projectTrustedApps(client: PoolClient, events: RecordedEvent<TesseraEvent>[], schema = 'identity'): Promise<void> {
  for (const event of events) {
    if (event.type === 'TrustedAppRegistered') {
      const data = event.data;
      await client.query(`INSERT INTO ${schema}.trusted_apps (id, url, created_at) VALUES ($1, $2, $3)`, [
        data.appId,
        data.url,
        event.recordedAt,
      ]);
    } else if (event.type === 'TrustedAppRemoved') {
      await client.query(`DELETE FROM ${schema}.trusted_apps WHERE id = $1`, [event.data.appId]);
    }
  }
}

export async function trustedAppUrls(pool: Pool): Promise<string[]> {
  return (await pool.query<{ url: string }>('SELECT url FROM identity.trusted_apps')).rows.map((row) => row.url);
}

/**
 * A redirect is trusted when it starts with a registered URL at a path boundary: with `https://a.org/app`
 * registered, `https://a.org/app/x` is trusted and `https://a.org/apple` or `https://a.org.evil` are not.
 */
export function isTrustedRedirect(redirect: string, appUrls: string[]): boolean {
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  return appUrls.some((url) => {
    const app = new URL(url);
    if (app.origin !== target.origin) return false;
    const base = app.pathname.endsWith('/') ? app.pathname : `${app.pathname}/`;
    return target.pathname === app.pathname || target.pathname.startsWith(base) || app.pathname === '/';
  });
}

/** postMessage targets: exactly the origin of a registered app. */
export function isTrustedOrigin(origin: string, appUrls: string[]): boolean {
  return appUrls.some((url) => new URL(url).origin === origin);
}
