import { TesseraError } from '@tessera/contracts';
import { databaseUnavailable, isDatabaseUnreachable } from './database-errors';

describe('isDatabaseUnreachable', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a connection cut by the server', new Error('Connection terminated unexpectedly')],
    ['an immediate shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a server starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a connection exception', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    [
      'a TypeORM error around a driver error',
      Object.assign(new Error('query failed'), { driverError: { code: 'ECONNRESET', message: 'read ECONNRESET' } }),
    ],
    ['an error caused by a lost connection', new Error('wrapped', { cause: new Error('Connection terminated due to connection timeout') })],
  ])('recognises %s', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
    expect(databaseUnavailable(error)).toMatchObject({ code: 'unavailable', status: 503, retryAfter: 1 });
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['nothing', undefined],
  ])('leaves %s alone', (_, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
    expect(databaseUnavailable(error)).toBeUndefined();
  });

  it('leaves a TesseraError as its code says', () => {
    expect(databaseUnavailable(new TesseraError('conflict', 'Connection terminated by a name'))).toBeUndefined();
  });
});
