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

export interface TestNatsCluster {
  /** Every server's client URL, comma separated, as NATS_URL takes them. */
  url: string;
  servers: { name: string; url: string; port: number; running(): boolean }[];
  /** Kills one server (SIGKILL: its clients see the connection cut, as in a crash). */
  kill(index: number): Promise<void>;
  /** Starts a killed server again and waits until it has its routes back. */
  start(index: number): Promise<void>;
  /** Resolves once every running server routes to every other running one. */
  waitForRoutes(timeoutMs?: number): Promise<void>;
  /** The names of the clients connected to one server (`tessera-gateway`, …). */
  clientNames(index: number): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * A NATS cluster of `size` real nats-servers on loopback, routed to each other as
 * docker-compose.yml routes its three (the same flags, and the same config file when given).
 */
export async function startNatsCluster(size = 3, options: TestNatsServerOptions = {}): Promise<TestNatsCluster> {
  const nodes = await Promise.all(
    Array.from({ length: size }, async (_, index) => ({
      name: `nats-${index + 1}`,
      port: await freePort(),
      routePort: await freePort(),
      monitorPort: await freePort(),
      process: undefined as ChildProcess | undefined,
    })),
  );
  const routes = nodes.map((node) => `nats://127.0.0.1:${node.routePort}`).join(',');
  const launch = async (node: (typeof nodes)[number]) => {
    const config = options.config ? ['-c', options.config] : [];
    node.process = spawn(
      NATS_SERVER,
      [
        ...config,
        ...['-a', '127.0.0.1', '-p', String(node.port), '-m', String(node.monitorPort), '--server_name', node.name],
        ...['--cluster_name', 'tessera', '--cluster', `nats://127.0.0.1:${node.routePort}`, '--routes', routes],
      ],
      { stdio: 'ignore', env: { ...globalThis.process.env, ...options.env } },
    );
    await waitForPort(node.port);
  };
  const running = () => nodes.filter((node) => node.process && node.process.exitCode === null && node.process.signalCode === null);
  const waitForRoutes = async (timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const up = running();
      const counts = await Promise.all(
        up.map(async (node) => {
          const response = await fetch(`http://127.0.0.1:${node.monitorPort}/routez`).catch(() => undefined);
          if (!response?.ok) return -1;
          // Routes, not connections: a route may be soliciting from both sides for a moment.
          const routez = (await response.json()) as { routes?: { remote_id: string }[] };
          return new Set((routez.routes ?? []).map((route) => route.remote_id)).size;
        }),
      );
      if (counts.every((count) => count === up.length - 1)) return;
      if (Date.now() > deadline) throw new Error(`NATS cluster routes not formed after ${timeoutMs} ms: ${counts.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async (node: (typeof nodes)[number], signal: NodeJS.Signals) => {
    const child = node.process;
    node.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  };

  await Promise.all(nodes.map(launch));
  await waitForRoutes();
  return {
    url: nodes.map((node) => `nats://127.0.0.1:${node.port}`).join(','),
    servers: nodes.map((node) => ({
      name: node.name,
      url: `nats://127.0.0.1:${node.port}`,
      port: node.port,
      running: () => running().includes(node),
    })),
    kill: (index) => kill(nodes[index], 'SIGKILL'),
    async start(index) {
      await launch(nodes[index]);
      await waitForRoutes();
    },
    waitForRoutes,
    async clientNames(index) {
      const response = await fetch(`http://127.0.0.1:${nodes[index].monitorPort}/connz?limit=1000`);
      const connz = (await response.json()) as { connections?: { name?: string }[] };
      return (connz.connections ?? []).map((connection) => connection.name ?? '');
    },
    async stop() {
      await Promise.all(nodes.map((node) => kill(node, 'SIGTERM')));
    },
  };
}
