import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { TokenKind } from '@tessera/contracts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

/** The letter after `tsr` for each kind (CONTRACT section 3). */
export const KIND_LETTERS: Record<TokenKind, string> = {
  session: 's',
  personal: 'p',
  service: 'v',
  impersonation: 'i',
  resource: 'r',
  admin: 'a',
};
const KIND_BY_LETTER = new Map(Object.entries(KIND_LETTERS).map(([kind, letter]) => [letter, kind as TokenKind]));

const TOKEN_PATTERN = /^tsr([spvira])_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: rejecting the rest keeps every character equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksumOf(secret: string): string {
  let value = crc32(secret);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** A new token of that kind: `tsr<k>_` + 32 base62 secret (≈190 bits) + 6 base62 CRC32 of the secret. */
export function generateToken(kind: TokenKind): string {
  const secret = randomBase62(SECRET_LENGTH);
  return `tsr${KIND_LETTERS[kind]}_${secret}${checksumOf(secret)}`;
}

/** The kind of a well-formed token whose checksum holds; undefined otherwise (refused without a lookup). */
export function parseToken(token: string): TokenKind | undefined {
  const match = TOKEN_PATTERN.exec(token);
  if (!match || checksumOf(match[2]) !== match[3]) return undefined;
  return KIND_BY_LETTER.get(match[1]);
}

/** middle_auth's API keys, imported as legacy tokens (CONTRACT section 3): 32 lowercase hex characters, no checksum. */
const LEGACY_PATTERN = /^[0-9a-f]{32}$/;

export function isLegacyToken(token: string): boolean {
  return LEGACY_PATTERN.test(token);
}

/** The listing's hint of a legacy token: `legacy_…` and its last 4 characters. */
export function legacyTokenHint(token: string): string {
  return `legacy_…${token.slice(-4)}`;
}

/** What is stored and put in events instead of the token: hex SHA-256 of the whole string. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** What a listing shows of a token: `tsrp_…9f3a`. */
export function tokenHint(token: string): string {
  return `${token.slice(0, 5)}…${token.slice(-4)}`;
}
