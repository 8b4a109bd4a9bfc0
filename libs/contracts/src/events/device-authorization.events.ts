import type { Event } from './event';

/**
 * Device logins (RFC 8628, category `identity`): a command line asks, a signed-in user approves or
 * denies. Neither the device code nor the user code is ever in an event; the token minted on
 * approval appears by id only (its own `TokenMinted` is in the token stream).
 */
export const DEVICE_AUTHORIZATION_EVENTS = {
  requested: 'DeviceAuthorizationRequested',
  approved: 'DeviceAuthorizationApproved',
  denied: 'DeviceAuthorizationDenied',
} as const satisfies Record<string, DeviceAuthorizationEvent['type']>;

export const deviceAuthorizationStreamId = (requestId: string): string => `device-${requestId}`;

export type DeviceAuthorizationRequested = Event<
  'DeviceAuthorizationRequested',
  { requestId: string; clientId: string; scopes: string[]; expiresAt: string }
>;

export type DeviceAuthorizationApproved = Event<'DeviceAuthorizationApproved', { requestId: string; userId: string; tokenId: string }>;

export type DeviceAuthorizationDenied = Event<'DeviceAuthorizationDenied', { requestId: string; userId: string }>;

/** The events of a device login's stream (`device-<id>`). */
export type DeviceAuthorizationEvent = DeviceAuthorizationRequested | DeviceAuthorizationApproved | DeviceAuthorizationDenied;
