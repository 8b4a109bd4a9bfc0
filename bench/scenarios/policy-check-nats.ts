import { connect, type NatsConnection } from '@nats-io/transport-node';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { IDENTITY_EVENTS, POLICY_EVENTS, SUBJECTS, TOKEN_EVENTS, type HealthReply } from '@tessera/contracts';
import { ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, ROOT, startApp, startNatsServer } from '@tessera/testing';
import { generateToken, hashToken, tokenHint } from '@tessera/token-index';
import { result, type Scenario } from '../scenario';

const USERS = 10_000;
const GROUPS = 1_000;
const DATASETS = 1_000;
const GRANTS = 50_000;
const GROUPS_PER_USER = 3;
const IN_FLIGHT = 64;
const WARM_UP_MS = 300;
const MEASURE_MS = 1_000;
/** Floor and project alternate, so a noisy neighbour on the shared machine hits both alike. */
const ROUNDS = 3;
const CHUNK = 10_000;

interface SeedRow {
  streamId: string;
  type: string;
  data: object;
}

/** The realistic index, written as one multi-row INSERT per chunk (the events the apps would append). */
async function seed(pool: Pool): Promise<{ tokens: string[]; datasets: string[]; events: number }> {
  const rows: SeedRow[] = [];
  const versions = new Map<string, number>();
  const users = Array.from({ length: USERS }, () => randomUUID());
  const groups = Array.from({ length: GROUPS }, () => randomUUID());
  const datasets = Array.from({ length: DATASETS }, (_, index) => ({ id: randomUUID(), name: `dataset-${index}` }));
  const tokens: string[] = [];
  for (const userId of users) {
    rows.push({
      streamId: `user-${userId}`,
      type: IDENTITY_EVENTS.userRegistered,
      data: { userId, name: userId, email: null, admin: false, readOnly: false, issuer: null, subject: null },
    });
    const token = generateToken('personal');
    tokens.push(token);
    const tokenId = randomUUID();
    rows.push({
      streamId: `token-${tokenId}`,
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
    });
  }
  groups.forEach((groupId, index) =>
    rows.push({ streamId: `group-${groupId}`, type: POLICY_EVENTS.groupCreated, data: { groupId, name: `group-${index}` } }),
  );
  for (const dataset of datasets) {
    rows.push({
      streamId: `dataset-${dataset.id}`,
      type: POLICY_EVENTS.datasetCreated,
      data: { datasetId: dataset.id, name: dataset.name, description: null },
    });
  }
  users.forEach((userId, index) => {
    for (let k = 0; k < GROUPS_PER_USER; k += 1) {
      const groupId = groups[(index * 7 + k * 331) % GROUPS];
      rows.push({ streamId: `group-${groupId}`, type: POLICY_EVENTS.groupMemberAdded, data: { groupId, userId, admin: false } });
    }
  });
  for (let index = 0; index < GRANTS; index += 1) {
    const dataset = datasets[index % DATASETS];
    const round = Math.floor(index / DATASETS);
    // 50 different groups per dataset, alternating view and edit.
    const groupId = groups[(index * 13 + round * 97) % GROUPS];
    rows.push({
      streamId: `dataset-${dataset.id}`,
      type: POLICY_EVENTS.permissionGranted,
      data: { datasetId: dataset.id, groupId, permission: round % 2 === 0 ? 'view' : 'edit', expiresAt: null },
    });
  }
  let position = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const columns = {
      position: [] as number[],
      stream: [] as string[],
      version: [] as number[],
      type: [] as string[],
      data: [] as string[],
    };
    for (const row of chunk) {
      const version = (versions.get(row.streamId) ?? 0) + 1;
      versions.set(row.streamId, version);
      columns.position.push(++position);
      columns.stream.push(row.streamId);
      columns.version.push(version);
      columns.type.push(row.type);
      columns.data.push(JSON.stringify(row.data));
    }
    await pool.query(
      `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata)
       SELECT p, s, v, t, 1, d, '{"actor":"bench"}' FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::jsonb[]) AS x(p, s, v, t, d)`,
      [columns.position, columns.stream, columns.version, columns.type, columns.data],
    );
  }
  await pool.query('UPDATE event_store.head SET position = $1', [position]);
  return { tokens, datasets: datasets.map((dataset) => dataset.name), events: position };
}

