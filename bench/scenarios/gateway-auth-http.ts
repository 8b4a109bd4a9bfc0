import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { freePort, ROOT, startTessera, waitForPort } from '@tessera/testing';
import { result, type Scenario } from '../scenario';
import { BENCH_ADMIN_KEY, benchUser } from './token-fixtures';

const CONNECTIONS = 64;
const SECONDS = 5;
const ROUNDS = 2;

/** The floor: a bare Fastify hello-world in a process of its own, as the gateway runs in one. */
const HELLO_WORLD = `
const fastify = require('fastify')();
fastify.get('/hello', async () => ({ hello: 'world' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;

async function load(url: string, headers: Record<string, string> = {}): Promise<number> {
  const outcome = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  if (outcome.non2xx > 0 || outcome.errors > 0) throw new Error(`${url}: ${outcome.non2xx} non-2xx answers, ${outcome.errors} errors`);
  return outcome.requests.average;
}

export const gatewayAuthHttp: Scenario = {
  name: 'gateway-auth-http',
  description: `authenticated GET /api/v1/me through the gateway (${CONNECTIONS} connections, autocannon, loopback) vs a bare Fastify hello-world`,
  async run() {
    const tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: BENCH_ADMIN_KEY } });
    const port = await freePort();
    const floorProcess = spawn(process.execPath, ['-e', HELLO_WORLD], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: 'ignore',
    });
    try {
      await waitForPort(port);
      const user = await benchUser(tessera, 'bench-gateway');
      const ours: number[] = [];
      const floor: number[] = [];
      const unauthenticated: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        floor.push(await load(`http://127.0.0.1:${port}/hello`));
        ours.push(await load(`${tessera.baseUrl}/api/v1/me`, { authorization: `Bearer ${user.session}` }));
        // What the gateway's Nest pipeline costs without authentication: separates it from the guard's cost.
        unauthenticated.push(await load(`${tessera.baseUrl}/healthz`));
      }
      return [
        result({
          name: 'gateway-auth-http',
          value: Math.max(...ours),
          unit: 'req/s',
          floor: Math.max(...floor),
          target: '>= 0.5',
          gatewayHealthzReqPerS: Math.round(Math.max(...unauthenticated)),
        }),
      ];
    } finally {
      floorProcess.kill('SIGTERM');
      await tessera.stop();
    }
  },
};
