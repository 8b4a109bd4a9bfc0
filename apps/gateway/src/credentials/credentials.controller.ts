import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CREDENTIALS_SUBJECTS, LOGIN_SUBJECTS, TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, type Caller } from '../auth/current-principal.decorator';
import { TokenExchangeDto } from '../login/login.dto';
import { RateLimited } from '../rate-limits/rate-limits';

/** Upstream identity over REST: the caller's connected providers, and the provider-token exchange. */
@ApiTags('login')
@Controller('api/v1')
export class CredentialsController {
  constructor(private readonly client: TesseraClient) {}

  @Get('me/credentials')
  @Authenticated()
  @ApiOperation({ summary: 'Which upstream providers are connected and until when; never the secrets' })
  mine(@CurrentPrincipal() principal: Caller): Promise<unknown> {
    return this.client.request(CREDENTIALS_SUBJECTS.listOwn, { principal });
  }

  @Post('tokens/exchange')
  @RateLimited('exchange')
  @ApiOperation({
    summary:
      'Trade a provider access token issued to Tessera (or to OAUTH2_EXCHANGE_AUDIENCES) for a session token that never carries admin nor outlives it',
  })
  async exchange(@Body() body: TokenExchangeDto) {
    const { userId, user, expiresAt } = await this.client.request(LOGIN_SUBJECTS.exchange, { authToken: body.auth_token });
    const session = await this.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, {
      userId,
      exchanged: true,
      ...(expiresAt ? { notAfter: expiresAt } : {}),
    });
    return { token: session.token, expiresAt: session.expiresAt, user, revision: session.revision };
  }
}
