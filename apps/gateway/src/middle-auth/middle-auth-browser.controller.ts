import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGIN_SUBJECTS, MIDDLE_AUTH_SUBJECTS as M, TesseraError, TOKEN_INTERNAL_SUBJECTS, TRUSTED_APP_SUBJECTS } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TesseraClient } from '@tessera/messaging';
import { isRefusal, TokenIndexReplica } from '@tessera/token-index';
import { readCookie, TOKEN_COOKIE } from '../login/login-cookies';
import { OptionalQuery } from '../openapi';
import { MiddleAuthEnabledGuard } from './middle-auth-enabled.guard';
import { authorizePage, AUTHORIZE_SCRIPT, TOS_SCRIPT, tosPage } from './middle-auth-pages';

const BASE = '/auth/api/v1';

/**
 * middle_auth's browser flows over Tessera's login (CONTRACT sections 4 and 8): `authorize` ends
 * with a 302 to a registered app carrying `middle_auth_token`, or, in Neuroglancer's popup, with
 * `postMessage({token, app_urls})` to the opener's exact registered origin; `tos/<id>/accept`
 * shows the terms with an accept button and returns to `redirect`.
 */
@ApiTags('middle_auth')
@UseGuards(MiddleAuthEnabledGuard)
@Controller('auth/api/v1')
export class MiddleAuthBrowserController {
  constructor(
    private readonly config: TesseraConfig,
    private readonly replica: TokenIndexReplica,
    private readonly client: TesseraClient,
  ) {}

  @Get('authorize')
  @OptionalQuery('redirect', 'origin')
  // The popup page must keep its opener (the app's window): no Cross-Origin-Opener-Policy here.
  @RouteConfig({ helmet: { crossOriginOpenerPolicy: false } })
  @ApiOperation({
    summary:
      'Log in, then 302 to redirect (a registered app) with ?middle_auth_token=, or without redirect (a popup) post {token, app_urls} to the opener (origin, or the Referer, a registered app origin)',
  })
  async authorize(
    @Query('redirect') redirect: unknown,
    @Query('origin') origin: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (redirect !== undefined && redirect !== '') {
      const target = this.parseUrl(redirect, 'redirect');
      await this.requireTrusted(
        LOGIN_SUBJECTS.checkRedirect,
        { redirect: target.href },
        'redirect',
        'must start with a registered app URL',
      );
      const userId = await this.sessionUser(request);
      if (!userId) return this.login(reply, `${BASE}/authorize?redirect=${encodeURIComponent(target.href)}`);
      const { token } = await this.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId });
      target.searchParams.set('middle_auth_token', token);
      target.searchParams.set('middle_auth_url', `${new URL(this.config.publicUrl).host}/auth`);
      return void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(target.href, 302);
    }
    const opener = typeof origin === 'string' && origin !== '' ? origin : refererOrigin(request);
    if (opener === undefined) throw badField('origin', 'the popup needs the opener: ?origin= or a Referer of a registered app');
    await this.requireTrusted(LOGIN_SUBJECTS.checkOrigin, { origin: opener }, 'origin', 'must be exactly the origin of a registered app');
    const userId = await this.sessionUser(request);
    if (!userId) return this.login(reply, `${BASE}/authorize?origin=${encodeURIComponent(opener)}`);
    const [{ token }, apps] = await Promise.all([
      this.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId }),
      this.client.request(TRUSTED_APP_SUBJECTS.list, {}),
    ]);
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(authorizePage({ token, app_urls: apps.items.map((app) => app.url) }, opener));
  }

  @Get('authorize.js')
  @ApiExcludeEndpoint()
  authorizeScript(@Res() reply: FastifyReply): void {
    void reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(AUTHORIZE_SCRIPT);
  }

  @Get('tos/:id/accept')
  @OptionalQuery('redirect')
  @ApiOperation({ summary: 'A page showing that terms version with an accept button; accepting returns to redirect (a registered app)' })
  async tos(@Param('id') id: string, @Query('redirect') redirect: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let back: string | undefined;
    if (redirect !== undefined && redirect !== '') {
      back = this.parseUrl(redirect, 'redirect').href;
      await this.requireTrusted(LOGIN_SUBJECTS.checkRedirect, { redirect: back }, 'redirect', 'must start with a registered app URL');
    }
    const token = readCookie(request, TOKEN_COOKIE);
    if (!token || !(await this.sessionUser(request))) {
      return this.login(reply, `${BASE}/tos/${encodeURIComponent(id)}/accept${back ? `?redirect=${encodeURIComponent(back)}` : ''}`);
    }
    const terms = await this.client.request(M.tos, { token, tosId: id });
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(tosPage(terms, back ?? `${this.config.publicUrl}/`));
  }

  @Get('tos-accept.js')
  @ApiExcludeEndpoint()
  tosScript(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(TOS_SCRIPT);
  }

  /** The user behind the session cookie, when it holds a live token of a user. */
  private async sessionUser(request: FastifyRequest): Promise<string | undefined> {
    const token = readCookie(request, TOKEN_COOKIE);
    if (!token) return undefined;
    const principal = await this.replica.resolve(token);
    return isRefusal(principal) ? undefined : principal.userId;
  }

  /** Tessera's own login, coming back to `path` (a page of Tessera) once the session cookie is set. */
  private login(reply: FastifyReply, path: string): void {
    void reply.header('cache-control', 'no-store').redirect(`/auth/login?redirect=${encodeURIComponent(path)}`, 302);
  }

  private parseUrl(value: unknown, field: string): URL {
    try {
      if (typeof value === 'string') return new URL(value);
    } catch {
      // answered below
    }
    throw badField(field, 'must be an absolute URL');
  }

  private async requireTrusted(
    subject: typeof LOGIN_SUBJECTS.checkRedirect | typeof LOGIN_SUBJECTS.checkOrigin,
    body: { redirect: string } | { origin: string },
    field: string,
    problem: string,
  ): Promise<void> {
    const { trusted } = await this.client.request(subject, body as never);
    if (!trusted) throw new TesseraError('untrusted_redirect', `${field}: ${problem}`, [{ field, problems: [problem] }]);
  }
}

function badField(field: string, problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

/** The opener's origin as its Referer gives it (Neuroglancer opens the popup without parameters). */
function refererOrigin(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}
