import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { TesseraConfig } from '@tessera/config';

const DEV_KEY_FILE = resolve('.tessera/dev.key');
const VERSION = 'v1';

/**
 * AES-256-GCM for upstream credentials at rest. The associated data names the row and field, so a
 * sealed value copied into another row or column does not open.
 */
@Injectable()
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(config: TesseraConfig) {
    this.key = Buffer.from(config.TESSERA_ENCRYPTION_KEY ?? devKey(), 'base64');
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION) throw new Error(`unknown sealed format ${version}`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
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
