import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { CREDENTIALS_SUBJECTS, SUBJECTS, TesseraError, type Principal } from '@tessera/contracts';
import { Handles, NatsJsonContext, TesseraClient } from '@tessera/messaging';
import { UpstreamCredentials } from './upstream-credentials.service';

/** Upstream credentials: the user's own overview, and fresh access tokens for pipeline services. */
@Controller()
export class CredentialsController {
  constructor(
    private readonly credentials: UpstreamCredentials,
    private readonly client: TesseraClient,
  ) {}

  @Handles(CREDENTIALS_SUBJECTS.listOwn)
  async listOwn(@Payload() body: { principal: Principal }) {
    const userId = body.principal.userId;
    return { items: userId ? await this.credentials.listOf(userId) : [] };
  }

  /** CONTRACT section 6: only a service account token with scope `credentials`, in the Authorization header. */
  @Handles(SUBJECTS.identityCredentials)
  async fresh(@Payload() body: { userId?: unknown; provider?: unknown }, @Ctx() context: NatsJsonContext) {
    await this.requireCredentialsCaller(context.authorization);
    if (typeof body.userId !== 'string' || typeof body.provider !== 'string')
      throw new TesseraError('bad_request', 'the request needs "userId" and "provider"', [
        ...(typeof body.userId !== 'string' ? [{ field: 'userId', problems: ['must be a string'] }] : []),
        ...(typeof body.provider !== 'string' ? [{ field: 'provider', problems: ['must be a string'] }] : []),
      ]);
    return this.credentials.freshAccessToken(body.userId, body.provider);
  }

  private async requireCredentialsCaller(authorization: string | undefined): Promise<void> {
    if (!authorization)
      throw new TesseraError('no_token', 'this subject needs the Authorization header of a service account with scope "credentials"');
    const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new TesseraError('bad_auth_header', 'the Authorization header must be "Bearer <token>"');
    const caller = await this.client.request(SUBJECTS.tokenIntrospect, { token: match[1] });
    if (!caller.active) throw new TesseraError('invalid_token', 'the caller token is not valid');
    if (caller.kind !== 'service' || !(caller.scope ?? '').split(' ').includes('credentials'))
      throw new TesseraError('insufficient_scope', 'the caller needs a service account token with scope "credentials"');
  }
}
