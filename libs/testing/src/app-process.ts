import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppName } from '@tessera/contracts';

/** The repository root (this file runs from libs/ under jest and from dist/libs/ in benchmarks). */
export const ROOT = findRoot(__dirname);

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'register-paths.js'))) return dir;
  }
  throw new Error(`no repository root above ${from}`);
}
const LISTENING = /listening on/;

export interface AppProcess {
  app: AppName;
  /** Everything the process printed, for assertions and for failure messages. */
  output(): string;
  stop(): Promise<void>;
  exited: Promise<number | null>;
  /** False once the process has exited, for whatever reason. */
  running(): boolean;
}

/** The app's own Node options, as `npm start` gives them (scripts/app-node-options.json, see scripts/start.js). */
export function appNodeOptions(app: string): string[] {
  const options = JSON.parse(readFileSync(join(ROOT, 'scripts/app-node-options.json'), 'utf8')) as Record<string, string[]>;
  return options[app] ?? [];
}

/**
 * Runs one built app (dist/) as a real process with the given environment; resolves once it listens.
 * The bound is generous: on a loaded 2-core machine, five apps loading NestJS at once take 20 s and more.
 */
export async function startApp(app: AppName, env: Record<string, string>, timeoutMs = 90_000): Promise<AppProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--enable-source-maps', ...appNodeOptions(app), '-r', './scripts/register-paths.js', `dist/apps/${app}/src/main.js`],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', TESSERA_DB_POOL_SIZE: '4', TESSERA_METRICS_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  while (!LISTENING.test(output)) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app} did not start within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    app,
    output: () => output,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
