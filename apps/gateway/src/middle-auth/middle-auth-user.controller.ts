import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IDENTITY_ADMIN_SUBJECTS, MIDDLE_AUTH_SUBJECTS as M, TesseraError, TOKEN_ADMIN_SUBJECTS } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated } from '../auth';
import { CurrentPrincipal, type Caller } from '../auth/current-principal.decorator';
import { MiddleAuthEnabledGuard } from './middle-auth-enabled.guard';

/** The name a token made through middle_auth's `POST /user/token` gets (middle_auth's keys have none). */
const TOKEN_NAME = 'middle_auth token';

/**
 * middle_auth's own user routes over Tessera's accounts and tokens (CONTRACT section 8): the
 * caller, its tokens listed masked (never a secret), a new token shown once, a token revoked.
 */
@ApiTags('middle_auth')
@UseGuards(MiddleAuthEnabledGuard)
@Authenticated()
@Controller('auth/api/v1/user')
export class MiddleAuthUserController {
  constructor(private readonly client: TesseraClient) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller, as middle_auth describes a user (id is the user number)' })
  async me(@CurrentPrincipal() principal: Caller) {
    if (!principal.userId) throw new TesseraError('not_found', 'an admin token has no user');
    const [cache, user] = await Promise.all([
      this.client.request(M.userCache, { token: principal.bearer }),
      this.client.request(IDENTITY_ADMIN_SUBJECTS.getUser, { principal, id: principal.userId }),
    ]);
    return {
      id: cache.id,
      service_account: cache.service_account,
      name: cache.name,
      created: user.createdAt,
      pi: cache.pi,
      affiliations: cache.affiliations,
      admin: cache.admin,
      email: cache.email,
      admin_datasets: cache.datasets_admin,
      ...(cache.service_account ? { parent_id: cache.parent_id } : {}),
    };
  }

  @Get('token')
  @ApiOperation({ summary: "The caller's tokens as middle_auth lists its keys; `token` is the masked hint, never the secret" })
  async tokens(@CurrentPrincipal() principal: Caller) {
    const [{ items }, user] = await Promise.all([
      this.client.request(TOKEN_ADMIN_SUBJECTS.list, { principal }),
      this.client.request(M.userCache, { token: principal.bearer }),
    ]);
    return items.map((token) => ({
      id: token.id,
      user_id: user.id,
      token: token.hint,
      description: token.name,
      created: token.createdAt,
      updated: token.createdAt,
      last_used: token.lastUsedAt,
    }));
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new personal token with the caller’s scopes, as a bare JSON string (shown this once)' })
  async create(@CurrentPrincipal() principal: Caller, @Res() reply: FastifyReply) {
    const minted = await this.client.request(TOKEN_ADMIN_SUBJECTS.mint, {
      principal,
      kind: 'personal',
      name: TOKEN_NAME,
      scopes: principal.scopes,
    });
    void reply
      .status(200)
      .header('X-Tessera-Revision', minted.revision)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(minted.token));
  }

  @Delete('token/:id')
  @ApiOperation({ summary: 'Revoke one of the caller’s tokens; answers "success"' })
  async remove(@CurrentPrincipal() principal: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Res() reply: FastifyReply) {
    const { revision } = await this.client.request(TOKEN_ADMIN_SUBJECTS.revokeById, { principal, tokenId: id });
    void reply.status(200).header('X-Tessera-Revision', revision).type('application/json; charset=utf-8').send('"success"');
  }
}
