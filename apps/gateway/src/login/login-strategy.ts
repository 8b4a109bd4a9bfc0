import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import OAuth2Strategy from 'passport-oauth2';
import { LOGIN_SUBJECTS, TesseraError, type LoginProviderSettings } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { TesseraClient } from '@tessera/messaging';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** What passport-oauth2 reads from a request, plus what our state store needs. */
export interface LoginRequest {
  query: Record<string, unknown>;
  /** The browser-binding nonce (cookie) and, once verified, the redirect the login began with. */
  login: { browserNonce: string; redirect?: string; loginHint?: string };
}

export interface UpstreamTokens {
  accessToken: string;
  refreshToken?: string;
  expiresIn?: number;
}

export type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; tokens: UpstreamTokens }
  | { kind: 'fail'; message: string }
  | { kind: 'error'; error: Error };

/**
 * passport-oauth2 with PKCE (S256) and `state`, its state kept by the identity app (any gateway
 * replica can finish a login another began) and bound to the browser by the `tessera_login` cookie.
 * The strategy is driven directly (as passport.authenticate does) so Fastify needs no Express shim.
 */
@Injectable()
export class LoginStrategy {
  private strategy?: Promise<OAuth2Strategy>;

  constructor(
    private readonly client: TesseraClient,
    private readonly config: TesseraConfig,
  ) {}

  /** Begins (no `code` in the query) or finishes (with `code` and `state`) a login. */
  async run(request: LoginRequest): Promise<StrategyOutcome> {
    const strategy = await this.build();
    return new Promise<StrategyOutcome>((resolve) => {
      const run = Object.create(strategy) as OAuth2Strategy & Record<string, unknown>;
      run.redirect = (url: string) => resolve({ kind: 'redirect', url });
      run.success = (tokens: UpstreamTokens) => resolve({ kind: 'success', tokens });
      run.fail = (challenge?: { message?: string }) => resolve({ kind: 'fail', message: challenge?.message ?? 'the login was refused' });
      run.error = (error: Error) => resolve({ kind: 'error', error });
      run.pass = () => resolve({ kind: 'fail', message: 'nothing to do' });
      run.authenticate(request as never, { loginHint: request.login.loginHint } as never);
    });
  }

  private build(): Promise<OAuth2Strategy> {
    this.strategy ??= this.client.request(LOGIN_SUBJECTS.provider, {}).then(
      (settings) => this.create(settings),
      (error) => {
        this.strategy = undefined;
        throw error;
      },
    );
    return this.strategy;
  }

  private create(settings: LoginProviderSettings): OAuth2Strategy {
    const client = this.client;
    // Arity matters: passport-oauth2 passes the PKCE verifier only to a 5-argument store().
    const store = {
      store(req: LoginRequest, verifier: string, _state: unknown, _meta: unknown, done: (error: Error | null, state?: string) => void) {
        const state = randomBytes(32).toString('base64url');
        client
          .request(LOGIN_SUBJECTS.saveState, {
            stateHash: sha256(state),
            browserHash: sha256(req.login.browserNonce),
            verifier,
            // Set by every login that begins; without one the identity app answers 400 naming it.
            redirect: req.login.redirect ?? '',
          })
          .then(
            () => done(null, state),
            (error: Error) => done(error),
          );
      },
      verify(req: LoginRequest, state: unknown, _meta: unknown, done: (error: Error | null, ok: string | false, info?: unknown) => void) {
        if (typeof state !== 'string' || state.length === 0 || !req.login.browserNonce)
          return done(null, false, { message: 'state: missing' });
        client
          .request(LOGIN_SUBJECTS.takeState, {
            stateHash: sha256(state),
            browserHash: sha256(req.login.browserNonce),
          })
          .then(
            ({ verifier, redirect }) => {
              req.login.redirect = redirect;
              done(null, verifier);
            },
            (error: TesseraError) =>
              error.code === 'not_found'
                ? done(null, false, { message: 'state: unknown, used, expired, or begun in another browser' })
                : done(error, false),
          );
      },
    };
    const strategy = new OAuth2Strategy(
      {
        authorizationURL: settings.authorizationURL,
        tokenURL: settings.tokenURL,
        clientID: settings.clientID,
        clientSecret: settings.clientSecret,
        callbackURL: `${this.config.publicUrl}/auth/callback`,
        scope: settings.scope,
        state: true,
        pkce: 'S256',
        store: store as never,
        skipUserProfile: true,
      } as unknown as OAuth2Strategy.StrategyOptions,
      (
        accessToken: string,
        refreshToken: string,
        params: { expires_in?: unknown },
        _profile: unknown,
        done: OAuth2Strategy.VerifyCallback,
      ) => done(null, { accessToken, refreshToken: refreshToken || undefined, expiresIn: Number(params.expires_in) || undefined }),
    );
    // Google and Globus hand out a refresh token (needed to refresh upstream credentials) only for offline access.
    const offline = settings.name === 'google' || settings.name === 'globus' ? { access_type: 'offline' } : {};
    strategy.authorizationParams = (options: { loginHint?: string }) => ({
      ...offline,
      ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    });
    return strategy;
  }
}
