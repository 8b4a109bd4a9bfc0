import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import { OptionalQuery } from '../openapi';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGIN_SUBJECTS, TesseraError, TOKEN_ADMIN_SUBJECTS, TOKEN_INTERNAL_SUBJECTS, TOKEN_REVOCATION_SUBJECTS } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TesseraClient } from '@tessera/messaging';
import { isRefusal, TokenIndexReplica } from '@tessera/token-index';
import { Authenticated, type AuthenticatedRequest } from '../auth/bearer-auth.guard';
import { CurrentPrincipal, type Caller } from '../auth/current-principal.decorator';
import { clearCookie, loginCookie, readCookie, setCookie, TOKEN_COOKIE } from './login-cookies';
import { LoginCodeDto } from './login.dto';
import { LoginStrategy } from './login-strategy';
import { RateLimited } from '../rate-limits/rate-limits';

/** A login must come back within this time (the identity app keeps the state as long). */
const LOGIN_COOKIE_SECONDS = 600;
const POPUP_PATH = '/auth/popup';

/**
 * CONTRACT section 4: authorization code + PKCE + state with the upstream provider, redirects
 * only to registered apps, a one-time code for the app, the session cookie, popup and logout.
 */
@ApiTags('login')
@Controller('auth')
export class LoginController {
  private readonly log = new Logger('login');

  constructor(
    private readonly strategy: LoginStrategy,
    private readonly config: TesseraConfig,
    private readonly replica: TokenIndexReplica,
    private readonly client: TesseraClient,
  ) {}

  @Get('login')
  // A login may run inside a popup (Neuroglancer's, /auth/popup): a Cross-Origin-Opener-Policy on any
  // response of its redirect chain would cut the popup from its opener, so none here. (One route
  // config: RateLimited's, which a second @RouteConfig would replace.)
  @RateLimited('login', { helmet: { crossOriginOpenerPolicy: false } })
  @OptionalQuery('redirect', 'login_hint')
  @ApiOperation({
    summary:
      'Begin a login: 302 to the identity provider (state + PKCE S256); redirect must start with a registered app URL, or be a page of Tessera itself (a path such as /tokens, or under TESSERA_PUBLIC_URL; default: the console at /)',
  })
  async login(
    @Query('redirect') redirect: unknown,
    @Query('login_hint') loginHint: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Without one, the login ends on the console's home page: what a newcomer sees after `npm start`.
    if (redirect === undefined || redirect === '') redirect = `${this.config.publicUrl}/`;
    if (typeof redirect !== 'string')
      throw new TesseraError('bad_request', 'redirect: must be a URL', [{ field: 'redirect', problems: ['must be a URL'] }]);
    const target = ownPage(redirect, this.config.publicUrl);
    await this.requireTrustedRedirect(target);
    const nonceCookie = loginCookie(this.config.publicUrl);
    const browserNonce = readCookie(request, nonceCookie.name) ?? randomBytes(32).toString('base64url');
    const outcome = await this.strategy.run({
      query: {},
      login: { browserNonce, redirect: target, loginHint: typeof loginHint === 'string' ? loginHint : undefined },
    });
    if (outcome.kind !== 'redirect') throw this.failure(outcome);
    setCookie(reply, this.config.publicUrl, nonceCookie.name, browserNonce, {
      path: nonceCookie.path,
      maxAgeSeconds: LOGIN_COOKIE_SECONDS,
    });
    void reply.header('cache-control', 'no-store').redirect(outcome.url, 302);
  }

