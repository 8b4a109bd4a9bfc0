import { TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import type { TesseraUnderTest } from '@tessera/testing';

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789abcdef';

/** A registered user and its session token, through the public API and the login flow's subject. */
export async function benchUser(tessera: TesseraUnderTest, name: string): Promise<{ id: string; session: string }> {
  const post = async (path: string, body: unknown, token?: string) => {
    const response = await fetch(`${tessera.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json() as Promise<Record<string, string>>;
  };
  const admin = await post('/api/v1/admin/tokens', { adminKey: BENCH_ADMIN_KEY });
  const user = await post('/api/v1/users', { name }, admin.token);
  const { token } = await requestJson<{ token: string }>(tessera.nats, TOKEN_INTERNAL_SUBJECTS.mintSession, { userId: user.id });
  return { id: user.id, session: token };
}
