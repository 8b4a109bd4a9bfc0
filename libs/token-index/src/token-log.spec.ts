import { randomUUID } from 'node:crypto';
import type { TesseraEvent, TokenMinted } from '@tessera/contracts';
import { appendToStreams, ensureEventStoreSchema, readAll, type EventPayload } from '@tessera/event-store';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { generateToken, hashToken, tokenHint } from './token-format';
import { isRefusal, TokenIndex } from './token-index';
import { streamTokenLog } from './token-log';

const owner = randomUUID();
const tokens = Array.from({ length: 8 }, () => generateToken('personal'));

function mint(token: string, overrides: Partial<TokenMinted['data']> = {}): TesseraEvent {
  return {
    type: 'TokenMinted',
    data: {
      tokenId: randomUUID(),
      tokenHash: hashToken(token),
      kind: 'personal',
      ownerId: owner,
      name: 'laptop',
      scopes: ['view', 'tokens'],
      hint: tokenHint(token),
      createdAt: '2026-03-04T05:06:07.089Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      ...overrides,
    },
  };
}

/** Every shape a TokenMinted takes in a log, in the order the columns and the side tables must keep. */
const mints: TesseraEvent[] = [
  // An owner first seen through a mint with extras (data as JSON), then through the columns.
  mint(tokens[0], { kind: 'resource', resource: 'dataset:1', actions: ['view'] }),
  mint(tokens[1]),
  mint(tokens[2], {
    tokenId: 'legacy-42',
    ownerId: 'not-a-uuid',
    name: 'Zoë’s 🔑',
    scopes: [],
    hint: 'legacy_…9f3a',
    createdAt: '2026-01-01T00:00:00Z',
    expiresAt: null,
  }),
  mint(tokens[3], { kind: 'admin', ownerId: null, hint: 'tsra_…ab€d', createdAt: '2026-02-30T00:00:00.000Z' }),
  mint(tokens[4], { kind: 'impersonation', impersonatedBy: randomUUID(), tokenId: randomUUID().toUpperCase() }),
  mint(tokens[5], { tokenHash: hashToken(tokens[5]).toUpperCase(), createdAt: 'not a time', scopes: ['admin'] }),
  // The same hash again: the later slot wins.
  mint(tokens[1], { name: 'again' }),
];

describe('streamTokenLog', () => {
  let db: TestDatabase;
  let events: EventPayload<TesseraEvent>[];

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
    const append = (event: TesseraEvent) =>
      appendToStreams(db.pool, [{ streamId: `s-${randomUUID()}`, expectedVersion: 'any', events: [event] }]);
    await append({
      type: 'UserRegistered',
      data: { userId: owner, name: 'Ann', email: null, admin: false, readOnly: false, issuer: null, subject: null },
    } as TesseraEvent);
    for (const event of mints) await append(event);
    const ids = (await readAll<TesseraEvent>(db.pool, { limit: 100 }))
      .filter((event) => event.type === 'TokenMinted')
      .map((event) => event.data.tokenId);
    await append({ type: 'TokenRevoked', data: { tokenId: ids[1], reason: 'owner' } });
    await append({ type: 'TokenRevoked', data: { tokenId: 'legacy-42', reason: 'admin' } });
    await append({ type: 'TokenRevoked', data: { tokenId: randomUUID(), reason: 'admin' } });
    await append({ type: 'PermissionRegistered', data: { name: 'annotate' } } as TesseraEvent);
    await append({ type: 'UserDeactivated', data: { userId: owner } } as TesseraEvent);
    events = await readAll<TesseraEvent>(db.pool, { limit: 100 });
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** The index streamTokenLog builds in batches of `limit`, and what it handed to `apply`. */
  const streamed = async (limit: number) => {
    const index = new TokenIndex();
    const handed: EventPayload<TesseraEvent>[] = [];
    let upTo = 0;
    for (;;) {
      const read = await streamTokenLog(
        db.pool,
        upTo,
        limit,
        () => index,
        (chunk, reached) => {
          index.apply(chunk);
          handed.push(...chunk);
          upTo = Math.max(upTo, reached ?? chunk[chunk.length - 1].position);
        },
      );
      if (read < limit) break;
    }
    return { index, handed, upTo };
  };

  it('builds the same index as applying the events as objects, in any batch size, and hands over only the other events', async () => {
    const expected = new TokenIndex();
    expected.apply(events);
    for (const limit of [1, 3, 1000]) {
      const { index, handed, upTo } = await streamed(limit);
      expect(index.serialize().equals(expected.serialize())).toBe(true);
      expect(upTo).toBe(events[events.length - 1].position);
      expect(index.position).toBe(upTo);
      // The mints with extras come as objects; the plain mints and the revocations went into the columns.
      expect(handed.map((event) => event.type)).toEqual([
        'UserRegistered',
        'TokenMinted',
        'TokenMinted',
        'PermissionRegistered',
        'UserDeactivated',
      ]);
    }
  });

  it('reads names, hints, odd ids and times as the events say', async () => {
    const { index } = await streamed(1000);
    const legacy = index.tokenFor(tokens[2])!;
    expect([legacy.id, legacy.name, legacy.hint, legacy.ownerId, legacy.scopes, legacy.expiresAt, legacy.revoked]).toEqual([
      'legacy-42',
      'Zoë’s 🔑',
      'legacy_…9f3a',
      'not-a-uuid',
      [],
      0,
      true,
    ]);
    expect(legacy.createdAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
    const plain = index.tokenFor(tokens[1])!;
    expect([plain.name, plain.hint, plain.createdAt, plain.expiresAt, plain.revoked]).toEqual([
      'again',
      tokenHint(tokens[1]),
      Date.parse('2026-03-04T05:06:07.089Z'),
      Date.parse('2027-01-01T00:00:00.000Z'),
      false,
    ]);
    expect(index.tokenFor(tokens[3])!.hint).toBe('tsra_…ab€d');
    expect(index.tokenFor(tokens[3])!.createdAt).toBe(Date.parse('2026-02-30T00:00:00.000Z'));
    expect(index.tokenFor(tokens[5])!.createdAt).toBeNaN();
    expect(index.tokensOf(owner).map((record) => record.name)).toEqual(['laptop', 'laptop', 'laptop', 'laptop', 'again']);
    // The owner is deactivated: their tokens are refused.
    expect(index.resolve(tokens[5])).toEqual({ error: 'revoked_token' });
    expect(isRefusal(index.resolve(tokens[3]))).toBe(false);
  });

  it('stops at a token event it cannot apply, with the position before it applied, and rejects', async () => {
    const db2 = await createTestDatabase();
    try {
      await ensureEventStoreSchema(db2.pool);
      const append = (event: TesseraEvent) =>
        appendToStreams(db2.pool, [{ streamId: `s-${randomUUID()}`, expectedVersion: 'any', events: [event] }]);
      await append(mint(tokens[6]));
      await append(mint(tokens[7], { kind: 'bogus' as never }));
      await append(mint(generateToken('personal')));
      const index = new TokenIndex();
      let upTo = 0;
      await expect(
        streamTokenLog(
          db2.pool,
          0,
          1000,
          () => index,
          (chunk, reached) => (upTo = reached ?? upTo),
        ),
      ).rejects.toThrow('unknown token kind bogus');
      expect(upTo).toBe(1);
      expect(index.position).toBe(1);
      expect(index.size).toBe(1);
    } finally {
      await db2.drop();
    }
  });
});
