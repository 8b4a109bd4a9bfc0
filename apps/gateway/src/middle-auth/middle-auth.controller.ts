import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MIDDLE_AUTH_SUBJECTS as M, type PublicRootsQuestion } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
import { Authenticated, MinRevision } from '../auth';
import type { JsonTextRequest } from '../http/bad-input';
import { BearerToken } from '../policy/policy-forwarder';
import { MiddleAuthEnabledGuard } from './middle-auth-enabled.guard';
import { parseRootIds, parseUserNumbers } from './middle-auth-input';

/**
 * middle_auth's routes (CONTRACT section 8) for CAVE services built on `middle_auth_client` and for
 * Neuroglancer, unchanged: their `AUTH_URL` points at `<tessera>/auth`. Every answer is forwarded
 * to the policy app; "unknown" and "no" are 4xx or false, never a 5xx the client would retry.
 * The hottest, `user/cache`, is UserCacheRoute.
 */
@ApiTags('middle_auth')
@UseGuards(MiddleAuthEnabledGuard)
@Controller('auth/api/v1')
export class MiddleAuthController {
  constructor(private readonly client: TesseraClient) {}

  @Get('user/:id/permissions')
  @Authenticated()
  @ApiOperation({ summary: "Another user's user-cache object, by user number (its admins, or a service account with scope decisions)" })
  async userPermissions(
    @BearerToken() token: string,
    @MinRevision() min: number | undefined,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const [number] = parseUserNumbers(id, 'id');
    const { user, revision } = await this.client.request(M.userPermissions, { token, number, ...revisionOf(min) });
    void reply.header('X-Tessera-Revision', revision);
    return user;
  }

  @Get('username')
  @Authenticated()
  @ApiOperation({ summary: '`[{id, name}]` for `?id=<number>,<number>…`, in the order asked' })
  async usernames(
    @BearerToken() token: string,
    @MinRevision() min: number | undefined,
    @Query('id') id: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const numbers = parseUserNumbers(id ?? '', 'id');
    const { users, revision } = await this.client.request(M.usernames, { token, numbers, ...revisionOf(min) });
    void reply.header('X-Tessera-Revision', revision);
    return users;
  }

  @Get('service/:service/table/:table/dataset')
  @Authenticated()
  @ApiOperation({ summary: 'The dataset name a servicetable maps to, as a bare JSON string; 404 when unmapped' })
  async tableDataset(
    @BearerToken() token: string,
    @MinRevision() min: number | undefined,
    @Param('service') service: string,
    @Param('table') table: string,
    @Res() reply: FastifyReply,
  ) {
    const { dataset, revision } = await this.client.request(M.tableDataset, { token, service, table, ...revisionOf(min) });
    sendJson(reply, dataset, revision);
  }

  @Get('table/:table/has_public')
  @ApiOperation({ summary: 'Whether the table has any public root (anyone)' })
  async hasPublic(@Param('table') table: string, @Res() reply: FastifyReply) {
    await this.answer(reply, { table, ask: 'has_public' });
  }

  @Get('table/:table/root/:root/is_public')
  @ApiOperation({ summary: 'Whether the root is public (anyone)' })
  async isPublic(@Param('table') table: string, @Param('root') root: string, @Res() reply: FastifyReply) {
    const [exact] = parseRootIds([root], root, 'root');
    await this.answer(reply, { table, ask: 'is_public', root: exact });
  }

  @Post('table/:table/root_all_public')
  @HttpCode(200)
  @ApiOperation({ summary: 'Whether every root of the body (a bare JSON array of integers) is public (anyone)' })
  async allPublic(@Param('table') table: string, @Req() request: JsonTextRequest, @Res() reply: FastifyReply) {
    const roots = parseRootIds(request.body, request.jsonText, 'body');
    await this.answer(reply, { table, ask: 'all_public', roots });
  }

  private async answer(reply: FastifyReply, question: PublicRootsQuestion): Promise<void> {
    const { answer, revision } = await this.client.request(M.publicRoots, question);
    sendJson(reply, answer, revision);
  }
}

const revisionOf = (min: number | undefined) => (min === undefined ? {} : { minRevision: min });

/** A bare JSON value (a string, a boolean): Fastify would send a string as text. */
function sendJson(reply: FastifyReply, value: string | boolean, revision: string): void {
  void reply.status(200).header('X-Tessera-Revision', revision).type('application/json; charset=utf-8').send(JSON.stringify(value));
}
