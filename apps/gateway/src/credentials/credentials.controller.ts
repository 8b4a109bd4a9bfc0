import type { NatsConnection } from '@nats-io/transport-node';
import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CREDENTIALS_SUBJECTS, LOGIN_SUBJECTS, TOKEN_INTERNAL_SUBJECTS, type Principal } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { TokenExchangeDto } from '../login/login.dto';

/** Upstream identity over REST: the caller's connected providers, and the provider-token exchange. */
@ApiTags('login')
@Controller('api/v1')
export class CredentialsController {
  constructor(@Inject(NATS_CONNECTION) private readonly nats: NatsConnection) {}

  @Get('me/credentials')
  @Authenticated()
  @ApiOperation({ summary: 'Which upstream providers are connected and until when; never the secrets' })
  mine(@CurrentPrincipal() principal: Principal): Promise<unknown> {
    return requestJson(this.nats, CREDENTIALS_SUBJECTS.listOwn, { principal });
  }

  @Post('tokens/exchange')
  @ApiOperation({ summary: 'Trade a provider access token (validated with the provider) for a Tessera session token' })
  async exchange(@Body() body: TokenExchangeDto) {
    const { userId, user } = await requestJson<{ userId: string; user: unknown }>(this.nats, LOGIN_SUBJECTS.exchange, {
      authToken: body.auth_token,
    });
    const session = await requestJson<{ token: string; expiresAt: string; revision: string }>(
      this.nats,
      TOKEN_INTERNAL_SUBJECTS.mintSession,
      { userId },
    );
    return { token: session.token, expiresAt: session.expiresAt, user, revision: session.revision };
  }
}
