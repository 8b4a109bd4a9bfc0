import { startTessera, type TesseraUnderTest } from '@tessera/testing';
import { seedToken } from './audit-history';

/**
 * The audit projection fed by the events the real policy and identity apps write through the REST
 * API, checked against the policy app's own answer (its DecisionIndex) for the same moment.
 */
describe('audit over a history written through the API', () => {
  let tessera: TesseraUnderTest;
  let admin: string;
  let revision = '0';

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${tessera.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        'x-tessera-min-revision': revision,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    const answer = text ? JSON.parse(text) : {};
    revision = response.headers.get('x-tessera-revision') ?? revision;
    return answer;
  };

  beforeAll(async () => {
    tessera = await startTessera();
    admin = await seedToken(tessera.db.pool, 'admin', null);
  });
  afterAll(async () => {
    await tessera?.stop();
  });

  it('agrees with the policy app on who holds what now, and remembers the moment before a revocation', async () => {
    const ada = await call('POST', '/api/v1/users', { name: 'ada' });
    const ben = await call('POST', '/api/v1/users', { name: 'ben', readOnly: true });
    const group = await call('POST', '/api/v1/groups', { name: 'lab' });
    await call('PUT', `/api/v1/groups/${group.id}/members/${ada.id}`, { admin: false });
    await call('PUT', `/api/v1/groups/${group.id}/members/${ben.id}`, { admin: false });
    const dataset = await call('POST', '/api/v1/datasets', { name: 'h01' });
    await call('PUT', `/api/v1/datasets/${dataset.id}/grants/${group.id}/view`, {});
    await call('PUT', `/api/v1/datasets/${dataset.id}/grants/${group.id}/edit`, {});
    const granted = new Date().toISOString();

    const audit = await call('GET', `/api/v1/audit/access?dataset=h01&at=${granted}`);
    expect(audit.users).toEqual([
      { id: ada.id, name: 'ada', permissions: ['edit', 'view'], via: ['lab'] },
      { id: ben.id, name: 'ben', permissions: ['view'], via: ['lab'] },
    ]);
    for (const permission of ['view', 'edit']) {
      const policy = JSON.stringify(await call('GET', `/api/v1/datasets/${dataset.id}/users?permission=${permission}`));
      const holders = audit.users.filter((user: { permissions: string[] }) => user.permissions.includes(permission));
      for (const user of [ada, ben]) expect(policy.includes(user.id)).toBe(holders.some((holder: { id: string }) => holder.id === user.id));
    }

    await new Promise((resolve) => setTimeout(resolve, 20));
    await call('DELETE', `/api/v1/groups/${group.id}/members/${ada.id}`);
    const after = await call('GET', `/api/v1/audit/access?dataset=${dataset.id}&at=${new Date().toISOString()}`);
    expect(after.users.map((user: { name: string }) => user.name)).toEqual(['ben']);
    const before = await call('GET', `/api/v1/audit/access?user=${ada.id}&at=${granted}`);
    expect(before.datasets).toEqual([{ id: dataset.id, name: 'h01', permissions: ['edit', 'view'], via: ['lab'] }]);

    const history = await call('GET', `/api/v1/audit/events?user=${ada.id}`);
    expect(history.items.map((item: { type: string }) => item.type)).toEqual(['UserRegistered', 'GroupMemberAdded', 'GroupMemberRemoved']);
  });
});
