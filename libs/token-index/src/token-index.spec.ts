import { randomUUID } from 'node:crypto';
import { serialize } from 'node:v8';
import type { TesseraEvent, TokenMinted } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { eventSequence } from '@tessera/testing';
import { generateToken, hashToken, parseToken, tokenHint } from './token-format';
import { TokenIndex } from './token-index';

const record = eventSequence();
let position = 0;
function event(recorded: TesseraEvent): RecordedEvent<TesseraEvent> {
  const next = record(recorded);
  position = next.position;
  return next;
}

function minted(token: string, overrides: Partial<TokenMinted['data']> = {}): RecordedEvent<TesseraEvent> {
  return event({
    type: 'TokenMinted',
    data: {
      tokenId: `id-${token.slice(-6)}`,
      tokenHash: hashToken(token),
      kind: parseToken(token) ?? 'personal',
      ownerId: 'u1',
      name: 'n',
      scopes: ['*', 'tokens'],
      hint: tokenHint(token),
      createdAt: new Date().toISOString(),
      expiresAt: null,
      ...overrides,
    },
  });
}

describe('token format', () => {
  it('generates tsr<k>_ + 32 + 6 base62 with a CRC32 checksum that parseToken checks', () => {
    const token = generateToken('personal');
    expect(token).toMatch(/^tsrp_[0-9A-Za-z]{38}$/);
    expect(parseToken(token)).toBe('personal');
    expect(parseToken(generateToken('service'))).toBe('service');
    const flipped = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    expect(parseToken(flipped)).toBeUndefined();
    expect(parseToken(token.replace('tsrp_', 'tsrx_'))).toBeUndefined();
    expect(tokenHint(token)).toBe(`tsrp_…${token.slice(-4)}`);
  });
});

describe('TokenIndex', () => {
  it('resolves live, revoked, expired, unknown and deactivated-owner tokens, and survives a snapshot', () => {
    const index = new TokenIndex();
    const [live, revoked, expired, admin, resource] = [
      generateToken('personal'),
      generateToken('personal'),
      generateToken('personal'),
      generateToken('admin'),
      generateToken('resource'),
    ];
    index.apply([
      event({
        type: 'UserRegistered',
        data: {
          userId: 'u1',
          name: 'Ada',
          email: null,
          admin: true,
          readOnly: false,
          issuer: null,
          subject: null,
          number: 1,
        },
      }),
      minted(live, { scopes: ['view', 'admin'] }),
      minted(revoked),
      minted(expired, { expiresAt: new Date(Date.now() - 1000).toISOString() }),
      minted(admin, { ownerId: null, kind: 'admin' }),
      minted(resource, { kind: 'resource', scopes: [], resource: 'dataset:1', actions: ['read'], name: 'dataset:1 ✓' }),
      event({ type: 'TokenRevoked', data: { tokenId: `id-${revoked.slice(-6)}`, reason: 'owner' } }),
    ]);
    for (const copy of [index, TokenIndex.deserialize(index.serialize())]) {
      expect(copy.resolve(live)).toMatchObject({ kind: 'personal', userId: 'u1', superAdmin: true, scopes: ['view', 'admin'] });
      expect(copy.resolve(revoked)).toEqual({ error: 'revoked_token' });
      expect(copy.resolve(expired)).toEqual({ error: 'expired_token' });
      expect(copy.resolve(generateToken('personal'))).toEqual({ error: 'invalid_token' });
      expect(copy.resolve(admin)).toMatchObject({ kind: 'admin', superAdmin: true });
      expect(copy.resolve(resource)).toMatchObject({ kind: 'resource', resource: 'dataset:1', actions: ['read'] });
      expect(copy.tokenFor(resource)).toMatchObject({ name: 'dataset:1 ✓', hint: tokenHint(resource), resource: 'dataset:1' });
      expect(copy.tokenByHash(hashToken(live))?.hint).toBe(tokenHint(live));
      expect(copy.tokensOf('u1')).toHaveLength(4);
      expect(copy.position).toBe(position);
    }
    index.apply([event({ type: 'UserDeactivated', data: { userId: 'u1' } })]);
    expect(index.resolve(live)).toEqual({ error: 'revoked_token' });
  });

  it('gives a token the same principal until an event is applied, then one that reflects it; time alone still expires it', () => {
    const index = new TokenIndex();
    const [token, soon] = [generateToken('personal'), generateToken('personal')];
    const expiresAt = Date.now() + 60_000;
    index.apply([
      event({
        type: 'UserRegistered',
        data: { userId: 'u1', name: 'Ada', email: null, admin: false, readOnly: false, issuer: null, subject: null, number: 1 },
      }),
      minted(token, { scopes: ['view', 'admin'] }),
      minted(soon, { expiresAt: new Date(expiresAt).toISOString() }),
    ]);
    const first = index.resolve(token);
    expect(first).toMatchObject({ userId: 'u1', superAdmin: false });
    expect(index.resolve(token)).toBe(first);
    index.apply([event({ type: 'UserUpdated', data: { userId: 'u1', admin: true } })]);
    const promoted = index.resolve(token);
    expect(promoted).not.toBe(first);
    expect(promoted).toMatchObject({ userId: 'u1', superAdmin: true });
    expect(index.resolve(soon, expiresAt - 1)).toMatchObject({ userId: 'u1' });
    expect(index.resolve(soon, expiresAt)).toEqual({ error: 'expired_token' });
    index.apply([event({ type: 'TokenRevoked', data: { tokenId: `id-${token.slice(-6)}`, reason: 'owner' } })]);
    expect(index.resolve(token)).toEqual({ error: 'revoked_token' });
  });
});

