import type { HttpAdapterHost } from '@nestjs/core';
import fastify, { type FastifyInstance } from 'fastify';
import type { TokenIndexReplica } from '@tessera/token-index';
import { RevisionHook } from './revision.hook';

/** The replica's part the hook reads: its position, and a wait that settles when the test says. */
class ReplicaAt {
  readonly waits: number[] = [];
  private release = (): void => undefined;
  private waited = (): void => undefined;
  /** Settles when the hook asks the replica to wait. */
  readonly asked = new Promise<void>((resolve) => (this.waited = resolve));
  constructor(public position: number) {}

  waitFor(position: number): Promise<boolean> {
    this.waits.push(position);
    this.waited();
    return new Promise((resolve) => {
      this.release = () => {
        this.position = position;
        resolve(true);
      };
    });
  }

  catchUp(): void {
    this.release();
  }
}

describe('RevisionHook', () => {
  let app: FastifyInstance;
  let replica: ReplicaAt;
  let base: string;

  beforeEach(async () => {
    app = fastify();
    replica = new ReplicaAt(10);
    new RevisionHook(
      { httpAdapter: { getInstance: () => app } } as unknown as HttpAdapterHost,
      replica as unknown as TokenIndexReplica,
    ).onModuleInit();
    app.get('/object', () => ({ revision: '12', ok: true }));
    app.delete('/sent', (_request, reply) => reply.header('X-Tessera-Revision', '15').type('application/json').send('"success"'));
    app.get('/refused', (_request, reply) => reply.status(403).header('X-Tessera-Revision', '20').send({ error: 'forbidden' }));
    app.get('/read', (_request, reply) => reply.header('X-Tessera-Revision', '9').send({ revision: '9' }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterEach(() => app.close());

  /** Whether the answer arrived by the time the hook asked the replica to wait, and a few turns after. */
  async function arrivedBeforeCatchUp(answer: Promise<unknown>): Promise<boolean> {
    let arrived = false;
    void answer.then(() => (arrived = true));
    await Promise.race([replica.asked, answer]);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    return arrived;
  }

  it("holds a route's own reply.send with a revision ahead of the replica until the replica reflects it", async () => {
    const answer = fetch(`${base}/sent`, { method: 'DELETE' });
    expect(await arrivedBeforeCatchUp(answer)).toBe(false);
    expect(replica.waits).toEqual([15]);
    replica.catchUp();
    const reply = await answer;
    expect([reply.status, await reply.text(), reply.headers.get('x-tessera-revision')]).toEqual([200, '"success"', '15']);
    expect(replica.position).toBe(15);
  });

  it('puts the revision of a returned object in the header and holds the answer the same way', async () => {
    const answer = fetch(`${base}/object`);
    expect(await arrivedBeforeCatchUp(answer)).toBe(false);
    replica.catchUp();
    const reply = await answer;
    expect(reply.headers.get('x-tessera-revision')).toBe('12');
    expect(await reply.json()).toEqual({ revision: '12', ok: true });
  });

  it('answers at once a revision the replica already reflects, and an error whatever its revision', async () => {
    expect((await fetch(`${base}/read`)).status).toBe(200);
    expect((await fetch(`${base}/refused`)).status).toBe(403);
    expect(replica.waits).toEqual([]);
  });
});
