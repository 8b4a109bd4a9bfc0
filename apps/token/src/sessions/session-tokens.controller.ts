import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ACCOUNT_SCOPES, TesseraError, TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TesseraConfig } from '@tessera/config';
import { TokenMinting } from '../minting/token-minting.service';
import { TokenRules } from '../minting/token-rules';

/** A session token carries every scope of its user (CONTRACT section 3). */
const SESSION_SCOPES = ['*', ...ACCOUNT_SCOPES];

/** Session tokens, minted for the login flow (internal subject). */
@Controller()
export class SessionTokensController {
  constructor(
    private readonly minting: TokenMinting,
    private readonly rules: TokenRules,
    private readonly config: TesseraConfig,
  ) {}

  @Handles(TOKEN_INTERNAL_SUBJECTS.mintSession)
  async mintSession(@Payload() body: { userId?: unknown }): Promise<{ token: string; expiresAt: string; id: string; revision: string }> {
    const owner = typeof body.userId === 'string' ? await this.rules.owner(body.userId) : undefined;
    if (!owner || owner.serviceAccount) throw new TesseraError('not_found', 'no such user');
    if (!owner.active) throw new TesseraError('conflict', 'the user is deactivated');
    const minted = await this.minting.mint(
      {
        kind: 'session',
        ownerId: owner.id,
        name: 'session',
        scopes: SESSION_SCOPES,
        expiresAt: new Date(Date.now() + this.config.TESSERA_SESSION_TTL * 1000),
      },
      owner.id,
    );
    return { id: minted.id, token: minted.token, expiresAt: minted.expiresAt!, revision: minted.revision };
  }
}
