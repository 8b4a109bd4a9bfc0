import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { callApi, eventually, json, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';

const ADMIN_KEY = `observability-admin-key-${randomBytes(8).toString('hex')}`;
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const APP = 'http://viewer.test/app';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text format, line by line: `name{label="value",…} number`; comments checked for HELP and TYPE. */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /);
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const matching = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (matching.length === 0) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return matching.reduce((sum, sample) => sum + sample.value, 0);
}

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An OTLP/HTTP receiver (the JSON encoding) on loopback: what every app exports. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (request.url === '/v1/traces' && String(request.headers['content-type']).startsWith('application/json')) {
        const payload = JSON.parse(body.toString()) as Json;
        for (const resourceSpans of payload.resourceSpans ?? []) {
          const service = resourceSpans.resource?.attributes?.find((attribute: Json) => attribute.key === 'service.name')?.value
            ?.stringValue;
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                name: span.name,
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

/** `read`'s first value that is not undefined; throws naming `what` when none comes in time. */
async function until<T>(what: string, read: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const value = await eventually(
    async () => read(),
    (read) => read !== undefined,
    timeoutMs,
  );
  if (value === undefined) throw new Error(`timed out waiting for ${what}`);
  return value;
}

/** Cookies per host, redirects followed by hand: the browser of a login. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Follows redirects from `url` until one leaves for `stopAt`; returns that location and every URL passed. */
  async follow(url: string, stopAt: string): Promise<{ location: string; passed: string[] }> {
    const passed: string[] = [];
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      passed.push(next);
      const response = await this.get(next);
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) throw new Error(`${next} answered ${response.status}`);
      next = new URL(location, next).href;
      if (next.startsWith(stopAt)) return { location: next, passed };
    }
    throw new Error('too many redirects');
  }
}

