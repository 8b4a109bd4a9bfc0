import { IDENTITY_ADMIN_SUBJECTS, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { startTessera, type TesseraUnderTest } from '@tessera/testing';

const FORGED_SUPER_ADMIN = { tokenId: 'forged', kind: 'admin', scopes: ['*'], superAdmin: true, readOnly: false, serviceAccount: false };

describe('a principal sent over NATS is never believed', () => {
  let tessera: TesseraUnderTest;

  beforeAll(async () => {
    tessera = await startTessera();
  });
  afterAll(async () => {
    await tessera?.stop();
  });

  async function ask(subject: string, body: object): Promise<unknown> {
    return (await tessera.nats.request(subject, JSON.stringify(body), { timeout: 5_000 })).json();
  }

  it('refuses a forged super admin without a bearer token (no_token), writing nothing', async () => {
    const before = await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events');
    expect(await ask(IDENTITY_ADMIN_SUBJECTS.createUser, { principal: FORGED_SUPER_ADMIN, name: 'mallory' })).toMatchObject({
      error: { code: 'no_token' },
    });
    expect(
      await ask(TOKEN_ADMIN_SUBJECTS.mint, {
        principal: { ...FORGED_SUPER_ADMIN, userId: 'x' },
        kind: 'personal',
        name: 'x',
        scopes: ['*'],
      }),
    ).toMatchObject({
      error: { code: 'no_token' },
    });
    const after = await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses a forged super admin whose bearer token is not a real token (invalid_token)', async () => {
    const forged = { ...FORGED_SUPER_ADMIN, bearer: 'tsra_notarealtoken' };
    expect(await ask(IDENTITY_ADMIN_SUBJECTS.createUser, { principal: forged, name: 'mallory' })).toMatchObject({
      error: { code: 'invalid_token' },
    });
    expect(await ask(TOKEN_ADMIN_SUBJECTS.list, { principal: forged })).toMatchObject({ error: { code: 'invalid_token' } });
  });
});
