import type { NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS } from '@tessera/contracts';
import { json, type Json, type TesseraUnderTest } from '@tessera/testing';
import { PolicyFixtures, type TestUser } from './policy-fixtures';

/** What the fault tests decide about: an admin, a user granted `view` on a dataset, one who is not. */
export interface World {
  admin: TestUser;
  alice: TestUser;
  bob: TestUser;
  dataset: string;
}

export async function api(base: string, token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
}

/** Users written as the identity and token apps write them; the group, dataset and grant through the API. */
export async function buildWorld(tessera: TesseraUnderTest): Promise<World> {
  const fixtures = new PolicyFixtures(tessera.db.pool, tessera.nats);
  const admin = await fixtures.user({ name: 'Ada Admin', admin: true });
  const alice = await fixtures.user({ name: 'Alice' });
  const bob = await fixtures.user({ name: 'Bob' });
  const group: Json = await json(await api(tessera.baseUrl, admin.token, 'POST', '/api/v1/groups', { name: 'lab' }));
  const dataset: Json = await json(await api(tessera.baseUrl, admin.token, 'POST', '/api/v1/datasets', { name: 'minnie' }));
  const joined = await api(tessera.baseUrl, admin.token, 'PUT', `/api/v1/groups/${group.id}/members/${alice.id}`, { admin: false });
  const granted = await api(tessera.baseUrl, admin.token, 'PUT', `/api/v1/datasets/${dataset.id}/grants/${group.id}/view`, {});
  if (joined.status !== 200 || granted.status !== 200) throw new Error(`world not built: ${joined.status} ${granted.status}`);
  return { admin, alice, bob, dataset: 'minnie' };
}

/** `tessera.v1.policy.check` over NATS with the caller's own token: the reason, or the error code. */
export async function decide(
  nats: NatsConnection,
  token: string,
  dataset: string,
  permission = 'view',
  timeoutMs = 5_000,
): Promise<string> {
  const reply = await nats.request(SUBJECTS.policyCheck, JSON.stringify({ token, permission, dataset }), { timeout: timeoutMs });
  const body = reply.json<{ reason?: string; error?: { code: string } }>();
  return body.reason ?? body.error?.code ?? 'no answer';
}

/** Resolves once `condition` holds, polling every `everyMs`; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