/** A bare responder in its own process, as the policy app is: replies with the request's bytes. */
function startEchoResponder(url: string): Promise<() => void> {
  const script = `
    const { connect } = require('@nats-io/transport-node');
    connect({ servers: ${JSON.stringify(url)} }).then((nc) => {
      nc.subscribe('bench.echo', { queue: 'bench', callback: (_e, m) => m.respond(m.data) });
      nc.flush().then(() => console.log('listening'));
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', () => resolve(() => child.kill('SIGTERM')));
  });
}

interface Load {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  allowedShare: number;
}

/** IN_FLIGHT requests outstanding from one client for WARM_UP_MS + MEASURE_MS; counts only the measured window. */
async function load(nats: NatsConnection, subject: string, payloads: string[]): Promise<Load> {
  const latencies: number[] = [];
  let allowed = 0;
  let answered = 0;
  const started = Date.now();
  const measureFrom = started + WARM_UP_MS;
  const end = measureFrom + MEASURE_MS;
  let next = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const payload = payloads[next++ % payloads.length];
      const sent = process.hrtime.bigint();
      const reply = await nats.request(subject, payload, { timeout: 5_000 });
      const now = Date.now();
      if (now >= measureFrom && now < end) {
        latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
        answered += 1;
        if (reply.string().includes('"allowed":true')) allowed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  latencies.sort((a, b) => a - b);
  return {
    perSecond: answered / (MEASURE_MS / 1000),
    p50Ms: latencies[Math.floor(latencies.length * 0.5)],
    p99Ms: latencies[Math.floor(latencies.length * 0.99)],
    allowedShare: allowed / Math.max(1, answered),
  };
}

/** Total throughput over the rounds; latency figures from the median round. */
function combine(loads: Load[]): Load {
  const byP99 = [...loads].sort((a, b) => a.p99Ms - b.p99Ms);
  const middle = byP99[Math.floor(byP99.length / 2)];
  return {
    perSecond: loads.reduce((sum, one) => sum + one.perSecond, 0) / loads.length,
    p50Ms: middle.p50Ms,
    p99Ms: middle.p99Ms,
    allowedShare: loads.reduce((sum, one) => sum + one.allowedShare, 0) / loads.length,
  };
}

async function waitReady(nats: NatsConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reply = await nats.request(SUBJECTS.health('policy'), '{}', { timeout: 1_000 }).catch(() => undefined);
    if (reply && (reply.json() as HealthReply).ready) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`policy app not ready within ${timeoutMs} ms`);
}

/** Resident memory of our child process running the policy app, in MB (Linux). */
function policyRssMb(): number | undefined {
  try {
    const children = execFileSync('pgrep', ['-P', String(process.pid)])
      .toString()
      .trim()
      .split('\n');
    for (const pid of children) {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('apps/policy')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) return Math.round(Number(rss[1]) / 1024);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export const policyCheckNats: Scenario = {
  name: 'policy-check-nats',
  description: `tessera.v1.policy.check over NATS, ${IN_FLIGHT} in flight, ${USERS} users / ${GROUPS} groups / ${DATASETS} datasets / ${GRANTS} grants, vs a bare NATS echo responder`,
  async run() {
    const db = await createTestDatabase();
    const natsServer = await startNatsServer();
    const nats = await connect({ servers: natsServer.url });
    let stopEcho: (() => void) | undefined;
    let policy: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      await ensureEventStoreSchema(db.pool);
      const seeded = await seed(db.pool);
      const coldStart = Date.now();
      policy = await startApp('policy', { DATABASE_URL: db.url, NATS_URL: natsServer.url, NODE_ENV: 'test' }, 120_000);
      await waitReady(nats, 120_000);
      const coldStartMs = Date.now() - coldStart;
      const rssMb = policyRssMb();

      // The same payloads on both sides: a user's own token and a dataset, about half of them allowed.
      const payloads = Array.from({ length: 5_000 }, (_, index) =>
        JSON.stringify({
          token: seeded.tokens[(index * 37) % seeded.tokens.length],
          permission: 'view',
          dataset: seeded.datasets[(index * 11) % seeded.datasets.length],
        }),
      );
      stopEcho = await startEchoResponder(natsServer.url);
      const floors: Load[] = [];
      const checks: Load[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        floors.push(await load(nats, 'bench.echo', payloads));
        checks.push(await load(nats, SUBJECTS.policyCheck, payloads));
      }
      const floor = combine(floors);
      const check = combine(checks);
      return [
        result({
          name: 'policy-check-nats',
          value: check.perSecond,
          unit: 'req/s',
          floor: floor.perSecond,
          target: '>= 0.8',
          p50Ms: Number(check.p50Ms.toFixed(3)),
          p99Ms: Number(check.p99Ms.toFixed(3)),
          floorP99Ms: Number(floor.p99Ms.toFixed(3)),
          allowedShare: Number(check.allowedShare.toFixed(2)),
          events: seeded.events,
          coldStartMs,
          rssMb,
        }),
      ];
    } finally {
      stopEcho?.();
      await policy?.stop();
      await nats.close();
      await natsServer.stop();
      await db.drop();
    }
  },
};
