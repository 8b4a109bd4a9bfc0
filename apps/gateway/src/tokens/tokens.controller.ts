import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SUBJECTS, TesseraError, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, MinRevision, type Caller } from '../auth/current-principal.decorator';
import { OptionalQuery } from '../openapi';
import { ListQueryDto } from '../users/list-query.dto';
import { MintTokenDto, mintFields, TokenBodyDto } from './token.dto';

/** Personal tokens (CONTRACT section 3), forwarded to the token app with the resolved caller. */
@ApiTags('tokens')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly client: TesseraClient) {}

  @Post()
  @Authenticated()
  @ApiOperation({ summary: 'Mint a personal token (scope tokens); the secret is in this answer only' })
  mint(@CurrentPrincipal() principal: Caller, @Body() body: MintTokenDto, @MinRevision() minRevision?: number): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.mint, { ...mintFields(body), principal, kind: 'personal', minRevision });
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'The caller’s tokens, masked, newest first' })
  @OptionalQuery('limit', 'cursor')
  list(@CurrentPrincipal() principal: Caller, @Query() query: ListQueryDto, @MinRevision() minRevision?: number): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.list, { principal, limit: query.limit, cursor: query.cursor, minRevision });
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: 'Revoke a token: owner, or super admin' })
  revoke(
    @CurrentPrincipal() principal: Caller,
    @Param('id', new ParseUUIDPipe()) tokenId: string,
    @MinRevision() minRevision?: number,
  ): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.revokeById, { principal, tokenId, minRevision });
  }

  @Post('introspect')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'RFC 7662 introspection (service account with scope introspect)' })
  introspect(@CurrentPrincipal() principal: Caller, @Body() body: TokenBodyDto): Promise<unknown> {
    if (!principal.superAdmin) {
      if (!principal.serviceAccount) throw new TesseraError('not_admin', 'only a service account with scope introspect may introspect');
      if (!principal.scopes.includes('introspect')) throw new TesseraError('insufficient_scope', 'this token lacks the introspect scope');
    }
    return this.client.request(SUBJECTS.tokenIntrospect, { token: body.token });
  }

  /** RFC 7009: holding the token is the proof, so no bearer is needed; always 200. */
  @Post('revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'RFC 7009 revocation: 200 always' })
  async revokeByValue(@Body() body: TokenBodyDto): Promise<unknown> {
    return this.client.request(TOKEN_ADMIN_SUBJECTS.revoke, { token: body.token });
  }
}
