import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { TesseraConfig } from '@tessera/config';

const DEV_KEY_FILE = resolve('.tessera/dev.key');
/** `v2.<key id>.<iv>.<tag>.<data>`; `v1.<iv>.<tag>.<data>` (before key ids) is still read. */
const VERSION = 'v2';
/** GCM's full tag: Node would otherwise accept a tag of 4 bytes, which a forger guesses far sooner. */
const TAG_BYTES = 16;

/** A key's id: the first 8 hex digits of its SHA-256, enough to tell keys apart, nothing to recover one from. */
export function keyIdOf(base64Key: string): string {
  return createHash('sha256').update(Buffer.from(base64Key, 'base64')).digest('hex').slice(0, 8);
}

/**
 * AES-256-GCM for upstream credentials at rest. The associated data names the row and field, so a
 * sealed value copied into another row or column does not open. Each value names the key that
 * sealed it: during a rotation TESSERA_PREVIOUS_ENCRYPTION_KEYS still opens the old ones, and
 * `npm run reseal` seals every value again under TESSERA_ENCRYPTION_KEY.
 */
@Injectable()
export class CredentialCipher {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(config: TesseraConfig) {
    const current = config.TESSERA_ENCRYPTION_KEY ?? devKey();
    this.currentId = keyIdOf(current);
    for (const key of [current, ...(config.TESSERA_PREVIOUS_ENCRYPTION_KEYS ?? [])])
      this.keys.set(keyIdOf(key), Buffer.from(key, 'base64'));
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      VERSION,
      this.currentId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      sealed.toString('base64url'),
    ].join('.');
  }

  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts[0] === VERSION && parts.length === 5) {
      const key = this.keys.get(parts[1]);
      if (!key) throw new Error(`sealed under key ${parts[1]}, which is neither TESSERA_ENCRYPTION_KEY nor a previous key`);
      return decrypt(key, parts[2], parts[3], parts[4], context);
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      // Before key ids: whichever key opens it (GCM's tag tells a wrong key apart).
      for (const key of this.keys.values()) {
        try {
          return decrypt(key, parts[1], parts[2], parts[3], context);
        } catch {
          continue;
        }
      }
      throw new Error('a v1 sealed value that no configured key opens');
    }
    throw new Error(`unknown sealed format ${parts[0]}`);
  }

  /** True when the value is sealed under another key than the current one (or has no key id). */
  needsReseal(sealed: string): boolean {
    const parts = sealed.split('.');
    return parts[0] !== VERSION || parts[1] !== this.currentId;
  }

  /** The same plaintext sealed under the current key, in the same context. */
  reseal(sealed: string, context: string): string {
    return this.seal(this.open(sealed, context), context);
  }
}

function decrypt(key: Buffer, iv: string, tag: string, data: string, context: string): string {
  const authTag = Buffer.from(tag, 'base64url');
  if (authTag.length !== TAG_BYTES) throw new Error(`the GCM tag must be ${TAG_BYTES} bytes`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}

/** Development only (production requires TESSERA_ENCRYPTION_KEY): one key per checkout, created once. */
function devKey(): string {
  try {
    return readWhenWritten();
  } catch {
    mkdirSync(dirname(DEV_KEY_FILE), { recursive: true });
    try {
      // 'wx': two apps starting together must not overwrite each other's key.
      writeFileSync(DEV_KEY_FILE, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
      new Logger('credentials').warn(`generated a development encryption key in ${DEV_KEY_FILE}`);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    return readWhenWritten();
  }
}

/** Another app may have created the file a moment ago and not written it yet. */
function readWhenWritten(): string {
  for (let attempt = 0; ; attempt++) {
    const key = readFileSync(DEV_KEY_FILE, 'utf8').trim();
    if (key.length === 44 || attempt === 50) return key;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}
