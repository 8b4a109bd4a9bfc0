import { APP_NAMES } from '@tessera/contracts';
import { startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { api, buildWorld, decide, waitFor, type World } from './fault-fixtures';

const MINTERS = 2;

interface Minted {
  id: string;
  token: string;
  /** 204: revoked; a number: the revocation's other answer (its outcome unknown); absent: never revoked. */
  revoke?: number;
}

describe('the stack under its supervisor (npm start)', () => {
  let tessera: TesseraUnderTest;
  let world: World;
  const minted: Minted[] = [];

  /** What a client sees of a token: /api/v1/me through the gateway, and a decision by the policy app. */
  const seen = async (token: string) => {
    const me = await api(tessera.baseUrl, token, 'GET', '/api/v1/me');
    const body: Json = await me.json();
    return { me: me.status === 200 ? 200 : body.error, decision: await decide(tessera.nats, token, world.dataset) };
  };

  beforeAll(async () => {
    tessera = await startTessera({ supervised: true });
    world = await buildWorld(tessera);
  }, 180_000);
  afterAll(async () => {
    await tessera?.stop();
  });

  it('restarts the token app SIGKILLed during a mint loop: every token returned works, every revoked one stays refused', async () => {
    const answers: { status: number; error?: string; retryAfter: string | null }[] = [];
    let running = true;
    let n = 0;
    const minter = async () => {
      while (running) {
        const response = await api(tessera.baseUrl, world.alice.token, 'POST', '/api/v1/tokens', {
          name: `mint-${(n += 1)}`,
          scopes: ['view'],
          expiresInDays: 1,
        });
        const body: Json = await response.json();
        answers.push({ status: response.status, error: body.error, retryAfter: response.headers.get('retry-after') });
        if (response.status !== 201) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        const token: Minted = { id: body.id, token: body.token };
        minted.push(token);
        if (minted.length % 3 === 0)
          token.revoke = (await api(tessera.baseUrl, world.alice.token, 'DELETE', `/api/v1/tokens/${body.id}`)).status;
      }
    };
    const loops = Array.from({ length: MINTERS }, minter);
    try {
      await waitFor(() => minted.length >= 10, 'mints before the kill');
      await tessera.supervisor!.killApp('token', 'SIGKILL');
      await tessera.supervisor!.waitForStart('token', 2);
      await tessera.waitUntilReady(tessera.baseUrl, 90_000);
      const after = minted.length;
      await waitFor(() => minted.length >= after + 10, 'mints after the restart', 20_000);
    } finally {
      running = false;
      await Promise.all(loops);
    }

    const output = tessera.supervisor!.output();
    expect(output).toMatch(/token\s+\| exited unexpectedly \(killed by SIGKILL\) after [\d.]+ s; restarting in \d+ ms/);
    for (const app of APP_NAMES)
      expect({ app, starts: tessera.supervisor!.pids(app).length }).toEqual({ app, starts: app === 'token' ? 2 : 1 });
    // While the token app was away, mints were refused as unavailable (with Retry-After), never a 500.
    expect(answers.some((answer) => answer.status === 503)).toBe(true);
    for (const answer of answers.filter((each) => each.status !== 201)) {
      expect(answer).toMatchObject({ status: 503, error: 'unavailable' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    for (const token of minted) {
      if (token.revoke === undefined) expect(await seen(token.token)).toEqual({ me: 200, decision: 'granted' });
      if (token.revoke === 204) expect(await seen(token.token)).toEqual({ me: 'revoked_token', decision: 'revoked_token' });
    }
    // A mint the token app committed as it died, whose caller got a 503, is a token nobody holds: it
    // shows in its owner's list like any other, and it expires.
    const listed: Json = await (await api(tessera.baseUrl, world.alice.token, 'GET', '/api/v1/tokens?limit=500')).json();
    const held = new Set(minted.map((token) => token.id));
    const dayFromNow = Date.now() + 24 * 3600 * 1000 + 60_000;
    for (const item of listed.items.filter((each: Json) => each.name.startsWith('mint-') && !held.has(each.id))) {
      expect(Date.parse(item.expiresAt)).toBeLessThan(dayFromNow);
    }
  }, 120_000);

  it('drains a token app stopped with SIGTERM while a second replica runs: not one mint or revocation of the loop fails', async () => {
    const replica = await tessera.startReplica('token');
    const statuses: number[] = [];
    const failures: string[] = [];
    const note = async (what: string, response: Response) => {
      statuses.push(response.status);
      if (response.status !== 201 && response.status !== 204) failures.push(`${what} ${response.status} ${await response.text()}`);
    };
    let running = true;
    let n = 0;
    // Bob mints here (alice's tokens from the test before count toward her 100 live personal tokens),
    // and revokes each token once minted, so however many the loop makes he stays under the
    // maximum: every answer other than 201 and 204 is the drain's fault.
    const minter = async () => {
      while (running) {
        const response = await api(tessera.baseUrl, world.bob.token, 'POST', '/api/v1/tokens', {
          name: `drain-${(n += 1)}`,
          scopes: ['view'],
        });
        if (response.status !== 201) {
          await note('mint', response);
          continue;
        }
        statuses.push(response.status);
        const body: Json = await response.json();
        await note('revoke', await api(tessera.baseUrl, world.bob.token, 'DELETE', `/api/v1/tokens/${body.id}`));
      }
    };
    const loops = Array.from({ length: 4 }, minter);
    try {
      await waitFor(() => statuses.length >= 20, 'mints before the SIGTERM');
      const starts = tessera.supervisor!.pids('token').length;
      await tessera.supervisor!.killApp('token', 'SIGTERM');
      const during = statuses.length;
      await tessera.supervisor!.waitForStart('token', starts + 1);
      await waitFor(() => statuses.length >= during + 20, 'mints after the SIGTERM');
    } finally {
      running = false;
      await Promise.all(loops);
      await replica.stop();
    }
    expect(failures).toEqual([]);
    // The app closed in order (its requests answered first), and the supervisor started it again.
    expect(tessera.supervisor!.output()).toMatch(/token\s+\| .*SIGTERM: draining in-flight requests[\s\S]*token\s+\| .*closed/);
    expect(tessera.supervisor!.output()).toMatch(/token\s+\| exited unexpectedly \(exit code 0\)/);
    await tessera.waitUntilReady(tessera.baseUrl, 90_000);
  }, 180_000);

  it('answers the same after the whole stack is SIGKILLed and started again: decisions, tokens and revocations', async () => {
    const cases = [
      ...[world.admin, world.alice, world.bob].map((user) => user.token),
      ...minted.filter((token) => token.revoke === undefined || token.revoke === 204).map((token) => token.token),
    ];
    const before = await Promise.all(cases.map(seen));
    expect(before.filter((answer) => answer.me === 200).length).toBeGreaterThan(10);
    expect(before.filter((answer) => answer.me === 'revoked_token').length).toBeGreaterThan(3);

    await tessera.supervisor!.killAll();
    expect((await fetch(`${tessera.baseUrl}/healthz`).catch(() => undefined))?.status).toBeUndefined();
    await tessera.startApps();

    expect(await Promise.all(cases.map(seen))).toEqual(before);
  }, 180_000);

  it('stops every app on SIGTERM, each draining and closing, and exits 0', async () => {
    const supervisor = tessera.supervisor!;
    expect(await supervisor.stop()).toBe(0);
    for (const app of APP_NAMES) expect(supervisor.output()).toMatch(new RegExp(`${app}\\s+\\| stopped \\(exit code 0\\)`));
    expect(supervisor.output().match(/\| .*\bclosed\b/g)?.length).toBeGreaterThanOrEqual(APP_NAMES.length);
  }, 60_000);
});
