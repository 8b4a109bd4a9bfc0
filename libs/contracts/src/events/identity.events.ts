import type { Event } from './event';
import type { DeviceAuthorizationEvent } from './device-authorization.events';
import type { TrustedAppEvent } from './trusted-app.events';

/**
 * Event types of the identity app (category `identity`), read by the token index (gateway, token
 * and policy apps) and by the policy app. Users and service accounts share the stream `user-<id>`,
 * so one id space serves both; a service account is a user with `serviceAccount: true`.
 */
export const IDENTITY_EVENTS = {
  userRegistered: 'UserRegistered',
  userUpdated: 'UserUpdated',
  userDeactivated: 'UserDeactivated',
  serviceAccountCreated: 'ServiceAccountCreated',
  externalIdentityLinked: 'ExternalIdentityLinked',
} as const satisfies Record<string, IdentityEvent['type']>;

/** Stream id of a user or service account. */
export const userStreamId = (userId: string): string => `user-${userId}`;

export type UserRegistered = Event<
  'UserRegistered',
  {
    userId: string;
    name: string;
    email: string | null;
    admin: boolean;
    readOnly: boolean;
    /** External identity (login): users are keyed by (issuer, subject), never by e-mail. */
    issuer: string | null;
    subject: string | null;
    /**
     * The user's number: a stable integer besides the UUID (middle_auth's user id when imported).
     * Events written before numbers existed get one from their UUID when read (userNumberOfUuid).
     */
    number: number;
  }
>;

/** Only the fields that changed are present. */
export type UserUpdated = Event<
  'UserUpdated',
  {
    userId: string;
    name?: string;
    email?: string | null;
    admin?: boolean;
    readOnly?: boolean;
    /** Principal investigator (the middle_auth flag); identity app only. */
    pi?: boolean;
  }
>;

/** Every token of the user stops working (the token app then revokes each); memberships end (policy app). */
export type UserDeactivated = Event<'UserDeactivated', { userId: string }>;

export type ServiceAccountCreated = Event<
  'ServiceAccountCreated',
  {
    /** Same id space as users: tokens and decisions name it as `userId`. */
    userId: string;
    name: string;
    /** The most its tokens may carry. */
    scopes: string[];
    /** Same number space as users (UserRegistered). */
    number: number;
    /** The user who made it, where one did: it relies on that user's terms-of-service acceptances. */
    parentId?: string | null;
  }
>;

/**
 * A user registered without an external identity (by a super admin, or imported from middle_auth) is
 * found at a first login by the provider's verified e-mail: from then on (issuer, subject) finds it.
 */
export type ExternalIdentityLinked = Event<'ExternalIdentityLinked', { userId: string; issuer: string; subject: string; email: string }>;

/** The events of a user or service account stream (`user-<id>`). */
export type UserEvent = UserRegistered | UserUpdated | UserDeactivated | ServiceAccountCreated | ExternalIdentityLinked;

/** Every event of the category `identity`. */
export type IdentityEvent = UserEvent | TrustedAppEvent | DeviceAuthorizationEvent;

/**
 * The number of a user whose registration predates user numbers: the first 48 bits of its UUID, so
 * every reader derives the same one, far above the numbers handed out in sequence.
 */
export function userNumberOfUuid(userId: string): number {
  return parseInt(userId.replace(/-/g, '').slice(0, 12), 16) || 0;
}
