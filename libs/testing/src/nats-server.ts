import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

export interface TestNatsServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops the server process and starts a new one on the same port. */
  restart(downMs?: number): Promise<void>;
}

/**
 * A real nats-server (with JetStream) of its own for one test file: the contract's subjects are
 * fixed, so files sharing one server would answer each other's requests.
 */
export interface TestNatsServerOptions {
  /** A server config file (`-c`), for instance one with authorization; the port and address stay the test's. */
  config?: string;
  /** Environment of the server process: the variables the config refers to. */
  env?: Record<string, string>;
}

export async function startNatsServer(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'tessera-nats-'));
  let process: ChildProcess | undefined;

  const launch = async () => {
    const config = options.config ? ['-c', options.config] : [];
    process = spawn(NATS_SERVER, [...config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
      stdio: 'ignore',
      env: { ...globalThis.process.env, ...options.env },
    });
    await waitForPort(port);
  };
  const kill = async () => {
    const running = process;
    process = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async stop() {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
    async restart(downMs = 500) {
      await kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await launch();
    },
  };
}