describe('operations: metrics, traces across apps, logs without secrets (CONTRACT section 10)', () => {
  let tessera: TesseraUnderTest;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let admin: string;
  /** A person's session token, from a login through the provider. */
  let session: string;
  /** Everything secret the login showed: the one-time code, the cookie, state and PKCE values. */
  const loginSecrets: string[] = [];

  const call = (method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>) =>
    callApi(tessera.baseUrl, method, path, { token, body, headers });
  /** The port an app logged its metrics on (TESSERA_METRICS_PORT=0 in tests). */
  const metricsUrlOf = (app: string) => {
    const output = tessera.apps.find((process) => process.app === app)!.output();
    const port = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(output)?.[1];
    if (!port) throw new Error(`${app} logged no metrics port:\n${output}`);
    return `http://127.0.0.1:${port}/metrics`;
  };
  const scrape = async (url: string) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseMetrics(await response.text());
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    tessera = await startTessera({
      env: {
        TESSERA_ADMIN_KEY: ADMIN_KEY,
        TESSERA_ENCRYPTION_KEY: ENCRYPTION_KEY,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // Every request's line too, so the scan for secrets reads them.
        TESSERA_LOG_LEVEL: 'debug',
      },
    });
    const response = await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: ADMIN_KEY });
    expect(response.status).toBe(201);
    admin = (await json(response)).token;
    expect((await call('POST', '/api/v1/apps', admin, { url: APP })).status).toBe(201);
    session = await logIn('observer');
  }, 150_000);

  /** Logs in through the provider (oauth2-mock-server) and trades the one-time code for a session token. */
  const logIn = async (name: string): Promise<string> => {
    const browser = new Browser();
    const start = `${tessera.baseUrl}/auth/login?redirect=${encodeURIComponent(`${APP}/after`)}&login_hint=${name}`;
    const { location, passed } = await browser.follow(start, APP);
    const code = new URL(location).searchParams.get('code')!;
    loginSecrets.push(code, browser.cookie('tessera_token')!);
    for (const url of passed) {
      for (const [param, value] of new URL(url).searchParams)
        if (['code', 'state', 'code_challenge'].includes(param)) loginSecrets.push(value);
    }
    const traded = await call('POST', '/auth/token', undefined, { code, redirect: `${APP}/after` });
    expect(traded.status).toBe(200);
    const token = (await json(traded)).token as string;
    loginSecrets.push(token);
    return token;
  };

  afterAll(async () => {
    await tessera?.stop();
    receiver?.server.close();
  });

  it('every app serves Prometheus metrics: routes, subjects, decisions by reason, appends, the token index and its lag, the process', async () => {
    const minted = await call('POST', '/api/v1/tokens', session, { name: 'metrics', scopes: ['view'] });
    expect(minted.status).toBe(201);
    const token = (await json(minted)).token as string;
    expect((await call('GET', '/api/v1/me', token)).status).toBe(200);
    for (let n = 0; n < 3; n += 1) expect((await call('GET', '/api/v1/me/permissions', token)).status).toBe(200);
    const check = await call('GET', '/api/v1/check?permission=view&dataset=no-such-dataset', token);
    expect(check.status).toBe(404);

    const gateway = await scrape(`${tessera.baseUrl}/metrics`);
    expect(valueOf(gateway, 'tessera_http_requests_total', { method: 'GET', route: '/api/v1/me', status: '200' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(valueOf(gateway, 'tessera_http_requests_total', { method: 'POST', route: '/api/v1/tokens', status: '201' })).toBe(1);
    expect(valueOf(gateway, 'tessera_http_requests_total', { method: 'GET', route: '/api/v1/check', status: '404' })).toBe(1);
    expect(valueOf(gateway, 'tessera_http_request_duration_seconds_count', { route: '/api/v1/check' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(gateway, 'tessera_http_request_duration_seconds_bucket', { route: '/api/v1/check', le: '+Inf' })).toBe(
      valueOf(gateway, 'tessera_http_request_duration_seconds_count', { route: '/api/v1/check' }),
    );
    expect(valueOf(gateway, 'tessera_nats_requests_total', { subject: 'tessera.v1.policy.check', outcome: 'ok' })).toBeGreaterThanOrEqual(
      1,
    );
    // The first read of the caller's permissions asked the policy app; the gateway kept that answer for the next.
    const myPermissions = 'tessera.v1.policy.admin.my-permissions';
    const asked = valueOf(gateway, 'tessera_gateway_caller_answers_total', { subject: myPermissions, answer: 'asked' });
    const kept = valueOf(gateway, 'tessera_gateway_caller_answers_total', { subject: myPermissions, answer: 'kept' });
    expect({ asked, kept, total: asked + kept }).toEqual({ asked: expect.any(Number), kept: expect.any(Number), total: 3 });
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(valueOf(gateway, 'tessera_token_index_tokens')).toBeGreaterThanOrEqual(2);
    expect(valueOf(gateway, 'tessera_token_index_lag_events')).toBeGreaterThanOrEqual(0);
    expect(valueOf(gateway, 'tessera_event_log_head_position')).toBeGreaterThanOrEqual(valueOf(gateway, 'tessera_token_index_position'));
    expect(valueOf(gateway, 'tessera_nats_disconnects_total')).toBe(0);
    expect(valueOf(gateway, 'tessera_db_pool_connections', { state: 'waiting' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(gateway, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(gateway, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    const policy = await scrape(metricsUrlOf('policy'));
    expect(valueOf(policy, 'tessera_decisions_total', { reason: 'unknown_dataset' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(policy, 'tessera_nats_handled_total', { subject: 'tessera.v1.policy.check', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(policy, 'tessera_nats_handle_duration_seconds_count', { subject: 'tessera.v1.policy.check' })).toBeGreaterThanOrEqual(1);

    const tokenApp = await scrape(metricsUrlOf('token'));
    expect(valueOf(tokenApp, 'tessera_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(valueOf(tokenApp, 'tessera_nats_reconnects_total')).toBe(0);
    for (const app of ['identity', 'audit'])
      expect(valueOf(await scrape(metricsUrlOf(app)), 'process_resident_memory_bytes')).toBeGreaterThan(0);

    // Only loopback (and the trusted proxies) may scrape the gateway: from another address of this host it does not exist.
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external) {
      const refused = await fetch(`http://${external.address}:${tessera.port}/metrics`);
      expect(refused.status).toBe(404);
    }
  });

  it('one trace runs from the caller’s traceparent through the gateway route into the policy app’s subject', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const minted = await json(await call('POST', '/api/v1/tokens', session, { name: 'trace', scopes: ['view'] }));
    const response = await call('GET', '/api/v1/check?permission=view&dataset=traced', minted.token, undefined, {
      traceparent: `00-${traceId}-${callerSpan}-01`,
    });
    expect(response.status).toBe(404);
    const route = await until('the gateway span', () =>
      receiver.spans.find((span) => span.traceId === traceId && span.service === 'tessera-gateway' && span.name === 'GET /api/v1/check'),
    );
    expect(route.parentSpanId).toBe(callerSpan);
    const subject = await until('the policy span', () =>
      receiver.spans.find(
        (span) => span.traceId === traceId && span.service === 'tessera-policy' && span.name === 'tessera.v1.policy.check',
      ),
    );
    expect(subject.parentSpanId).toBe(route.spanId);

    // A write: the token app's subject and its append, in the trace the mint's HTTP request began.
    const mintTrace = randomBytes(16).toString('hex');
    const mint = await call(
      'POST',
      '/api/v1/tokens',
      session,
      { name: 'traced mint', scopes: ['view'] },
      {
        traceparent: `00-${mintTrace}-${callerSpan}-01`,
      },
    );
    expect(mint.status).toBe(201);
    const append = await until('the append span', () =>
      receiver.spans.find((span) => span.traceId === mintTrace && span.service === 'tessera-token' && span.name === 'event-store append'),
    );
    const handler = receiver.spans.find((span) => span.spanId === append.parentSpanId);
    expect(handler).toMatchObject({ service: 'tessera-token', traceId: mintTrace });
  });

  it('a full flow leaves JSON log lines with request ids, and no token, secret or caller-supplied token text in any log', async () => {
    // A login through the provider (oauth2-mock-server): its code, cookie, state and session token.
    const own = await logIn('logscan');
    const seen: string[] = [ADMIN_KEY, ENCRYPTION_KEY, admin, ...loginSecrets];

    // Mint, use, revoke; the revoked token refused.
    const minted = await json(await call('POST', '/api/v1/tokens', own, { name: 'logscan', scopes: ['view'] }));
    seen.push(minted.token);
    expect((await call('GET', '/api/v1/me', minted.token)).status).toBe(200);
    expect((await call('GET', '/api/v1/check?permission=view&dataset=x', minted.token)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/tokens/${minted.id}`, own)).status).toBe(204);
    await until('the revoked token refused', async () =>
      (await call('GET', '/api/v1/me', minted.token)).status === 401 ? true : undefined,
    );
    // Caller-supplied token text, with a line break that would forge a log line if it were written raw.
    const forged = `bad-${randomBytes(6).toString('hex')}\r\n{"level":30,"msg":"forged-${randomBytes(6).toString('hex')}"}`;
    seen.push(forged, forged.split('\r\n')[0], forged.split('\r\n')[1]);
    const exchange = await call('POST', '/api/v1/tokens/exchange', undefined, { auth_token: forged });
    expect(exchange.status).toBeGreaterThanOrEqual(400);
    expect((await call('GET', '/api/v1/me', forged.split('\r\n')[0])).status).toBe(401);

    // Wait for the gateway's log line of the last request before reading the logs.
    const gateway = tessera.apps.find((process) => process.app === 'gateway')!;
    await until('the last request logged', () => (/"route":"\/api\/v1\/me","status":401/.test(gateway.output()) ? true : undefined));
    for (const app of tessera.apps) {
      const output = app.output();
      for (const secret of seen) {
        expect({ app: app.app, leaked: output.includes(secret) ? secret : undefined }).toEqual({ app: app.app, leaked: undefined });
      }
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const parsed = JSON.parse(line) as Json;
        expect(parsed).toMatchObject({ app: app.app, level: expect.any(Number), msg: expect.any(String) });
      }
    }
    const requests = gateway
      .output()
      .split('\n')
      .filter((line) => line.includes('"request completed"'))
      .map((line) => JSON.parse(line) as Json);
    expect(requests.length).toBeGreaterThan(5);
    for (const request of requests)
      expect(request).toMatchObject({ reqId: expect.stringMatching(/^[0-9a-f-]{36}-[0-9a-z]+$/), trace_id: expect.any(String) });
    expect(new Set(requests.map((request) => request.reqId)).size).toBe(requests.length);
  });
});
