import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { IDENTITY_EVENTS, POLICY_EVENTS, TOKEN_EVENTS } from '@tessera/contracts';
import { EventStore } from '@tessera/event-store';
import { freePort, ROOT, startTessera, waitForPort } from '@tessera/testing';
import { generateToken, hashToken, tokenHint } from '@tessera/token-index';
import { result, type Scenario } from '../scenario';

const CONNECTIONS = 64;
const SECONDS = 3;
const ROUNDS = 2;

const HELLO_WORLD = `
const fastify = require('fastify')();
fastify.get('/hello', async () => ({ hello: 'world' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });`;

async function load(url: string, headers: Record<string, string> = {}): Promise<{ perSecond: number; p99Ms: number }> {
  const outcome = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  if (outcome.non2xx > 0 || outcome.errors > 0) throw new Error(`${url}: ${outcome.non2xx} non-2xx answers, ${outcome.errors} errors`);
  return { perSecond: outcome.requests.average, p99Ms: outcome.latency.p99 };
}

/** A user in a group holding `view` on a dataset: the events the identity, token and policy apps write. */
async function seed(store: EventStore): Promise<string> {
  const userId = randomUUID();
  const groupId = randomUUID();
  const datasetId = randomUUID();
  const tokenId = randomUUID();
  const token = generateToken('personal');
  await store.append([
    {
      streamId: `user-${userId}`,
      events: [
        {
          type: IDENTITY_EVENTS.userRegistered,
          data: { userId, name: 'bench', email: null, admin: false, readOnly: false, issuer: null, subject: null },
        },
      ],
    },
    {
      streamId: `token-${tokenId}`,
      events: [
        {
          type: TOKEN_EVENTS.tokenMinted,
          data: {
            tokenId,
            tokenHash: hashToken(token),
            kind: 'personal',
            ownerId: userId,
            name: 'bench',
            scopes: ['*'],
            hint: tokenHint(token),
            createdAt: new Date().toISOString(),
            expiresAt: null,
          },
        },
      ],
    },
    {
      streamId: `group-${groupId}`,
      events: [
        { type: POLICY_EVENTS.groupCreated, data: { groupId, name: 'bench' } },
        { type: POLICY_EVENTS.groupMemberAdded, data: { groupId, userId, admin: false } },
      ],
    },
    {
      streamId: `dataset-${datasetId}`,
      events: [
        { type: POLICY_EVENTS.datasetCreated, data: { datasetId, name: 'bench', description: null } },
        { type: POLICY_EVENTS.permissionGranted, data: { datasetId, groupId, permission: 'view', expiresAt: null } },
      ],
    },
  ]);
  return token;
}

export const policyCheckHttp: Scenario = {
  name: 'policy-check-http',
  description: `authenticated GET /api/v1/check through the gateway to the policy app (${CONNECTIONS} connections, autocannon, loopback) vs a bare Fastify hello-world`,
  async run() {
    const tessera = await startTessera();
    const port = await freePort();
    const floorProcess = spawn(process.execPath, ['-e', HELLO_WORLD], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: 'ignore',
    });
    try {
      await waitForPort(port);
      const token = await seed(new EventStore(tessera.db.pool, 'policy', tessera.nats));
      const url = `${tessera.baseUrl}/api/v1/check?permission=view&dataset=bench`;
      const headers = { authorization: `Bearer ${token}` };
      // The first answer also waits for the replicas to have seen the seed.
      for (let tries = 0; (await fetch(url, { headers })).status !== 200; tries += 1) {
        if (tries > 100) throw new Error('the seeded check never allowed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const ours: { perSecond: number; p99Ms: number }[] = [];
      const floor: { perSecond: number; p99Ms: number }[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        floor.push(await load(`http://127.0.0.1:${port}/hello`));
        ours.push(await load(url, headers));
      }
      const best = ours.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
      return [
        result({
          name: 'policy-check-http',
          value: best.perSecond,
          unit: 'req/s',
          floor: Math.max(...floor.map((one) => one.perSecond)),
          target: '>= 0.5',
          p99Ms: best.p99Ms,
        }),
      ];
    } finally {
      floorProcess.kill('SIGTERM');
      await tessera.stop();
    }
  },
};
