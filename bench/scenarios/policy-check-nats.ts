import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, type HealthReply } from '@tessera/contracts';
import { ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, startApp, startNatsServer } from '@tessera/testing';
import { startEchoResponder } from '../floors';
import { alternate, appPid, appRssMb, cpuMs, percentile, profiled, summarize } from '../measure';
import { result, type Scenario } from '../scenario';
import { BenchWorld, checksOf, REFUSALS, seedEvents, type Check } from '../seed';

const USERS = Number(process.env.BENCH_POLICY_USERS ?? 10_000);
const SIZES = { users: USERS, groups: 1_000, datasets: 1_000, grants: 50_000, groupsPerUser: 3 };
const WARM_UP_MS = 300;
/** Each round measures this long after its warm-up (BENCH_NATS_MEASURE_MS). */
const MEASURE_MS = Number(process.env.BENCH_NATS_MEASURE_MS ?? 2_000);
/** Floor and project alternate, so a noisy neighbour on the shared machine hits both alike. */
const ROUNDS = 3;
/** Requests outstanding from the one client: throughput at 64, latency at 1 and 8. */
const IN_FLIGHT = [64, 1, 8];
const ECHO = 'bench.echo';

interface Round {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers per expected outcome (`granted` or the refusal's reason). */
  outcomes: Record<string, number>;
  /** CPU time the responder spent per answer (warm-up included), in µs. */
  cpuUsPerRequest: number;
}

/**
 * `inFlight` requests outstanding from one client for WARM_UP_MS + MEASURE_MS; only the measured
 * window counts. Every reply is judged: the echo must return the payload, the policy app the
 * expected decision. An error reply or a wrong decision fails the scenario.
 */
async function load(
  nats: NatsConnection,
  subject: string,
  checks: Check[],
  payloads: string[],
  inFlight: number,
  responder: number,
): Promise<Round> {
  const cpuBefore = cpuMs([responder]);
  let answers = 0;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const echo = subject === ECHO;
  const started = Date.now();
  const measureFrom = started + WARM_UP_MS;
  const end = measureFrom + MEASURE_MS;
  let next = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const at = next++ % payloads.length;
      const sent = process.hrtime.bigint();
      const reply = (await nats.request(subject, payloads[at], { timeout: 5_000 })).string();
      const took = Number(process.hrtime.bigint() - sent) / 1e6;
      answers += 1;
      const expected = checks[at].expected;
      if (echo) {
        if (reply !== payloads[at]) throw new Error(`the echo answered ${reply.slice(0, 200)}`);
      } else {
        const decision = JSON.parse(reply) as { allowed?: boolean; reason?: string; error?: unknown };
        if (decision.error !== undefined || decision.reason !== expected || decision.allowed !== (expected === 'granted'))
          throw new Error(`expected ${expected} for ${payloads[at]}, the policy app answered ${reply}`);
      }
      const now = Date.now();
      if (now >= measureFrom && now < end) {
        latencies.push(took);
        outcomes[expected] = (outcomes[expected] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / (MEASURE_MS / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    outcomes,
    cpuUsPerRequest: ((cpuMs([responder]) - cpuBefore) * 1000) / answers,
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

export const policyCheckNats: Scenario = {
  name: 'policy-check-nats',
  rows: ['policy-check-nats-p99', 'policy-check-nats-1', 'policy-check-nats-8'],
  description: `tessera.v1.policy.check over NATS, half allowed and half refused (${REFUSALS.join(', ')}), ${IN_FLIGHT.join(', ')} in flight, ${USERS} users / ${SIZES.groups} groups / ${SIZES.datasets} datasets / ${SIZES.grants} grants, vs a bare NATS echo responder (same payloads, same client; ${ROUNDS} rounds each, alternating)`,
  async run() {
    const db = await createTestDatabase();
    const natsServer = await startNatsServer();
    const nats = await connect({ servers: natsServer.url });
    let echo: { pid: number; stop: () => void } | undefined;
    let policy: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      await ensureEventStoreSchema(db.pool);
      const world = new BenchWorld(SIZES);
      const events = await seedEvents(db.pool, world.events);
      const coldStart = Date.now();
      policy = await startApp('policy', profiled('policy', { DATABASE_URL: db.url, NATS_URL: natsServer.url, NODE_ENV: 'test' }), 120_000);
      await waitReady(nats, 120_000);
      const coldStartMs = Date.now() - coldStart;
      const rssMb = appRssMb('policy');

      // The same payloads on both sides: a user's own token and a dataset, every other one allowed.
      const checks = checksOf(world, 5_000);
      const payloads = checks.map((check) => JSON.stringify(check.payload));
      echo = await startEchoResponder(natsServer.url, ECHO);
      const policyPid = appPid('policy')!;
      const levels = new Map<number, { floor: Round[]; project: Round[] }>();
      for (const inFlight of IN_FLIGHT) {
        levels.set(
          inFlight,
          await alternate(
            ROUNDS,
            () => load(nats, ECHO, checks, payloads, inFlight, echo!.pid),
            () => load(nats, SUBJECTS.policyCheck, checks, payloads, inFlight, policyPid),
          ),
        );
      }
      const median = (rounds: Round[], figure: (round: Round) => number) => Number(summarize(rounds.map(figure)).median.toFixed(3));
      const latency = (inFlight: number) => {
        const { floor, project } = levels.get(inFlight)!;
        return {
          p50Ms: median(project, (r) => r.p50Ms),
          p99Ms: median(project, (r) => r.p99Ms),
          floorP50Ms: median(floor, (r) => r.p50Ms),
          floorP99Ms: median(floor, (r) => r.p99Ms),
          cpuUsPerRequest: median(project, (r) => r.cpuUsPerRequest),
          floorCpuUsPerRequest: median(floor, (r) => r.cpuUsPerRequest),
          cpuRatio: Number((median(floor, (r) => r.cpuUsPerRequest) / median(project, (r) => r.cpuUsPerRequest)).toFixed(3)),
        };
      };
      const busy = levels.get(64)!;
      const answered: Record<string, number> = {};
      for (const round of busy.project)
        for (const [reason, count] of Object.entries(round.outcomes)) answered[reason] = (answered[reason] ?? 0) + count;
      const total = Object.values(answered).reduce((sum, count) => sum + count, 0);
      const shares = Object.fromEntries(Object.entries(answered).map(([reason, count]) => [reason, Number((count / total).toFixed(3))]));
      return [
        result({
          name: 'policy-check-nats',
          value: busy.project.map((r) => r.perSecond),
          unit: 'req/s',
          floor: busy.floor.map((r) => r.perSecond),
          target: '>= 0.9',
          inFlight: 64,
          ...latency(64),
          allowedShare: shares.granted,
          answers: shares,
          events,
          coldStartMs,
          rssMb,
        }),
        result({
          name: 'policy-check-nats-p99',
          value: busy.project.map((r) => r.p99Ms),
          unit: 'ms',
          floor: busy.floor.map((r) => r.p99Ms),
          target: '<= 1.5',
          inFlight: 64,
        }),
        result({
          name: 'policy-check-nats-1',
          value: levels.get(1)!.project.map((r) => r.p50Ms),
          unit: 'ms (p50)',
          floor: levels.get(1)!.floor.map((r) => r.p50Ms),
          target: '<= 1.5',
          inFlight: 1,
          ...latency(1),
        }),
        result({
          name: 'policy-check-nats-8',
          value: levels.get(8)!.project.map((r) => r.p50Ms),
          unit: 'ms (p50)',
          floor: levels.get(8)!.floor.map((r) => r.p50Ms),
          target: 'report',
          inFlight: 8,
          ...latency(8),
          perSecond: median(levels.get(8)!.project, (r) => r.perSecond),
          floorPerSecond: median(levels.get(8)!.floor, (r) => r.perSecond),
        }),
      ];
    } finally {
      echo?.stop();
      await policy?.stop();
      await nats.close();
      await natsServer.stop();
      await db.drop();
    }
  },
};
