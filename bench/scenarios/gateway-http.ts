import type { Pool } from 'pg';
import { APP_NAMES } from '@tessera/contracts';
import { startApp, startTessera } from '@tessera/testing';
import { startHelloWorld } from '../floors';
import { loadHttp, SECONDS, CONNECTIONS, type ExpectedRequest, type HttpLoad } from '../http-load';
import { alternate, appPid, appRssMb, profiled, summarize } from '../measure';
import { budget, result, type Scenario, type ScenarioResult } from '../scenario';
import { BenchWorld, seedEvents, seedFillerTokens, type BenchUser } from '../seed';

/** Tokens in every index besides the bench users' own: 1,000,000 by default (BENCH_GATEWAY_TOKENS). */
const TOKENS = Number(process.env.BENCH_GATEWAY_TOKENS ?? 1_000_000);
/** Users whose tokens the load cycles through (BENCH_HTTP_USERS). */
const USERS = Number(process.env.BENCH_HTTP_USERS ?? 1_000);
const ROUNDS = 3;

/**
 * One authenticated GET measured against the bare Fastify floor. `check` looks at the first answer
 * of each user and throws when it is wrong; the load then expects exactly that body every time.
 */
interface Route {
  name: string;
  target: string;
  /** The apps that serve it, whose CPU time is counted. */
  apps: string[];
  path(user: BenchUser, world: BenchWorld): string;
  check(body: unknown, user: BenchUser, world: BenchWorld): boolean;
  /** Drops what changes between two right answers. */
  normalize?: (body: string) => string;
  /** Connections of its load, floor and project alike (default CONNECTIONS). */
  connections?: number;
}

/** A dataset the user may view (no terms of service), the one every route's check expects. */
function viewable(user: BenchUser, world: BenchWorld) {
  const dataset = world.findDataset(user, user.groups[0], { holds: true, tos: false });
  if (!dataset) throw new Error(`${user.name} holds view on no dataset`);
  return dataset;
}

