import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const run = promisify(execFile);

/** PostgreSQL refuses to run as root: as root, the server runs as this user (Debian's package makes it). */
const SERVER_USER = process.env.TEST_POSTGRES_USER ?? 'postgres';

export interface TestPostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>`: a server URL without a database, as TEST_DATABASE_SERVER is. */
  url: string;
  port: number;
  /** Stops the server: `immediate` is a crash (no checkpoint, every connection cut), `fast` a clean stop. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): string;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL server of its own for one test file (initdb and pg_ctl on a free loopback port), so a
 * test can kill and restart it without touching the shared server on 5432.
 */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  const bin = postgresBinDir();
  const port = await freePort();
  const base = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const data = join(base, 'data');
  const logFile = join(base, 'server.log');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { uid, gid } = await serverUser();
    chownSync(base, uid, gid);
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', SERVER_USER, '--', join(bin, tool), ...args]) : run(join(bin, tool), args);

  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // The socket lives beside the data, not in /var/run/postgresql, which a test user may not own.
  const options = [`-p ${port}`, `-k ${base}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c full_page_writes=off'].join(' ');
  const start = async () => {
    await pg('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', options]);
  };
  const stop = async (mode: 'immediate' | 'fast' = 'fast') => {
    await pg('pg_ctl', ['stop', '-D', data, '-m', mode, '-w', '-t', '60']);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}`,
    port,
    stop,
    start,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async destroy() {
      await stop('fast').catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** The newest PostgreSQL's binaries (Debian keeps them under /usr/lib/postgresql/<version>/bin), or POSTGRES_BIN. */
export function postgresBinDir(): string {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}: set POSTGRES_BIN`);
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

async function serverUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', SERVER_USER]).catch(() => {
    throw new Error(`tests run as root, and PostgreSQL will not: create the user ${SERVER_USER} (or set TEST_POSTGRES_USER)`);
  });
  const gid = await run('id', ['-g', SERVER_USER]);
  return { uid: Number(stdout.trim()), gid: Number(gid.stdout.trim()) };
}
