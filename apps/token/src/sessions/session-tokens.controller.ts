import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOKEN_INTERNAL_SUBJECTS, type SessionToken } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TokenCommands } from '../tokens/token-commands';

/**
 * Session tokens, minted for the login flow (internal subject): every scope of the user, TESSERA_SESSION_TTL.
 * One made by the token exchange (`exchanged`) carries only permission scopes and ends with the provider token (`notAfter`).
 */
@Controller()
export class SessionTokensController {
  constructor(private readonly tokens: TokenCommands) {}

  @Handles(TOKEN_INTERNAL_SUBJECTS.mintSession)
  async mintSession(@Payload() body: { userId?: unknown; exchanged?: unknown; notAfter?: unknown }): Promise<SessionToken> {
    const userId = typeof body.userId === 'string' ? body.userId : undefined;
    const notAfter = typeof body.notAfter === 'string' ? Date.parse(body.notAfter) : NaN;
    const exchanged = body.exchanged === true ? { exchanged: Number.isNaN(notAfter) ? {} : { notAfter } } : {};
    const minted = await this.tokens.mint({ kind: 'session', ...exchanged }, userId, userId ?? 'login');
    return { id: minted.id, token: minted.token, expiresAt: minted.expiresAt!, revision: minted.revision };
  }
}
