import type { Event } from './event';

/** Trusted applications (category `identity`): the only places tokens and login redirects may go. */
export const TRUSTED_APP_EVENTS = {
  trustedAppRegistered: 'TrustedAppRegistered',
  trustedAppRemoved: 'TrustedAppRemoved',
} as const satisfies Record<string, TrustedAppEvent['type']>;

export const trustedAppStreamId = (appId: string): string => `app-${appId}`;

export type TrustedAppRegistered = Event<
  'TrustedAppRegistered',
  {
    appId: string;
    /** A redirect is trusted when it starts with this URL. */
    url: string;
  }
>;

export type TrustedAppRemoved = Event<'TrustedAppRemoved', { appId: string; url: string }>;

/** The events of a trusted app stream (`app-<id>`). */
export type TrustedAppEvent = TrustedAppRegistered | TrustedAppRemoved;
