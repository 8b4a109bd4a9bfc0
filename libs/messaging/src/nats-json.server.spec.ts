import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { TesseraError } from '@tessera/contracts';
import { eventually, startNatsServer, type TestNatsServer } from '@tessera/testing';
import { connectNats } from './nats-connection';
import { NatsJsonContext } from './nats-json.context';
import { NatsJsonServer } from './nats-json.server';
import { requestJson } from './nats-request';
import { RpcErrorsFilter } from './rpc-errors.filter';

const handledBy: string[] = [];

function echoController(replica: string) {
  @Controller()
  class EchoController {
    @MessagePattern('test.echo')
    echo(@Payload() body: { n: number }, @Ctx() context: NatsJsonContext) {
      handledBy.push(replica);
      return { n: body.n, authorization: context.authorization ?? null, subject: context.subject };
    }

    @MessagePattern('test.fail')
    fail(): never {
      throw new TesseraError('conflict', 'name taken', [{ field: 'name' }]);
    }

    @MessagePattern('test.null-error')
    nullError() {
      return { status: 'done', error: null };
    }

    @MessagePattern('test.crash')
    crash(): never {
      throw new Error('secret internals');
    }
  }
  return EchoController;
}

describe('NatsJsonServer (plain JSON over NATS)', () => {
  let natsServer: TestNatsServer;
  let client: NatsConnection;
  const replicas: INestMicroservice[] = [];
  const connections: NatsConnection[] = [];

  async function startReplica(name: string): Promise<void> {
    const nats = await connectNats([natsServer.url], name);
    connections.push(nats);
    const app = await NestFactory.createMicroservice({ module: class {}, controllers: [echoController(name)] } as never, {
      strategy: new NatsJsonServer(nats, 'tessera.test'),
      logger: false,
    });
    app.useGlobalFilters(new RpcErrorsFilter());
    await app.listen();
    // The server has its subscriptions once it answers a ping sent after them: only then is it a replica the queue group knows.
    await nats.flush();
    replicas.push(app);
  }

  beforeAll(async () => {
    natsServer = await startNatsServer();
    await startReplica('one');
    client = await connect({ servers: natsServer.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await Promise.all(replicas.map((app) => app.close()));
    await Promise.all(connections.map((nats) => nats.close()));
    await client.close();
    await natsServer.stop();
  });

  it('answers a bare client with plain JSON, no framework envelope, and reads the Authorization header', async () => {
    const requestHeaders = headers();
    requestHeaders.set('Authorization', 'Bearer tsrv_example');
    const reply = await client.request('test.echo', JSON.stringify({ n: 7 }), { timeout: 2000, headers: requestHeaders });
    expect(reply.json()).toEqual({ n: 7, authorization: 'Bearer tsrv_example', subject: 'test.echo' });
  });

  it('answers errors as {"error":{"code","message"}} and hides unexpected ones', async () => {
    expect((await client.request('test.fail', '{}', { timeout: 2000 })).json()).toEqual({
      error: { code: 'conflict', message: 'name taken', details: [{ field: 'name' }] },
    });
    expect((await client.request('test.crash', '{}', { timeout: 2000 })).json()).toEqual({
      error: { code: 'internal_error', message: 'internal error' },
    });
    expect((await client.request('test.echo', 'not json', { timeout: 2000 })).json()).toEqual({
      error: { code: 'bad_request', message: 'the request body is not JSON' },
    });
  });

  it('rethrows a remote error as the same TesseraError through requestJson', async () => {
    await expect(requestJson(client, 'test.fail', {})).rejects.toMatchObject({ code: 'conflict', status: 409, message: 'name taken' });
  });

  it('reads a reply whose error field is null as an answer, not an error', async () => {
    await expect(requestJson(client, 'test.null-error', {})).resolves.toEqual({ status: 'done', error: null });
  });

  it('bounds every request: no responder or no answer is 503 unavailable', async () => {
    await expect(requestJson(client, 'test.nobody', {}, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'unavailable', status: 503 });
  });

  it('bounds requests the same way on an app connection (no async stack traces)', async () => {
    await expect(requestJson(connections[0], 'test.nobody', {}, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/^test\.nobody did not answer: /),
    });
  });

  it("answers an app connection's requests through its one inbox, each with its own answer, and times out the unanswered", async () => {
    const answers = Array.from({ length: 40 }, (_, n) =>
      requestJson<{ n: number }>(connections[0], 'test.echo', { n }, { coalesce: n % 2 === 0 }),
    );
    expect((await Promise.all(answers)).map((answer) => answer.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    const silent = client.subscribe('test.silent', { callback: () => undefined });
    await client.flush();
    const started = Date.now();
    await expect(requestJson(connections[0], 'test.silent', {}, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'unavailable',
      message: 'test.silent did not answer: timeout',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    silent.unsubscribe();
  });

  it('sends coalesced requests at the end of the turn, each with its own answer', async () => {
    const sent = client.stats().outMsgs;
    const answers = Array.from({ length: 40 }, (_, n) => requestJson<{ n: number }>(client, 'test.echo', { n }, { coalesce: true }));
    expect(client.stats().outMsgs).toBe(sent);
    expect((await Promise.all(answers)).map((answer) => answer.n)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    await expect(requestJson(client, 'test.fail', {}, { coalesce: true })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('hands each request to exactly one replica of the queue group', async () => {
    await startReplica('two');
    handledBy.length = 0;
    await Promise.all(Array.from({ length: 40 }, (_, n) => requestJson(client, 'test.echo', { n })));
    expect(handledBy).toHaveLength(40);
    expect(new Set(handledBy)).toEqual(new Set(['one', 'two']));
  });

  it('serves requests again after the NATS server restarts, a bare client and an app connection (its one inbox) alike', async () => {
    await natsServer.restart(500);
    const answerOnceBack = (nats: NatsConnection, n: number): Promise<unknown> =>
      eventually(
        () => requestJson<{ n: number }>(nats, 'test.echo', { n }, { timeoutMs: 500 }).catch(() => undefined),
        (reply) => reply !== undefined,
        10_000,
      );
    expect(await answerOnceBack(client, 42)).toMatchObject({ n: 42 });
    expect(await answerOnceBack(connections[0], 43)).toMatchObject({ n: 43 });
  });
});
