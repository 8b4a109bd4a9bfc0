import { TOKEN_EVENTS, IDENTITY_EVENTS, type TokenMinted } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { generateToken, hashToken, parseToken, tokenHint } from './token-format';
import { TokenIndex } from './token-index';

let position = 0;
function event(type: string, data: object): RecordedEvent {
  position += 1;
  return {
    position,
    streamId: 'x',
    streamVersion: 1,
    type,
    schemaVersion: 1,
    data: data as Record<string, unknown>,
    metadata: {},
    recordedAt: new Date(),
  };
}

function minted(token: string, overrides: Partial<TokenMinted> = {}): RecordedEvent {
  return event(TOKEN_EVENTS.tokenMinted, {
    tokenId: `id-${token.slice(-6)}`,
    tokenHash: hashToken(token),
    kind: parseToken(token),
    ownerId: 'u1',
    name: 'n',
    scopes: ['*', 'tokens'],
    hint: tokenHint(token),
    createdAt: new Date().toISOString(),
    expiresAt: null,
    ...overrides,
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
      event(IDENTITY_EVENTS.userRegistered, {
        userId: 'u1',
        name: 'Ada',
        email: null,
        admin: true,
        readOnly: false,
        issuer: null,
        subject: null,
      }),
      minted(live, { scopes: ['view', 'admin'] }),
      minted(revoked),
      minted(expired, { expiresAt: new Date(Date.now() - 1000).toISOString() }),
      minted(admin, { ownerId: null, kind: 'admin' }),
      minted(resource, { kind: 'resource', scopes: [], resource: 'dataset:1', actions: ['read'], name: 'dataset:1 ✓' }),
      event(TOKEN_EVENTS.tokenRevoked, { tokenId: `id-${revoked.slice(-6)}`, reason: 'owner' }),
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
    index.apply([event(IDENTITY_EVENTS.userDeactivated, { userId: 'u1' })]);
    expect(index.resolve(live)).toEqual({ error: 'revoked_token' });
  });
});
