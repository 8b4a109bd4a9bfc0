import { natsServersAndCredentials } from './nats-connection';

describe('natsServersAndCredentials', () => {
  it('leaves plain server URLs as they are', () => {
    expect(natsServersAndCredentials(['nats://127.0.0.1:4222', 'tls://nats-2:4222'])).toEqual({
      servers: ['nats://127.0.0.1:4222', 'tls://nats-2:4222'],
    });
  });

  it('moves a user and password (URL-encoded) out of the URLs', () => {
    expect(natsServersAndCredentials(['nats://tessera:p%40ss%3Aword@nats-1:4222', 'nats://tessera:p%40ss%3Aword@nats-2:4222'])).toEqual({
      servers: ['nats://nats-1:4222', 'nats://nats-2:4222'],
      user: 'tessera',
      pass: 'p@ss:word',
    });
  });

  it('takes a lone user part as a token', () => {
    expect(natsServersAndCredentials(['nats://s3cr3t@nats-1:4222'])).toEqual({ servers: ['nats://nats-1:4222'], token: 's3cr3t' });
  });
});
