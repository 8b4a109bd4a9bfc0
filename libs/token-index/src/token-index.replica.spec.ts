import { randomUUID } from 'node:crypto';
import { TOKEN_EVENTS, tokenStreamId, type TokenMinted } from '@tessera/contracts';
import { appendToStreams, ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { generateToken, hashToken, tokenHint } from './token-format';
import { isRefusal } from './token-index';
import { TokenIndexReplica } from './token-index.replica';

/**
 * A well-formed token the replica does not know (the checksum is public, so anyone can make one)
 * must not cost a read of the log each time: the same one again is refused without a read while
 * the log has not moved, and a burst of different ones shares its reads.
 */
describe('TokenIndexReplica and unknown tokens', () => {
  let db: TestDatabase;
  let replica: TokenIndexReplica;
  let reads = 0;

  const mint = async (token: string) => {
    const tokenId = randomUUID();
    const data: TokenMinted['data'] = {
      tokenId,
      tokenHash: hashToken(token),
      kind: 'personal',
      ownerId: null,
      name: 'n',
      scopes: ['view'],
      hint: tokenHint(token),
      createdAt: new Date().toISOString(),
      expiresAt: null,
    };
    await appendToStreams(db.pool, [
      { streamId: tokenStreamId(tokenId), expectedVersion: 'no_stream', events: [{ type: TOKEN_EVENTS.tokenMinted, data }] },
    ]);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
    // Each read of the log takes a connection from the pool.
    db.pool.on('acquire', () => (reads += 1));
    // No NATS and a long poll: every read below is one the lookups caused.
    replica = new TokenIndexReplica({ pool: db.pool, pollIntervalMs: 3_600_000 });
    await replica.start();
  });
  afterAll(async () => {
    await replica?.stop();
    await db?.drop();
  });

  it('refuses the same unknown token again without reading the log while it has not moved', async () => {
    const unknown = generateToken('personal');
    reads = 0;
    for (let n = 0; n < 50; n += 1) expect(await replica.resolve(unknown)).toEqual({ error: 'invalid_token' });
    expect(reads).toBeLessThanOrEqual(1);
  });

  it('shares reads among a burst of different unknown tokens', async () => {
    reads = 0;
    const answers = await Promise.all(Array.from({ length: 500 }, () => replica.resolve(generateToken('personal'))));
    expect(answers.every((answer) => isRefusal(answer) && answer.error === 'invalid_token')).toBe(true);
    expect(reads).toBeLessThanOrEqual(3);
  });

  it('finds a token refused once as soon as the log has moved (a wake-up or the poll read further)', async () => {
    const token = generateToken('personal');
    expect(await replica.resolve(token)).toEqual({ error: 'invalid_token' });
    await mint(token);
    await replica.catchUp();
    const found = await replica.resolve(token);
    expect(isRefusal(found)).toBe(false);
  });

  it('a token minted elsewhere and never seen costs one read and is found', async () => {
    const token = generateToken('personal');
    await mint(token);
    reads = 0;
    expect(isRefusal(await replica.resolve(token))).toBe(false);
    expect(reads).toBe(1);
  });
});