describe('TokenIndex snapshots', () => {
  /** Every field a caller can read of a token, to compare two indexes token by token. */
  function view(index: TokenIndex, token: string) {
    const record = index.tokenFor(token);
    if (!record) return undefined;
    const { id, key, kind, ownerId, name, scopes, hintTail, createdAt, expiresAt, revoked, extra, hint } = record;
    return { id, key, kind, ownerId, name, scopes, hintTail, createdAt, expiresAt, revoked, extra, hint, byId: index.tokenById(id)?.slot };
  }

  function history(count: number): { events: RecordedEvent<TesseraEvent>[]; tokens: string[] } {
    const tokens: string[] = [];
    const events: RecordedEvent<TesseraEvent>[] = [
      event({
        type: 'UserRegistered',
        data: { userId: 'u1', name: 'Ada', email: 'ada@example.org', admin: false, readOnly: true, issuer: null, subject: null, number: 1 },
      }),
      event({ type: 'ServiceAccountCreated', data: { userId: 'sa', name: 'pipeline', scopes: ['view'], number: 2 } }),
      event({ type: 'PermissionRegistered', data: { name: 'annotate' } }),
    ];
    for (let n = 0; n < count; n += 1) {
      const token = generateToken(n % 7 === 0 ? 'service' : 'personal');
      tokens.push(token);
      events.push(
        minted(token, {
          tokenId: n % 11 === 0 ? `legacy-id-${n}` : randomUUID(),
          ownerId: n % 13 === 0 ? null : n % 7 === 0 ? 'sa' : `owner-${n % 5}`,
          name: n % 3 === 0 ? `naïve ✓ ${n}` : `token ${n}`,
          scopes: n % 2 === 0 ? ['view'] : ['view', 'tokens'],
          hint: n % 17 === 0 ? `tsrp_…é${n}` : tokenHint(token),
          expiresAt: n % 4 === 0 ? null : new Date(Date.UTC(2030, 0, 1) + n).toISOString(),
          ...(n % 19 === 0 ? { kind: 'resource' as const, resource: `dataset:${n}`, actions: ['read'] } : {}),
          ...(n % 23 === 0 ? { kind: 'impersonation' as const, impersonatedBy: 'admin-1' } : {}),
        }),
      );
    }
    return { events, tokens };
  }

  it('keeps every token through a snapshot, past the first capacity, and stays deterministic', () => {
    const { events, tokens } = history(2600);
    const built = new TokenIndex();
    built.apply(events.slice(0, 2000));
    const copy = TokenIndex.deserialize(built.serialize());
    expect(copy.serialize().equals(built.serialize())).toBe(true);
    const more = events.slice(2000);
    const sixth = more[5];
    if (sixth.type !== 'TokenMinted') throw new Error('the history mints a token at each step');
    const revokedId = sixth.data.tokenId;
    more.push(event({ type: 'TokenRevoked', data: { tokenId: revokedId, reason: 'owner' } }));
    for (const index of [built, copy]) index.apply(more);
    const replayed = new TokenIndex();
    replayed.apply([...events, more[more.length - 1]]);
    expect(copy.serialize().equals(built.serialize())).toBe(true);
    expect(replayed.serialize().equals(built.serialize())).toBe(true);
    expect(copy.size).toBe(2600);
    for (const token of tokens) expect(view(copy, token)).toEqual(view(built, token));
    expect(copy.tokenById(revokedId)?.revoked).toBe(true);
    expect(copy.tokenById('legacy-id-11')?.name).toBe('token 11');
    expect(copy.tokenById('legacy-id-33')?.name).toBe('naïve ✓ 33');
    expect(copy.tokenFor(tokens[17])?.hintTail).toBe('…é17');
    expect(copy.tokensOf('owner-1').map((record) => record.name)).toEqual(
      tokens.flatMap((_, n) => (n % 13 !== 0 && n % 7 !== 0 && n % 5 === 1 ? [view(built, tokens[n])!.name] : [])),
    );
    expect(copy.resolve(tokens[19])).toMatchObject({ kind: 'resource', resource: 'dataset:19', actions: ['read'], readOnly: false });
    expect(copy.tokenFor(tokens[23])?.impersonatedBy).toBe('admin-1');
    expect(copy.resolve(tokens[1])).toMatchObject({ userId: 'owner-1', scopes: ['view', 'tokens'], expiresAt: '2030-01-01T00:00:00.001Z' });
    expect(copy.resolve(tokens[14])).toMatchObject({ userId: 'sa', serviceAccount: true });
    expect(copy.isPermission('annotate')).toBe(true);
    expect(copy.owner('u1')).toMatchObject({ email: 'ada@example.org', readOnly: true });
  });

  it("takes an aligned snapshot's columns as they are (no copy), copies a misaligned one, and both then grow as usual", () => {
    const { events } = history(1500);
    const built = new TokenIndex();
    built.apply(events.slice(0, 1003));
    const aligned = built.serialize();
    const misaligned = Buffer.alloc(aligned.length + 1).subarray(1);
    aligned.copy(misaligned);
    const before = Buffer.from(aligned);
    const adopted = TokenIndex.deserialize(aligned);
    const copied = TokenIndex.deserialize(misaligned);
    const first = events[4];
    if (first.type !== 'TokenMinted') throw new Error('the history mints a token at each step');
    const revocation = event({ type: 'TokenRevoked', data: { tokenId: first.data.tokenId, reason: 'owner' } });
    for (const index of [built, adopted, copied]) index.apply([revocation, ...events.slice(1003)]);
    // The adopted index revoked in the snapshot's own memory (its flags column); the copy left its buffer alone.
    expect(aligned.equals(before)).toBe(false);
    expect(misaligned.equals(before)).toBe(true);
    for (const index of [adopted, copied]) {
      expect(index.size).toBe(1500);
      expect(index.tokenById(first.data.tokenId)?.revoked).toBe(true);
      expect(index.serialize().equals(built.serialize())).toBe(true);
    }
  });

  it('reads snapshots of the older formats: TSX2 rows and the v8 structured clone', () => {
    const live = generateToken('personal');
    const revoked = generateToken('resource');
    const rows = rowSnapshot(42, [
      {
        id: 'id-live',
        hash: hashToken(live),
        kind: 1,
        revoked: false,
        owner: 0,
        scopes: 0,
        createdAt: 1000,
        expiresAt: 0,
        hint: live.slice(-4),
        name: 'ünï',
      },
      {
        id: randomUUID(),
        hash: hashToken(revoked),
        kind: 4,
        revoked: true,
        owner: -1,
        scopes: 1,
        createdAt: 2000,
        expiresAt: 3000,
        hint: revoked.slice(-4),
        name: 'r',
        extra: { impersonatedBy: null, resource: 'dataset:1', actions: ['read'] },
      },
    ]);
    const fromRows = TokenIndex.deserialize(rows);
    expect(fromRows.position).toBe(42);
    expect(fromRows.resolve(live)).toMatchObject({ tokenId: 'id-live', userId: 'u1', scopes: ['view', 'tokens'] });
    expect(fromRows.tokenFor(live)).toMatchObject({ name: 'ünï', hint: tokenHint(live), createdAt: 1000 });
    expect(fromRows.resolve(revoked)).toEqual({ error: 'revoked_token' });
    expect(fromRows.tokenFor(revoked)?.resource).toBe('dataset:1');
    expect(fromRows.tokensOf('u1')).toHaveLength(1);

    const clone = serialize({
      format: 1,
      position: 7,
      owners: [{ id: 'u1', name: 'Ada', admin: true, readOnly: false, active: true, serviceAccount: false, scopes: null }],
      permissions: ['view'],
      tokens: [['id-1', hashToken(live), 'personal', 'u1', 'n', 'view admin', tokenHint(live), 1000, 0, false, null, null, null]],
    });
    const fromClone = TokenIndex.deserialize(clone);
    expect(fromClone.resolve(live)).toMatchObject({ tokenId: 'id-1', superAdmin: true, scopes: ['view', 'admin'] });
    expect(fromClone.owner('u1')?.email).toBeNull();
  });

  it('gives snapshot parts that later events do not change, and that make up serialize()', () => {
    const { events, tokens } = history(30);
    const index = new TokenIndex();
    index.apply(events);
    const before = index.serialize();
    const parts = index.snapshotParts();
    expect(Buffer.concat(parts).equals(before)).toBe(true);
    index.apply([event({ type: 'TokenRevoked', data: { tokenId: index.tokenFor(tokens[1])!.id, reason: 'owner' } })]);
    index.apply(history(2000).events);
    expect(Buffer.concat(parts).equals(before)).toBe(true);
    expect(index.serialize().equals(before)).toBe(false);
  });

  it('gives the same bytes for the same events however the tables grew (made room for at once, grown, loaded from a snapshot)', () => {
    const { events, tokens } = history(3000);
    const grown = new TokenIndex();
    grown.apply(events);
    const reserved = new TokenIndex();
    reserved.reserve(5000);
    reserved.apply(events.slice(0, 1000));
    const loaded = TokenIndex.deserialize(reserved.serialize());
    loaded.apply(events.slice(1000));
    reserved.apply(events.slice(1000));
    reserved.trim();
    for (const index of [reserved, loaded]) {
      expect(index.serialize().equals(grown.serialize())).toBe(true);
      for (const token of tokens.slice(0, 200)) expect(view(index, token)).toEqual(view(grown, token));
      expect(index.tokensOf('owner-1').map((record) => record.slot)).toEqual(grown.tokensOf('owner-1').map((record) => record.slot));
    }
  });

  it("reads 'TSX3' snapshots (columns without the lookup tables), rebuilding the tables", () => {
    const { events, tokens } = history(300);
    const index = new TokenIndex();
    index.apply(events);
    const bytes = index.serialize();
    // 'TSX4' less what follows the names: the lookup tables and the owner lists.
    const headLength = bytes.readUInt32LE(12);
    const count = bytes.readUInt32LE(16 + headLength);
    const namesLength = bytes.readUInt32LE(20 + headLength);
    const eight = (length: number) => Math.ceil(length / 8) * 8;
    const namesAt = [8, 8, 4, 4, 4, 32, 16, 4, 1].reduce((at, width) => at + eight(width * count), eight(24 + headLength));
    const old = Buffer.from(bytes.subarray(0, namesAt + namesLength));
    old.write('TSX3', 0, 'latin1');
    const copy = TokenIndex.deserialize(old);
    expect(copy.serialize().equals(bytes)).toBe(true);
    for (const token of tokens.slice(0, 50)) expect(view(copy, token)).toEqual(view(index, token));
  });

  it('refuses a snapshot whose lookup table points past its tokens, so the replica replays the log instead', () => {
    const { events } = history(100);
    const index = new TokenIndex();
    index.apply(events);
    const bytes = Buffer.from(index.serialize());
    // The last word is the owner list of the last token (-1); any word of the tables before it is an entry.
    const lastEntry = bytes.length - 100 * 4 - 4;
    bytes.writeInt32LE(100_000, lastEntry);
    expect(() => TokenIndex.deserialize(bytes)).toThrow('token index snapshot lookup table out of range');
  });

  it('refuses a snapshot cut short, so the replica replays the log instead', () => {
    const { events } = history(50);
    const index = new TokenIndex();
    index.apply(events);
    const bytes = index.serialize();
    expect(() => TokenIndex.deserialize(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});

interface RowToken {
  id: string;
  hash: string;
  kind: number;
  revoked: boolean;
  owner: number;
  scopes: number;
  createdAt: number;
  expiresAt: number;
  hint: string;
  name: string;
  extra?: object;
}

/** A snapshot as the 'TSX2' format wrote it (fixed-width rows), for the compatibility test. */
function rowSnapshot(at: number, tokens: RowToken[]): Buffer {
  const head = Buffer.from(
    JSON.stringify({
      owners: [{ id: 'u1', name: 'Ada', email: null, admin: false, readOnly: false, active: true, serviceAccount: false, scopes: null }],
      permissions: ['view'],
      ownerIds: ['u1'],
      scopeLists: [['view', 'tokens'], []],
    }),
  );
  const rows = tokens.map((token) => {
    const name = Buffer.from(token.name, 'utf8');
    const extra = token.extra ? Buffer.from(JSON.stringify(token.extra)) : Buffer.alloc(0);
    const row = Buffer.alloc(104 + name.length + extra.length);
    row.write(token.id.padEnd(36, ' '), 0, 'latin1');
    row.write(token.hash, 36, 'hex');
    row.writeUInt8(token.kind, 68);
    row.writeUInt8(token.revoked ? 1 : 0, 69);
    row.writeInt32LE(token.owner, 70);
    row.writeUInt32LE(token.scopes, 74);
    row.writeDoubleLE(token.createdAt, 78);
    row.writeDoubleLE(token.expiresAt, 86);
    row.write(token.hint.padEnd(4, ' '), 94, 'latin1');
    row.writeUInt16LE(name.length, 98);
    name.copy(row, 100);
    row.writeUInt32LE(extra.length, 100 + name.length);
    extra.copy(row, 104 + name.length);
    return row;
  });
  const fixed = Buffer.alloc(16);
  fixed.write('TSX2', 0, 'latin1');
  fixed.writeDoubleLE(at, 4);
  fixed.writeUInt32LE(head.length, 12);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(tokens.length);
  return Buffer.concat([fixed, head, count, ...rows]);
}
