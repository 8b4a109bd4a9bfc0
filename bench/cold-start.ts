import { spawn } from 'node:child_process';
import type { NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, type HealthReply, type NATS_APPS } from '@tessera/contracts';
import { ROOT } from '@tessera/testing';

export interface StartedApp {
  /** From spawning the process until its health subject first says ready. */
  ms: number;
  /** The log position its indexes reflected when it first said ready. */
  revision: number;
  pid: number;
  stop(): Promise<void>;
}

/** Starts one app as `npm start` does (one process, dist/) and measures until it reports ready over NATS; leaves it running. */
export async function coldStart(
  app: (typeof NATS_APPS)[number],
  env: Record<string, string>,
  nats: NatsConnection,
  extraArgs: string[] = [],
): Promise<StartedApp> {
  const began = performance.now();
  const child = spawn(process.execPath, [...extraArgs, '-r', './scripts/register-paths.js', `dist/apps/${app}/src/main.js`], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TESSERA_DB_POOL_SIZE: '4', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
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
