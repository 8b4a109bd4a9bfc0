import { connect, type NatsConnection } from '@nats-io/transport-node';
import { IDENTITY_ADMIN_SUBJECTS, TOKEN_ADMIN_SUBJECTS, USER_ACCOUNT_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { startNatsServer, type TestNatsServer } from '@tessera/testing';
import type { Caller } from '../auth/current-principal.decorator';
import { ResourceTokensController } from '../resource-tokens/resource-tokens.controller';
import { UserAccountsController } from '../users/user-accounts.controller';
import { UsersController } from '../users/users.controller';
import { TokensController } from './tokens.controller';
import type { MintTokenDto, ResourceTokenDto } from './token.dto';

/**
 * The fields the gateway sets itself (who is calling, which kind of token, whose, which record)
 * win over anything a body carries, whatever validation let through: each controller is called
 * with a hostile body and the message it puts on a real NATS server is read back.
 */
describe('messages the gateway forwards: server-set fields come after the body', () => {
  let server: TestNatsServer;
  let nats: NatsConnection;
  let client: TesseraClient;
  const received = new Map<string, Record<string, unknown>>();
  const caller = {
    tokenId: 'caller-token',
    kind: 'session',
    userId: 'caller',
    scopes: ['*'],
    superAdmin: false,
    bearer: 'tsrs_caller',
  } as Caller;
  const forged = { principal: { superAdmin: true, bearer: 'forged' }, kind: 'admin', ownerId: 'victim', id: 'victim', minRevision: 0 };
  const hostile = <T>(fields: object): T => ({ ...fields, ...forged }) as T;

  beforeAll(async () => {
    server = await startNatsServer();
    nats = await connect({ servers: server.url });
    client = new TesseraClient(nats);
    for (const subject of [TOKEN_ADMIN_SUBJECTS.mint, IDENTITY_ADMIN_SUBJECTS.createUser, USER_ACCOUNT_SUBJECTS.update]) {
      nats.subscribe(subject, {
        callback: (_error, message) => {
          received.set(subject, message.json());
          message.respond(JSON.stringify({}));
        },
      });
    }
    await nats.flush();
  });
  afterAll(async () => {
    await nats?.close();
    await server?.stop();
  });

  it('a personal token is minted for the caller, as personal', async () => {
    await new TokensController(client).mint(caller, hostile<MintTokenDto>({ name: 'x', scopes: ['view'] }), 7);
    expect(received.get(TOKEN_ADMIN_SUBJECTS.mint)).toMatchObject({ principal: caller, kind: 'personal', minRevision: 7, name: 'x' });
    expect(received.get(TOKEN_ADMIN_SUBJECTS.mint)).not.toHaveProperty('ownerId');
  });

  it('an impersonation token is for the user of the path, and a service token for the account of the path', async () => {
    const users = new UsersController(client);
    await users.impersonate(caller, 'path-user', hostile<MintTokenDto>({ name: 'x', scopes: ['view'] }), 3);
    expect(received.get(TOKEN_ADMIN_SUBJECTS.mint)).toMatchObject({
      principal: caller,
      kind: 'impersonation',
      ownerId: 'path-user',
      minRevision: 3,
    });
    await users.mintServiceToken(caller, 'path-account', hostile<MintTokenDto>({ name: 'x', scopes: ['view'] }), 4);
    expect(received.get(TOKEN_ADMIN_SUBJECTS.mint)).toMatchObject({
      principal: caller,
      kind: 'service',
      ownerId: 'path-account',
      minRevision: 4,
    });
    await users.create(caller, hostile({ name: 'y' }));
    expect(received.get(IDENTITY_ADMIN_SUBJECTS.createUser)).toMatchObject({ principal: caller, name: 'y' });
  });

  it('a resource token is a resource token, and a user update names the user of the path', async () => {
    const resources = new ResourceTokensController(client, {} as never);
    await resources.mint(caller, hostile<ResourceTokenDto>({ resource: 'dataset:1', actions: ['read'] }), 5);
    expect(received.get(TOKEN_ADMIN_SUBJECTS.mint)).toMatchObject({ principal: caller, kind: 'resource', minRevision: 5 });
    await new UserAccountsController(client).update(caller, 'path-user', hostile({ name: 'z' }));
    expect(received.get(USER_ACCOUNT_SUBJECTS.update)).toMatchObject({ principal: caller, id: 'path-user', name: 'z' });
  });
});
