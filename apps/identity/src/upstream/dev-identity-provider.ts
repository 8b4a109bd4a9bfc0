import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';

export interface DevIdentityProvider {
  /** Base URL on loopback, e.g. `http://127.0.0.1:41234`. */
  url: string;
  stop(): Promise<void>;
}

interface TokenRequest extends IncomingMessage {
  body: { grant_type: string; code?: string; refresh_token?: string; client_id?: string };
}

/** The client a token request authenticated as (HTTP Basic, or `client_id` in the body), as a provider records it. */
function clientOf(req: TokenRequest): string {
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) return decodeURIComponent(Buffer.from(basic, 'base64').toString('utf8').split(':')[0]);
  return req.body.client_id ?? '';
}

/** Whom a dev login is for: `?login_hint=` at /authorize (default `dev-user`), as an OIDC subject. */
const DEFAULT_LOGIN = 'dev-user';
const LOGIN = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * The development identity provider: a real OAuth2/OIDC server (oauth2-mock-server) on loopback
 * that signs in whoever `login_hint` names without a password. On top of the mock it remembers
 * which access and refresh tokens it issued, so userinfo and refresh refuse tokens
 * it never issued or that expired, as a real provider does. `OAUTH2_DEV_TOKEN_TTL` (seconds,
 * default 3600) makes its access tokens short-lived for tests of the refresh.
 */
export async function startDevIdentityProvider(options: { port: number; tokenTtlSeconds: number }): Promise<DevIdentityProvider> {
  const logger = new Logger('dev-identity-provider');
  // oauth2-mock-server is ESM-only; a dynamic import keeps it out of production start-up.
  const { OAuth2Server } = await import('oauth2-mock-server');
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(options.port, '127.0.0.1');
  const url = server.issuer.url!.replace(/\/+$/, '');

  const loginByCode = new Map<string, string>();
  const subjectByRefreshToken = new Map<string, string>();
  const accessTokens = new Map<string, { sub: string; exp: number; clientId: string }>();
  const subjectOfRequest = new WeakMap<IncomingMessage, string>();

  server.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: IncomingMessage) => {
    const hint = new URL(req.url ?? '/', url).searchParams.get('login_hint') ?? DEFAULT_LOGIN;
    const code = redirect.url.searchParams.get('code');
    if (code) loginByCode.set(code, LOGIN.test(hint) ? hint : DEFAULT_LOGIN);
  });
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: TokenRequest) => {
    const body = req.body;
    const sub =
      body.grant_type === 'authorization_code'
        ? loginByCode.get(body.code ?? '')
        : body.grant_type === 'refresh_token'
          ? subjectByRefreshToken.get(body.refresh_token ?? '')
          : undefined;
    if (sub) token.payload.sub = sub;
    // Whom the token was issued to, as real providers record it (and Tessera's exchange checks).
    token.payload.client_id = clientOf(req);
    token.payload.aud = clientOf(req);
    token.payload.exp = (token.payload.iat as number) + options.tokenTtlSeconds;
    // Two tokens signed in the same second would otherwise be identical.
    token.payload.jti = randomUUID();
    subjectOfRequest.set(req, sub ?? '');
  });
  server.service.on('beforeResponse', (response: { statusCode: number; body: Record<string, unknown> }, req: TokenRequest) => {
    const sub = subjectOfRequest.get(req);
    if (!sub) {
      response.statusCode = 400;
      response.body = { error: 'invalid_grant', error_description: 'unknown or used code or refresh token' };
      return;
    }
    if (req.body.grant_type === 'authorization_code') loginByCode.delete(req.body.code ?? '');
    if (req.body.grant_type === 'refresh_token') subjectByRefreshToken.delete(req.body.refresh_token ?? '');
    response.body.expires_in = options.tokenTtlSeconds;
    accessTokens.set(String(response.body.access_token), {
      sub,
      exp: Date.now() + options.tokenTtlSeconds * 1000,
      clientId: clientOf(req),
    });
    if (typeof response.body.refresh_token === 'string') subjectByRefreshToken.set(response.body.refresh_token, sub);
  });
  const live = (token: string | undefined) => {
    const issued = token ? accessTokens.get(token) : undefined;
    return issued && issued.exp > Date.now() ? issued : undefined;
  };
  // Userinfo doubles as the provider's token info: it names the client the token was issued to (`aud`) and when it expires.
  server.service.on('beforeUserinfo', (response: { statusCode: number; body: unknown }, req: IncomingMessage) => {
    const issued = live(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]);
    if (!issued) {
      response.statusCode = 401;
      response.body = { error: 'invalid_token' };
      return;
    }
    const { sub, clientId, exp } = issued;
    response.body = {
      sub,
      name: sub,
      preferred_username: sub,
      email: `${sub}@dev.tessera.invalid`,
      email_verified: true,
      aud: clientId,
      exp: Math.floor(exp / 1000),
    };
  });
  logger.warn('*'.repeat(78));
  logger.warn(`DEVELOPMENT IDENTITY PROVIDER on ${url}: signs in anyone without a password.`);
  logger.warn('For development only; refused under NODE_ENV=production. Set OAUTH2_PROVIDER for a real one.');
  logger.warn('*'.repeat(78));
  return { url, stop: () => server.stop() };
}
