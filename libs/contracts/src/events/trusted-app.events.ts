/** Trusted applications (category `identity`): the only places tokens and login redirects may go. */
export const TRUSTED_APP_EVENTS = {
  trustedAppRegistered: 'TrustedAppRegistered',
  trustedAppRemoved: 'TrustedAppRemoved',
} as const;

export const trustedAppStreamId = (appId: string): string => `app-${appId}`;

export interface TrustedAppRegistered {
  appId: string;
  /** A redirect is trusted when it starts with this URL. */
  url: string;
}

export interface TrustedAppRemoved {
  appId: string;
  url: string;
}
