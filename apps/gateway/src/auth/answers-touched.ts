import type { TesseraEvent } from '@tessera/contracts';

/**
 * Whose answers about the caller (permissions, middle_auth user cache, checks) an event may change:
 * nobody's, one user's (and, to be safe, every service account's: one relies on its parent's
 * terms acceptances), or anybody's.
 */
export type AnswersTouched = 'none' | 'all' | { userId: string };

/**
 * Events that change no such answer: tokens (the guard refuses a revoked or expired one before any
 * answer is looked at), the personal-token quota, device logins and trusted apps.
 */
const UNCHANGING: ReadonlySet<TesseraEvent['type']> = new Set<TesseraEvent['type']>([
  'TokenMinted',
  'TokenRevoked',
  'PersonalTokenAdded',
  'DeviceAuthorizationRequested',
  'DeviceAuthorizationApproved',
  'DeviceAuthorizationDenied',
  'TrustedAppRegistered',
  'TrustedAppRemoved',
]);

/**
 * Events that change the answers of the user they name and of nobody else (but service accounts):
 * the most frequent writes, a new user's registration first. The differential test proves it: after
 * each of them, every other user's answers, made afresh, are what they were.
 */
const ONE_USER: ReadonlySet<TesseraEvent['type']> = new Set<TesseraEvent['type']>([
  'UserRegistered',
  'UserUpdated',
  'UserDeactivated',
  'GroupMemberAdded',
  'GroupMemberRemoved',
  'DatasetAdminAdded',
  'DatasetAdminRemoved',
  'TosAccepted',
]);

/** Every other event, a type added later included, may change anybody's answers. */
export function answersTouched(event: TesseraEvent): AnswersTouched {
  if (UNCHANGING.has(event.type)) return 'none';
  if (ONE_USER.has(event.type)) return { userId: (event.data as { userId: string }).userId };
  return 'all';
}
