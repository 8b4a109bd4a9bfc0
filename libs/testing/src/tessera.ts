import { connect, type NatsConnection } from '@nats-io/transport-node';
import { APP_NAMES, type AppName } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { startApp, type AppProcess } from './app-process';
import { createTestDatabase, type TestDatabase } from './database';
import { startNatsServer, type TestNatsServer, type TestNatsServerOptions } from './nats-server';
import { freePort } from './ports';
import { startSupervisor, type Supervisor } from './supervisor';

export interface TesseraUnderTest {
  baseUrl: string;
  port: number;
  env: Record<string, string>;
  db: TestDatabase;
  natsServer: TestNatsServer;
  /** A bare NATS client, as any other service would use. */
  nats: NatsConnection;
  /** The typed client over `nats`, as the gateway uses it. */
  client: TesseraClient;
  apps: AppProcess[];
  /** With `supervised`: the supervisor running the five apps (`apps` is then empty). */
  supervisor?: Supervisor;
  /** Starts one more replica of an app against the same database and NATS (a gateway gets its own port). */
  startReplica(app: AppName, env?: Record<string, string>): Promise<AppProcess & { baseUrl?: string }>;
  /** Stops every app process (not the database or NATS), as a redeploy would. */
  stopApps(): Promise<void>;
  /** Starts every app again and waits for /readyz. */
  startApps(): Promise<void>;
  waitUntilReady(baseUrl?: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsCredentials {
  user: string;
  password: string;
  /** The client's `inboxPrefix`, for a user that may read only its own inbox. */
  inboxPrefix?: string;
}

export interface TesseraOptions {
  env?: Record<string, string>;
  /** A NATS server with authorization: each app connects as its own user, `nats` as `client`. */
  nats?: TestNatsServerOptions & { apps: Record<AppName, NatsCredentials>; client: NatsCredentials };
  /** The PostgreSQL server to make the test database on (a private one of startPostgresServer); the shared one by default. */
  databaseServer?: string;
  /** Runs the apps under the real supervisor (`npm start`) instead of one process each. */
  supervised?: boolean;
  /** How long each app may take to listen, and all to be ready, in ms (startApp's default, and 30 s or 90 s supervised, to be ready). */
  startTimeoutMs?: number;
}

/** All five apps as real processes on a database and NATS server of their own. */
export async function startTessera(options: TesseraOptions = {}): Promise<TesseraUnderTest> {
  const db = await createTestDatabase(options.databaseServer);
  const natsServer = await startNatsServer(options.nats);
  const port = await freePort();
  const env = {
    DATABASE_URL: db.url,
    NATS_URL: natsServer.url,
    PORT: String(port),
    NODE_ENV: 'test',
    TESSERA_POLL_INTERVAL_MS: '200',
    // Tests run side by side: each NATS app's metrics on a free port (logged), not on its default.
    TESSERA_METRICS_PORT: '0',
    ...options.env,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  // Reconnects as the apps do (at once, forever), so a test that restarts NATS gets this client back too.
  const client = options.nats?.client;
  const nats = await connect({
    servers: natsServer.url,
    user: client?.user,
    pass: client?.password,
    inboxPrefix: client?.inboxPrefix,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  /** An app's environment: its own NATS user in NATS_URL when the server has authorization. */
  const envOf = (app: AppName): Record<string, string> => {
    const own = options.nats?.apps[app];
    if (!own) return env;
    return {
      ...env,
      NATS_URL: natsServer.url.replace('nats://', `nats://${encodeURIComponent(own.user)}:${encodeURIComponent(own.password)}@`),
    };
  };
  const replicas: AppProcess[] = [];

  const tessera: TesseraUnderTest = {
    baseUrl,
    port,
    env,
    db,
    natsServer,
    nats,
    client: new TesseraClient(nats),
    apps: [],
    async startReplica(app, extraEnv = {}) {
      const replicaPort = app === 'gateway' ? await freePort() : port;
      const replica = await startApp(app, { ...envOf(app), PORT: String(replicaPort), ...extraEnv }, options.startTimeoutMs);
      replicas.push(replica);
      return Object.assign(replica, app === 'gateway' ? { baseUrl: `http://127.0.0.1:${replicaPort}` } : {});
    },
    async stopApps() {
      await Promise.all([...tessera.apps, ...replicas].map((app) => app.stop()));
      await tessera.supervisor?.stop();
      tessera.apps = [];
      tessera.supervisor = undefined;
      replicas.length = 0;
    },
    async startApps() {
      // The apps own different schemas, so they can start side by side.
      if (options.supervised) tessera.supervisor = startSupervisor(env);
      else {
        // Every app that did start is kept, so stop() ends it even when another failed to start.
        const started = await Promise.allSettled(APP_NAMES.map((app) => startApp(app, envOf(app), options.startTimeoutMs)));
        tessera.apps = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
        const failed = started.find((result) => result.status === 'rejected');
        if (failed) throw failed.reason;
      }
      // Under the supervisor nothing waits for each app to listen first: give the five apps together as long.
      await tessera.waitUntilReady(baseUrl, options.startTimeoutMs ?? (options.supervised ? 90_000 : 30_000));
    },
    async waitUntilReady(url = baseUrl, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        if (response?.status === 200) return;
        last = response ? await response.text() : 'no answer';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(
        `not ready after ${timeoutMs} ms: ${last}\n${tessera.apps.map((app) => `--- ${app.app}\n${app.output()}`).join('\n')}` +
          (tessera.supervisor ? `\n--- supervisor\n${tessera.supervisor.output()}` : ''),
      );
    },
    async stop() {
      await tessera.stopApps();
      await nats.close();
      await natsServer.stop();
      await db.drop();
    },
  };
  try {
    await tessera.startApps();
  } catch (error) {
    await tessera.stop();
    throw error;
  }
  return tessera;
}