/** Every HTTP row, in the order they run. A new route (e.g. the middle_auth user cache) is one more entry. */
const ROUTES: Route[] = [
  {
    // The one route written outside Nest: the guard, the token index and the memberships it keeps.
    name: 'gateway-auth-http',
    target: '>= 0.6',
    apps: ['gateway'],
    path: () => '/api/v1/me',
    check: (body, user) => {
      const me = body as { id?: string; name?: string; groups?: unknown[] };
      return me.id === user.id && me.name === user.name && me.groups?.length === user.groups.length;
    },
  },
  {
    // An ordinary Nest route: the Nest pipeline, a NATS request to the token app, its answer.
    name: 'gateway-nest-http',
    target: 'report',
    apps: ['gateway', 'token'],
    path: () => '/api/v1/tokens',
    check: (body, user) => JSON.stringify(body).includes(user.tokenId),
    // The gateway reports token uses every few seconds: the listing's lastUsedAt moves.
    normalize: (body) => body.replace(/"lastUsedAt":("[^"]*"|null)/g, ''),
  },
  {
    name: 'me-permissions-http',
    target: '>= 0.4',
    apps: ['gateway', 'policy'],
    path: () => '/api/v1/me/permissions',
    check: (body, user, world) => {
      const permissions = (body as { permissions?: Record<string, string[]> }).permissions;
      return permissions?.[viewable(user, world).name]?.includes('view') === true;
    },
  },
  {
    // middle_auth_client's one call per request: answered from the policy app's memory, no write.
    name: 'middle-auth-user-cache',
    target: '>= 0.4',
    connections: 32,
    apps: ['gateway', 'policy'],
    path: () => '/auth/api/v1/user/cache',
    check: (body, user, world) => {
      const cache = body as { id?: unknown; permissions_v2?: Record<string, string[]> };
      return typeof cache.id === 'number' && cache.permissions_v2?.[viewable(user, world).name]?.includes('view') === true;
    },
  },
  {
    name: 'policy-check-http',
    target: '>= 0.5',
    apps: ['gateway', 'policy'],
    path: (user, world) => `/api/v1/check?permission=view&dataset=${viewable(user, world).name}`,
    check: (body) => (body as { allowed?: boolean }).allowed === true,
  },
];

/** The right answers for each user, as the gateway first gives them, each checked. */
async function expectedRequests(baseUrl: string, route: Route, world: BenchWorld): Promise<ExpectedRequest[]> {
  const requests: ExpectedRequest[] = [];
  for (const user of world.users) {
    const path = route.path(user, world);
    const headers = { authorization: `Bearer ${user.token}` };
    const response = await fetch(`${baseUrl}${path}`, { headers });
    const body = await response.text();
    if (response.status !== 200 || !route.check(JSON.parse(body), user, world)) {
      throw new Error(`${route.name}: GET ${path} as ${user.name} answered ${response.status} ${body.slice(0, 500)}`);
    }
    requests.push({ path, headers, body: route.normalize ? route.normalize(body) : body });
  }
  return requests;
}

export const gatewayHttp: Scenario = {
  name: 'gateway-http',
  rows: [...ROUTES.map((route) => route.name), 'token-memory'],
  description: `authenticated GETs through the gateway (${ROUTES.map((route) => route.name).join(', ')}) with ${TOKENS.toLocaleString('en-US')} more tokens indexed, ${USERS} users' tokens in turn, ${CONNECTIONS} connections for ${SECONDS} s, vs a bare Fastify hello-world (${ROUNDS} rounds each, alternating); the token app's memory`,
  async run(wanted) {
    // `npm run bench -- me-permissions-http` loads that route alone (token-memory comes with any).
    const routes = ROUTES.filter(
      (route) => !wanted?.some((name) => ROUTES.some((one) => one.name === name)) || wanted.includes(route.name),
    );
    const tessera = await startTessera({ startTimeoutMs: 300_000 });
    const floor = await startHelloWorld();
    try {
      // The log is written while no app runs, so every index loads it as a cold start would.
      await tessera.stopApps();
      const world = new BenchWorld({ users: USERS, groups: 1_000, datasets: 1_000, grants: 50_000, groupsPerUser: 3 });
      await seedFillerTokens(tessera.db.pool, TOKENS);
      const head = await seedEvents(tessera.db.pool, world.events);
      tessera.apps = await Promise.all(APP_NAMES.map((app) => startApp(app, profiled(app, tessera.env), 300_000)));
      await tessera.waitUntilReady(tessera.baseUrl, 900_000);
      // The audit app's first catch-up over the seeded log takes a core for about a minute: the rows
      // measure the routes in steady state, not beside a start-up.
      await auditCaughtUp(tessera.db.pool, head);

      const floorRequests = [{ path: floor.path, body: floor.body }];
      const rows: ScenarioResult[] = [];
      const median = (loads: HttpLoad[], figure: (load: HttpLoad) => number) => summarize(loads.map(figure)).median;
      for (const route of routes) {
        const requests = await expectedRequests(tessera.baseUrl, route, world);
        const servers = route.apps.map((app) => appPid(app)!);
        const samples = await alternate<HttpLoad>(
          ROUNDS,
          () => loadHttp(floor.origin, floorRequests, [floor.pid], undefined, route.connections),
          () => loadHttp(tessera.baseUrl, requests, servers, route.normalize, route.connections),
        );
        const cpu = {
          project: median(samples.project, (load) => load.cpuUsPerRequest),
          floor: median(samples.floor, (load) => load.cpuUsPerRequest),
        };
        rows.push(
          result({
            name: route.name,
            value: samples.project.map((load) => load.perSecond),
            unit: 'req/s',
            floor: samples.floor.map((load) => load.perSecond),
            target: route.target,
            p50Ms: median(samples.project, (load) => load.p50Ms),
            p99Ms: median(samples.project, (load) => load.p99Ms),
            floorP99Ms: median(samples.floor, (load) => load.p99Ms),
            cpuUsPerRequest: Math.round(cpu.project),
            floorCpuUsPerRequest: Math.round(cpu.floor),
            cpuRatio: Number((cpu.floor / cpu.project).toFixed(3)),
          }),
        );
      }
      const liveTokens = TOKENS + USERS * 2;
      rows.push(
        budget({
          name: 'token-memory',
          value: appRssMb('token') ?? NaN,
          unit: 'MB RSS',
          budget: '<= 200',
          liveTokens,
          events: head,
          gatewayRssMb: appRssMb('gateway'),
          policyRssMb: appRssMb('policy'),
        }),
      );
      return rows;
    } finally {
      floor.stop();
      await tessera.stop();
    }
  },
};

/** Resolves once the audit app's access projection has read the log up to `head` (checked every second). */
async function auditCaughtUp(pool: Pool, head: number): Promise<void> {
  const deadline = Date.now() + 900_000;
  for (;;) {
    const state = await pool.query<{ position: string }>("SELECT position FROM audit.projection_state WHERE name = 'audit-access'");
    if (Number(state.rows[0]?.position ?? 0) >= head) return;
    if (Date.now() > deadline) throw new Error(`the audit projection did not reach ${head}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
