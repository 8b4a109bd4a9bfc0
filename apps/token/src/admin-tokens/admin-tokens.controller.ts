import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TesseraError, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TesseraConfig } from '@tessera/config';
import { TokenCommands } from '../tokens/token-commands';

/**
 * Short-lived super-admin tokens from TESSERA_ADMIN_KEY. The subject is open to Tessera's own NATS
 * users only; the gateway limits the tries per client address before it forwards one.
 */
@Controller()
export class AdminTokensController {
  constructor(
    private readonly tokens: TokenCommands,
    private readonly config: TesseraConfig,
  ) {}

  @Handles(TOKEN_ADMIN_SUBJECTS.mintAdmin)
  async mintAdmin(@Payload() body: { adminKey?: unknown }): Promise<{ token: string; expiresAt: string; revision: string }> {
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
