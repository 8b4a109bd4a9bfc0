import { OAUTH2_PROVIDERS, type TesseraConfig } from '@tessera/config';

export type ProviderName = (typeof OAUTH2_PROVIDERS)[number];

/** The upstream identity provider, as the gateway's OAuth2 strategy and the identity app use it. */
export interface ProviderSettings {
  name: ProviderName;
  /** Users are keyed by (issuer, subject): this issuer, stable across restarts. */
  issuer: string;
  authorizationURL: string;
  tokenURL: string;
  userinfoURL?: string;
  introspectionURL?: string;
  clientID: string;
  clientSecret: string;
  scope: string;
}

type Preset = Omit<ProviderSettings, 'name' | 'clientID' | 'clientSecret'>;

/** Well-known endpoints; any of them is overridden by the matching OAUTH2_* variable. */
export const PROVIDER_PRESETS: Record<'google' | 'github' | 'globus', Preset> = {
  google: {
    issuer: 'https://accounts.google.com',
    authorizationURL: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenURL: 'https://oauth2.googleapis.com/token',
    userinfoURL: 'https://openidconnect.googleapis.com/v1/userinfo',
    scope: 'openid email profile',
  },
  github: {
    issuer: 'https://github.com',
    authorizationURL: 'https://github.com/login/oauth/authorize',
    tokenURL: 'https://github.com/login/oauth/access_token',
    userinfoURL: 'https://api.github.com/user',
    scope: 'read:user user:email',
  },
  globus: {
    issuer: 'https://auth.globus.org',
    authorizationURL: 'https://auth.globus.org/v2/oauth2/authorize',
    tokenURL: 'https://auth.globus.org/v2/oauth2/token',
    userinfoURL: 'https://auth.globus.org/v2/oauth2/userinfo',
    scope: 'openid email profile',
  },
};

/** The dev provider's fixed client and logical issuer (not secrets: it only runs on loopback, never in production). */
export const DEV_CLIENT = { clientID: 'tessera-dev', clientSecret: 'tessera-dev-secret', issuer: 'tessera-dev' } as const;

/** `OAUTH2_PROVIDER`, or `dev` when no OAUTH2_* URL is set, else `generic`. */
export function providerName(config: TesseraConfig): ProviderName {
  if (config.OAUTH2_PROVIDER) return config.OAUTH2_PROVIDER;
  const anyUrl =
    config.OAUTH2_AUTHORIZATION_URL ?? config.OAUTH2_TOKEN_URL ?? config.OAUTH2_USERINFO_URL ?? config.OAUTH2_INTROSPECTION_URL;
  return anyUrl ? 'generic' : 'dev';
}

/** A real provider's settings from its preset and the OAUTH2_* variables; throws naming the missing variable. */
export function realProviderSettings(name: Exclude<ProviderName, 'dev'>, config: TesseraConfig): ProviderSettings {
  const preset: Partial<Preset> = name === 'generic' ? {} : PROVIDER_PRESETS[name];
  const settings = {
    name,
    issuer: config.OAUTH2_ISSUER ?? preset.issuer ?? originOf(config.OAUTH2_AUTHORIZATION_URL),
    authorizationURL: config.OAUTH2_AUTHORIZATION_URL ?? preset.authorizationURL,
    tokenURL: config.OAUTH2_TOKEN_URL ?? preset.tokenURL,
    userinfoURL: config.OAUTH2_USERINFO_URL ?? preset.userinfoURL,
    introspectionURL: config.OAUTH2_INTROSPECTION_URL,
    clientID: config.OAUTH2_CLIENT_ID,
    clientSecret: config.OAUTH2_CLIENT_SECRET,
    scope: config.OAUTH2_SCOPE ?? preset.scope ?? 'openid email profile',
  };
  const required: [string, unknown][] = [
    ['OAUTH2_AUTHORIZATION_URL', settings.authorizationURL],
    ['OAUTH2_TOKEN_URL', settings.tokenURL],
    ['OAUTH2_CLIENT_ID', settings.clientID],
    ['OAUTH2_CLIENT_SECRET', settings.clientSecret],
    ['OAUTH2_ISSUER', settings.issuer],
  ];
  if (!settings.userinfoURL && !settings.introspectionURL) required.push(['OAUTH2_USERINFO_URL', undefined]);
  const missing = required.filter(([, value]) => !value).map(([variable]) => variable);
  if (missing.length > 0)
    throw new Error(`invalid configuration:\n  ${missing.map((v) => `${v}: required by OAUTH2_PROVIDER=${name}`).join('\n  ')}`);
  return settings as ProviderSettings;
}

function originOf(url: string | undefined): string | undefined {
  return url ? new URL(url).origin : undefined;
}