  @Get('callback')
  @RouteConfig({ helmet: { crossOriginOpenerPolicy: false } })
  @ApiOperation({
    summary: 'The provider returns here: state checked, code exchanged, user found or created, session cookie, 302 to the app with ?code=',
  })
  async callback(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const query = request.query as Record<string, unknown>;
    if (typeof query.error === 'string') throw new TesseraError('bad_request', `the identity provider refused the login: ${query.error}`);
    if (typeof query.code !== 'string' || typeof query.state !== 'string')
      throw new TesseraError('bad_request', 'the callback needs code and state', [
        ...(typeof query.code !== 'string' ? [{ field: 'code', problems: ['required'] }] : []),
        ...(typeof query.state !== 'string' ? [{ field: 'state', problems: ['required'] }] : []),
      ]);
    const nonceCookie = loginCookie(this.config.publicUrl);
    const login = { browserNonce: readCookie(request, nonceCookie.name) ?? '', redirect: undefined as string | undefined };
    const outcome = await this.strategy.run({ query: { code: query.code, state: query.state }, login });
    if (outcome.kind !== 'success' || !login.redirect) throw this.failure(outcome);
    const { userId } = await this.client.request(LOGIN_SUBJECTS.complete, outcome.tokens);
    const session = await this.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId });
    const { code } = await this.client.request(LOGIN_SUBJECTS.createCode, { userId, redirect: login.redirect });
    setCookie(reply, this.config.publicUrl, TOKEN_COOKIE, session.token, { path: '/', maxAgeSeconds: this.config.TESSERA_SESSION_TTL });
    clearCookie(reply, this.config.publicUrl, nonceCookie.name, nonceCookie.path);
    const target = new URL(login.redirect);
    target.searchParams.set('code', code);
    void reply.header('cache-control', 'no-store').redirect(target.href, 302);
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({ summary: 'Trade the one-time code (60 s, single use, bound to redirect) for a session token' })
  async token(@Body() body: LoginCodeDto): Promise<{ token: string; expiresAt: string }> {
    const { userId } = await this.client.request(LOGIN_SUBJECTS.redeemCode, body);
    const session = await this.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId });
    return { token: session.token, expiresAt: session.expiresAt };
  }

  @Get('popup')
  // The page must keep its opener (the app's window): no Cross-Origin-Opener-Policy here.
  @RouteConfig({ helmet: { crossOriginOpenerPolicy: false } })
  @ApiOperation({ summary: 'For popup clients: after login, posts {token} to window.opener with exactly this registered origin' })
  async popup(@Query('origin') origin: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (typeof origin !== 'string' || !(await this.isTrustedOrigin(origin)))
      throw new TesseraError('untrusted_redirect', 'origin: must be exactly the origin of a registered app', [
        { field: 'origin', problems: ['must be exactly the origin of a registered app'] },
      ]);
    const token = readCookie(request, TOKEN_COOKIE);
    const resolved = token ? await this.replica.resolve(token) : undefined;
    if (!token || !resolved || isRefusal(resolved)) {
      const back = `${this.config.publicUrl}${POPUP_PATH}?origin=${encodeURIComponent(origin)}`;
      void reply.header('cache-control', 'no-store').redirect(`/auth/login?redirect=${encodeURIComponent(back)}`, 302);
      return;
    }
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(popupPage(token, origin));
  }

  /** The popup page's script, served from Tessera's own origin so the page needs no inline script (CSP `script-src 'self'`). */
  @Get('popup.js')
  @ApiExcludeEndpoint()
  popupScript(@Res() reply: FastifyReply): void {
    void reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(POPUP_SCRIPT);
  }

  @Post('logout')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Revoke this session token and clear the cookie' })
  async logout(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ revoked: number; revision?: string }> {
    const answer = await this.client.request(TOKEN_ADMIN_SUBJECTS.revoke, { token: request.bearerToken });
    clearCookie(reply, this.config.publicUrl, TOKEN_COOKIE, '/');
    return { revoked: answer.revision ? 1 : 0, ...(answer.revision ? { revision: answer.revision } : {}) };
  }

  @Post('logout-all')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Revoke every session token of the caller' })
  async logoutAll(
    @CurrentPrincipal() principal: Caller,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ revoked: number; revision: string }> {
    if (!principal.userId) throw new TesseraError('bad_request', 'an admin token has no sessions');
    const answer = await this.client.request(TOKEN_REVOCATION_SUBJECTS.revokeAllOfUser, {
      userId: principal.userId,
      kinds: ['session'],
      reason: 'logout',
      actor: principal.userId,
      ...(principal.impersonatedBy ? { impersonatedBy: principal.impersonatedBy } : {}),
    });
    clearCookie(reply, this.config.publicUrl, TOKEN_COOKIE, '/');
    return answer;
  }

  /** Registered apps, plus Tessera's own pages (the popup page sends the token on only to a registered origin). */
  private async requireTrustedRedirect(redirect: string): Promise<void> {
    if (redirect === this.config.publicUrl || redirect.startsWith(`${this.config.publicUrl}/`)) return;
    const { trusted } = await this.client.request(LOGIN_SUBJECTS.checkRedirect, { redirect });
    if (!trusted)
      throw new TesseraError('untrusted_redirect', 'redirect: must start with a registered app URL', [
        { field: 'redirect', problems: ['must start with a registered app URL'] },
      ]);
  }

  private async isTrustedOrigin(origin: string): Promise<boolean> {
    return (await this.client.request(LOGIN_SUBJECTS.checkOrigin, { origin })).trusted;
  }

  private failure(outcome: Awaited<ReturnType<LoginStrategy['run']>>): TesseraError {
    if (outcome.kind === 'fail') return new TesseraError('bad_request', outcome.message, [{ field: 'state', problems: [outcome.message] }]);
    if (outcome.kind === 'error') {
      this.log.warn(`login failed at the identity provider: ${outcome.error.message}`);
      return outcome.error instanceof TesseraError
        ? outcome.error
        : new TesseraError('bad_request', 'the identity provider refused the code (expired, used, or not issued for this login)');
    }
    return new TesseraError('internal_error', 'the login took an unexpected turn');
  }
}

/** A path such as the console's `/tokens` is a page of Tessera itself (`//host` and `/\\host` are other hosts, not paths). */
function ownPage(redirect: string, publicUrl: string): string {
  return /^\/(?![/\\])/.test(redirect) ? `${publicUrl}${redirect}` : redirect;
}

/**
 * The target origin is a registered app's exact origin, never `*`. The token and origin travel in a
 * JSON data block (never executed, so the CSP allows it; `<` escaped so it cannot close the tag),
 * read by POPUP_SCRIPT.
 */
function popupPage(token: string, origin: string): string {
  const data = JSON.stringify({ token, origin })
    .replace(/</g, '\\u003c')
    .replace(/\u2028|\u2029/g, '');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Tessera login</title></head>
<body><p>You are logged in. This window closes by itself.</p>
<script type="application/json" id="tessera-popup">${data}</script>
<script src="${POPUP_PATH}.js"></script></body></html>
`;
}

const POPUP_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('tessera-popup').textContent);
  if (window.opener) window.opener.postMessage({ token: data.token }, data.origin);
  window.close();
})();
`;
