import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { TesseraError, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TesseraConfig } from '@tessera/config';
import { PG_POOL } from '@tessera/platform';
import { TokenCommands } from '../tokens/token-commands';
import { ADMIN_KEY_TRIES_PER_MINUTE, countAdminKeyTry } from './admin-key-attempts';

/** Short-lived super-admin tokens from TESSERA_ADMIN_KEY. */
@Controller()
export class AdminTokensController {
  constructor(
    private readonly tokens: TokenCommands,
    private readonly config: TesseraConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Handles(TOKEN_ADMIN_SUBJECTS.mintAdmin)
  async mintAdmin(
    @Payload() body: { adminKey?: unknown; clientAddress?: unknown },
  ): Promise<{ token: string; expiresAt: string; revision: string }> {
    const address = typeof body.clientAddress === 'string' && body.clientAddress ? body.clientAddress : 'unknown';
    const { attempts, retryAfter } = await countAdminKeyTry(this.pool, address);
    if (attempts > ADMIN_KEY_TRIES_PER_MINUTE) {
      throw new TesseraError(
        'rate_limited',
        `at most ${ADMIN_KEY_TRIES_PER_MINUTE} admin-key tries a minute`,
        undefined,
        undefined,
        retryAfter,
      );
    }
    const expected = this.config.TESSERA_ADMIN_KEY;
    if (!expected) throw new TesseraError('invalid_admin_key', 'admin tokens are disabled (TESSERA_ADMIN_KEY is not set)');
    if (typeof body.adminKey !== 'string' || !sameSecret(body.adminKey, expected))
      throw new TesseraError('invalid_admin_key', 'wrong admin key');
    const minted = await this.tokens.mint({ kind: 'admin' }, undefined, 'admin-key');
    return { token: minted.token, expiresAt: minted.expiresAt!, revision: minted.revision };
  }
}

/** Constant time whatever the lengths: compares digests of equal size. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
