import { json, startApp, startTessera, type TesseraUnderTest } from '@tessera/testing';

describe('gateway conventions (CONTRACT section 2)', () => {
  let tessera: TesseraUnderTest;

  beforeAll(async () => {
    tessera = await startTessera();
  });
  afterAll(async () => {
    await tessera?.stop();
  });

  it('answers /healthz and, with every app caught up, /readyz', async () => {
    expect(await json(await fetch(`${tessera.baseUrl}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${tessera.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const body = await json(ready);
    expect(Object.keys(body.apps).sort()).toEqual(['audit', 'identity', 'policy', 'token']);
  });

  it('answers an unknown route with 404 not_found in the contract error body', async () => {
    const response = await fetch(`${tessera.baseUrl}/api/v1/no-such-thing`);
    expect(response.status).toBe(404);
    expect(await json(response)).toMatchObject({ statusCode: 404, error: 'not_found', details: [] });
  });

  it('refuses malformed JSON with 400 bad_request', async () => {
    const response = await fetch(`${tessera.baseUrl}/api/v1/no-such-thing`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":',
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toBe('bad_request');
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const body = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });
    const response = await fetch(`${tessera.baseUrl}/healthz`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
    expect((await json(response)).error).toBe('payload_too_large');
  });

  it('serves the OpenAPI document and its UI', async () => {
    const document = await json(await fetch(`${tessera.baseUrl}/api/docs-json`));
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/v1/me']));
    expect(Object.keys(document.paths['/api/v1/me'].get.responses['200'].content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['groups', 'affiliations']),
    );
    expect((await fetch(`${tessera.baseUrl}/api/docs`)).status).toBe(200);
  });

  it('comes back ready after the NATS server restarts: every app reconnects', async () => {
    await tessera.natsServer.restart(1_000);
    await tessera.waitUntilReady(tessera.baseUrl, 15_000);
    expect((await fetch(`${tessera.baseUrl}/readyz`)).status).toBe(200);
  });

  it('stops an app whose configuration is bad, naming the variable', async () => {
    // A loaded machine can take many seconds just to load the app's modules before it checks its config.
    await expect(startApp('token', { ...tessera.env, TESSERA_TOKEN_MAX_DAYS: 'forever' }, 45_000)).rejects.toThrow(
      /exited with 78:[\s\S]*TESSERA_TOKEN_MAX_DAYS: /,
    );
  }, 60_000);

  it('answers /readyz 503 naming the app that stopped answering', async () => {
    const policy = tessera.apps.find((app) => app.app === 'policy')!;
    await policy.stop();
    const response = await fetch(`${tessera.baseUrl}/readyz`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const body = await json(response);
    expect(body.error).toBe('unavailable');
    expect(body.details).toEqual([{ component: 'policy', reason: 'does not answer over NATS' }]);
  });
});
