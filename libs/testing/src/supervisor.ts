import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AppName } from '@tessera/contracts';
import { ROOT } from './app-process';

/** The supervisor's line for each app it starts: `token    | started (pid 1234)`. */
const STARTED = /^(\w+)\s+\| started \(pid (\d+)\)$/gm;

export interface Supervisor {
  /** Everything the supervisor and its apps printed. */
  output(): string;
  /** Pids of an app's processes, in the order the supervisor started them. */
  pids(app: AppName): number[];
  /** Resolves with the pid of the app's `count`-th start (1 = the first), once the supervisor has made it. */
  waitForStart(app: AppName, count: number, timeoutMs?: number): Promise<number>;
  /** Sends a signal to the app's current process (as a crash or an OOM kill would end it). */
  killApp(app: AppName, signal?: NodeJS.Signals): Promise<void>;
  /** SIGKILL to the supervisor and every app at once, as a lost machine would end them. */
  killAll(): Promise<void>;
  /** SIGTERM, as an operator's Ctrl-C or `docker stop`; resolves with the supervisor's exit code. */
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs the apps under the real supervisor, `npm start` without the build (`scripts/start.js
 * --no-build`), in a process group of its own so a test can kill the whole stack at once.
 */
export function startSupervisor(env: Record<string, string>, apps: AppName[] = []): Supervisor {
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.js', '--no-build', ...apps], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', TESSERA_DB_POOL_SIZE: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const pids = (app: AppName) => [...output.matchAll(STARTED)].filter((match) => match[1] === app).map((match) => Number(match[2]));
  // A zombie (killed, not yet reaped by whoever inherited it) counts as gone.
  const alive = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
    } catch {
      return false;
    }
  };
  const waitUntil = async (condition: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  return {
    output: () => output,
    pids,
    async waitForStart(app, count, timeoutMs = 30_000) {
      await waitUntil(() => pids(app).length >= count || gone, `start ${count} of ${app}`, timeoutMs);
      if (pids(app).length < count) throw new Error(`the supervisor exited before starting ${app} again:\n${output}`);
      return pids(app)[count - 1];
    },
    async killApp(app, signal = 'SIGKILL') {
      const pid = pids(app).at(-1);
      if (pid === undefined) throw new Error(`${app} was never started:\n${output}`);
      process.kill(pid, signal);
      await waitUntil(() => !alive(pid), `${app} (pid ${pid}) gone after ${signal}`, 10_000);
    },
    async killAll() {
      const everyPid = [child.pid!, ...(['identity', 'token', 'policy', 'audit', 'gateway'] as AppName[]).flatMap(pids)];
      if (!gone) process.kill(-child.pid!, 'SIGKILL');
      await exited;
      await waitUntil(() => everyPid.every((pid) => !alive(pid)), 'every process of the stack gone', 10_000);
    },
    async stop() {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
    exited,
  };
}
