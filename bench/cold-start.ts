import { spawn } from 'node:child_process';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import { SUBJECTS, type HealthReply, type NATS_APPS } from '@tessera/contracts';
import { appNodeOptions, ROOT } from '@tessera/testing';
import { copyRaw, readLogRaw } from './floors';
import { alternate, profiled, rssMb, SAMPLES, timed } from './measure';

export interface StartedApp {
  /** From spawning the process until its health subject first says ready. */
  ms: number;
  /** The log position its indexes reflected when it first said ready. */
  revision: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts one app as `npm start` does (one process, dist/, the app's own Node options) and measures until it reports ready over NATS; leaves it running. */
export async function coldStart(
  app: (typeof NATS_APPS)[number],
  env: Record<string, string>,
  nats: NatsConnection,
  extraArgs: string[] = [],
): Promise<StartedApp> {
  const began = performance.now();
  const child = spawn(
    process.execPath,
    [...appNodeOptions(app), ...extraArgs, '-r', './scripts/register-paths.js', `dist/apps/${app}/src/main.js`],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', TESSERA_DB_POOL_SIZE: '4', ...profiled(app, env) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let revision: number;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} app exited with ${child.exitCode}`);
    if (performance.now() - began > 300_000) {
      child.kill('SIGKILL');
      throw new Error(`${app} app not ready after 300 s`);
    }
    try {
      const reply = (await nats.request(SUBJECTS.health(app), '{}', { timeout: 500 })).json<HealthReply>();
      if (reply.ready) {
        revision = Number(reply.revision);
        break;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    ms: performance.now() - began,
    revision,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface ColdStartSamples {
  /** The floor: what the app reads of the log, read raw with pg, ms. */
  floor: number[];
  fromLog: number[];
  fromSnapshot: number[];
  rssFromLogMb: number[];
  rssFromSnapshotMb: number[];
}

/**
 * Cold starts of an app over a log of `events` events, alternating with the raw read of what it
 * reads (`reads`): each project sample starts from the log (no snapshot), waits for the
 * snapshot the app saves after a long replay, then starts again from it. Each start must report
 * ready at the head of the log.
 */
export async function coldStartSamples(options: {
  app: 'token' | 'policy';
  env: Record<string, string>;
  nats: NatsConnection;
  pool: Pool;
  snapshot: string;
  events: number;
  /** What the app reads of the log: these columns of every event, or the bytes of this COPY. */
  reads: { columns: string } | { copy: string };
}): Promise<ColdStartSamples> {
  const { app, env, nats, pool, snapshot, events } = options;
  const samples: ColdStartSamples = { floor: [], fromLog: [], fromSnapshot: [], rssFromLogMb: [], rssFromSnapshotMb: [] };
  const started = async (from: string) => {
    const running = await coldStart(app, env, nats);
    if (running.revision !== events)
      throw new Error(`the ${app} app said ready at ${running.revision} from ${from}, the log ends at ${events}`);
    return running;
  };
  const { reads } = options;
  const floor = async () => {
    if ('copy' in reads) {
      // The COPY's bytes, as they arrive: counting its rows would be work the floor need not do.
      let bytes = 0;
      const ms = await timed(() => copyRaw(pool, reads.copy, (chunk) => (bytes += chunk.length)));
      if (bytes === 0) throw new Error('the raw COPY of the log gave no bytes');
      return ms;
    }
    let rows = 0;
    const ms = await timed(async () => (rows = await readLogRaw(pool, reads.columns)));
    if (rows !== events) throw new Error(`the raw read gave ${rows} rows, the log holds ${events}`);
    return ms;
  };
  const project = async () => {
    await pool.query('DELETE FROM event_store.snapshots WHERE name = $1', [snapshot]);
    const fromLog = await started('the log');
    samples.rssFromLogMb.push(rssMb(fromLog.pid));
    await snapshotSaved(pool, snapshot, events);
    await fromLog.stop();
    const fromSnapshot = await started('its snapshot');
    samples.fromSnapshot.push(fromSnapshot.ms);
    samples.rssFromSnapshotMb.push(rssMb(fromSnapshot.pid));
    await fromSnapshot.stop();
    return fromLog.ms;
  };
  const paired = await alternate(SAMPLES, floor, project);
  return { ...samples, floor: paired.floor, fromLog: paired.project };
}

/** The app snapshots right after a long replay; a start from it waits for that. */
async function snapshotSaved(pool: Pool, name: string, position: number): Promise<void> {
  for (let tries = 0; tries < 1200; tries += 1) {
    const saved = await pool.query('SELECT 1 FROM event_store.snapshots WHERE name = $1 AND position = $2', [name, position]);
    if (saved.rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${name} snapshot at ${position} within 120 s of the replay`);
}
