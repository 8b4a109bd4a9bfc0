import { createCipheriv, randomBytes } from 'node:crypto';
import { CredentialCipher, keyIdOf } from './credential-cipher';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const cipherWith = (current: string, previous: string[] = []) =>
  new CredentialCipher({ TESSERA_ENCRYPTION_KEY: current, TESSERA_PREVIOUS_ENCRYPTION_KEYS: previous } as never);

describe('CredentialCipher (AES-256-GCM for upstream credentials)', () => {
  it('seals under the current key, naming its key id, and opens only in the same context', () => {
    const cipher = cipherWith(keyA);
    const sealed = cipher.seal('provider-secret', 'u1:dev:access');
    expect(sealed.split('.')).toHaveLength(5);
    expect(sealed.split('.').slice(0, 2)).toEqual(['v2', keyIdOf(keyA)]);
    expect(sealed).not.toContain('provider-secret');
    expect(cipher.open(sealed, 'u1:dev:access')).toBe('provider-secret');
    expect(() => cipher.open(sealed, 'u2:dev:access')).toThrow();
  });

  it('refuses a tag shorter than 16 bytes (a truncated tag is far easier to forge)', () => {
    const cipher = cipherWith(keyA);
    const [version, keyId, iv, tag, data] = cipher.seal('provider-secret', 'ctx').split('.');
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => cipher.open([version, keyId, iv, short, data].join('.'), 'ctx')).toThrow(/tag/);
  });

  it('rotates: opens what an older key sealed while TESSERA_PREVIOUS_ENCRYPTION_KEYS names it, and re-seals it under the current key', () => {
    const sealedUnderA = cipherWith(keyA).seal('provider-secret', 'ctx');
    const rotating = cipherWith(keyB, [keyA]);
    expect(rotating.open(sealedUnderA, 'ctx')).toBe('provider-secret');
    expect(rotating.needsReseal(sealedUnderA)).toBe(true);
    const resealed = rotating.reseal(sealedUnderA, 'ctx');
    expect(resealed.split('.')[1]).toBe(keyIdOf(keyB));
    expect(rotating.needsReseal(resealed)).toBe(false);
    expect(cipherWith(keyB).open(resealed, 'ctx')).toBe('provider-secret');
    expect(() => cipherWith(keyB).open(sealedUnderA, 'ctx')).toThrow(new RegExp(`key ${keyIdOf(keyA)}`));
  });

  it('still opens values sealed before key ids (v1), with the current or a previous key', () => {
    const iv = randomBytes(12);
    const legacy = createCipheriv('aes-256-gcm', Buffer.from(keyA, 'base64'), iv);
    legacy.setAAD(Buffer.from('ctx'));
    const data = Buffer.concat([legacy.update('old-secret', 'utf8'), legacy.final()]);
    const v1 = ['v1', iv.toString('base64url'), legacy.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    expect(cipherWith(keyA).open(v1, 'ctx')).toBe('old-secret');
    expect(cipherWith(keyB, [keyA]).open(v1, 'ctx')).toBe('old-secret');
    expect(cipherWith(keyB, [keyA]).needsReseal(v1)).toBe(true);
  });
});
