import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { TOKEN_INTERNAL_SUBJECTS, type SessionToken } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { TokenCommands } from '../tokens/token-commands';

/** Session tokens, minted for the login flow (internal subject): every scope of the user, TESSERA_SESSION_TTL. */
@Controller()
export class SessionTokensController {
  constructor(private readonly tokens: TokenCommands) {}

  @Handles(TOKEN_INTERNAL_SUBJECTS.mintSession)
  async mintSession(@Payload() body: { userId?: unknown }): Promise<SessionToken> {
    const userId = typeof body.userId === 'string' ? body.userId : undefined;
    const minted = await this.tokens.mint({ kind: 'session' }, userId, userId ?? 'login');
    return { id: minted.id, token: minted.token, expiresAt: minted.expiresAt!, revision: minted.revision };
  }
}
