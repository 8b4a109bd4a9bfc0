import { spawn } from 'node:child_process';
import { Query, type Pool, type QueryArrayConfig } from 'pg';
import { copyOut } from '@tessera/event-store';
import { ROOT } from '@tessera/testing';

/**
 * The floor of a catch-up: the log's `columns` read raw with pg in position order, as pg hands
 * them over (jsonb parsed, numbers and texts as strings), each row dropped as it arrives. `batch`
 * rows a query as a LogSubscription reads them, or the whole log in one query when omitted.
 * Resolves with the rows read; the first column must be the position.
 */
export async function readLogRaw(pool: Pool, columns: string, batch?: number): Promise<number> {
  const client = await pool.connect();
  try {
    let after = 0;
    let total = 0;
    for (;;) {
      let read = 0;
      await new Promise<void>((resolve, reject) => {
        const config: QueryArrayConfig = {
          text: `SELECT ${columns} FROM event_store.events WHERE position > $1 ORDER BY position${batch ? ' LIMIT $2' : ''}`,
          values: batch ? [after, batch] : [after],
          rowMode: 'array',
        };
        // A 'row' listener and no callback: node-postgres keeps no rows, as streamPayloads reads.
        const query = new Query<unknown[]>(config);
        query.on('row', (row: unknown[]) => {
          read += 1;
          after = row[0] as number;
        });
        query.on('end', () => resolve());
        query.on('error', reject);
        void client.query(query);
      });
      total += read;
      if (!batch || read < batch) return total;
    }
  } finally {
    client.release();
  }
}

/** `COPY (sql) TO STDOUT …`: the bytes PostgreSQL sends, handed to `onChunk` as they arrive. */
export async function copyRaw(pool: Pool, sql: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  const client = await pool.connect();
  try {
    await copyOut(client, sql, onChunk);
  } finally {
    client.release();
  }
}

/**
 * The floor of every HTTP scenario: a bare Fastify hello-world in a process of its own, as the
 * gateway runs in one. Resolves once it listens.
 */
export async function startHelloWorld(): Promise<{ origin: string; path: string; body: string; pid: number; stop: () => void }> {
  const script = `
    const fastify = require('fastify')();
    fastify.get('/hello', async () => ({ hello: 'world' }));
    fastify.listen({ port: 0, host: '127.0.0.1' }).then((address) => console.log(address));`;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the Fastify floor exited with ${code}`)));
  });
  return { origin: address, path: '/hello', body: '{"hello":"world"}', pid: child.pid!, stop: () => child.kill('SIGTERM') };
}

/** A bare NATS responder in its own process, as the policy app is: replies with the request's bytes. */
export async function startEchoResponder(url: string, subject: string): Promise<{ pid: number; stop: () => void }> {
  const script = `
    const { connect } = require('@nats-io/transport-node');
    connect({ servers: ${JSON.stringify(url)} }).then((nc) => {
      nc.subscribe(${JSON.stringify(subject)}, { queue: 'bench', callback: (_e, m) => m.respond(m.data) });
      nc.flush().then(() => console.log('listening'));
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the echo responder exited with ${code}`)));
  });
  return { pid: child.pid!, stop: () => child.kill('SIGTERM') };
}
