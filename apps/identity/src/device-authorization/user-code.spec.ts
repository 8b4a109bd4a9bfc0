import { newUserCode, normalizeUserCode, USER_CODE_ALPHABET } from './user-code';

describe('device login user codes', () => {
  it('are 8 consonants shown as XXXX-XXXX', () => {
    for (let i = 0; i < 200; i += 1) {
      const code = newUserCode();
      expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
      expect([...code.replace('-', '')].every((letter) => USER_CODE_ALPHABET.includes(letter))).toBe(true);
      expect(code).not.toMatch(/[AEIOUY]/);
    }
  });

  it('are read back in any case, with or without the dash, and refused when they cannot be a code', () => {
    expect(normalizeUserCode('bcdf-ghjk')).toBe('BCDF-GHJK');
    expect(normalizeUserCode(' BCDFGHJK ')).toBe('BCDF-GHJK');
    expect(normalizeUserCode('BCDF-GHJA')).toBeUndefined();
    expect(normalizeUserCode('BCDF-GHJ')).toBeUndefined();
    expect(normalizeUserCode(42)).toBeUndefined();
  });
});
