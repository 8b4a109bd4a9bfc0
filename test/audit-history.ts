import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { IDENTITY_EVENTS, POLICY_EVENTS, TOKEN_EVENTS, type TokenKind } from '@tessera/contracts';
import { appendToStream } from '@tessera/event-store';
import { generateToken, hashToken } from '@tessera/token-index';

/** A token written straight into the log, so the audit tests depend only on the token index. */
export async function seedToken(pool: Pool, kind: TokenKind, ownerId: string | null, scopes = ['*', 'tokens', 'admin']): Promise<string> {
  const token = generateToken(kind);
  const tokenId = randomUUID();
  await appendToStream(pool, {
    streamId: `token-${tokenId}`,
    events: [
      {
        type: TOKEN_EVENTS.tokenMinted,
        data: {
          tokenId,
          tokenHash: hashToken(token),
          kind,
          ownerId,
          name: `audit test ${kind}`,
          scopes,
          hint: `${token.slice(0, 5)}…${token.slice(-4)}`,
          createdAt: new Date().toISOString(),
          expiresAt: null,
        },
      },
    ],
  });
  return token;
}

export const ids = {
  admin: randomUUID(),
  alice: randomUUID(),
  bob: randomUUID(),
  carol: randomUUID(),
  lab: randomUUID(),
  guests: randomUUID(),
  h01: randomUUID(),
  tos1: randomUUID(),
  tos2: randomUUID(),
};

/** A user flagged admin in the identity events (a super admin when its token carries the `admin` scope). */
export async function seedAdminUser(pool: Pool, userId: string): Promise<void> {
  await appendToStream(pool, {
    streamId: `user-${userId}`,
    events: [
      {
        type: IDENTITY_EVENTS.userRegistered,
        data: { userId, name: 'root', email: null, admin: true, readOnly: false, issuer: 'dev', subject: 'root' },
      },
    ],
  });
}

/** `d(3, 12)` = 3 March 2026, 12:00 UTC; minutes optional. */
export const d = (day: number, hour: number, minute = 0): Date => new Date(Date.UTC(2026, 2, day, hour, minute));

type Step = [Date, string, string, Record<string, unknown>];

/**
 * The scripted history of the as-of tests, each event at a known recorded time: memberships,
 * grants (one time-bound), a revocation, two TOS versions and their acceptances, a read-only flag,
 * a deactivation and a removal.
 */
export const HISTORY: Step[] = [
  [d(1, 9), `user-${ids.alice}`, IDENTITY_EVENTS.userRegistered, user(ids.alice, 'alice')],
  [d(1, 9, 1), `user-${ids.bob}`, IDENTITY_EVENTS.userRegistered, user(ids.bob, 'bob')],
  [d(1, 9, 2), `user-${ids.carol}`, IDENTITY_EVENTS.userRegistered, user(ids.carol, 'carol')],
  [d(1, 10), `group-${ids.lab}`, POLICY_EVENTS.groupCreated, { groupId: ids.lab, name: 'lab' }],
  [d(1, 10, 1), `group-${ids.guests}`, POLICY_EVENTS.groupCreated, { groupId: ids.guests, name: 'guests' }],
  [d(1, 11), `dataset-${ids.h01}`, POLICY_EVENTS.datasetCreated, { datasetId: ids.h01, name: 'h01', description: null }],
  [d(2, 10), `group-${ids.lab}`, POLICY_EVENTS.groupMemberAdded, { groupId: ids.lab, userId: ids.alice, admin: false }],
  [d(2, 10, 1), `group-${ids.lab}`, POLICY_EVENTS.groupMemberAdded, { groupId: ids.lab, userId: ids.bob, admin: false }],
  [d(2, 10, 2), `group-${ids.guests}`, POLICY_EVENTS.groupMemberAdded, { groupId: ids.guests, userId: ids.carol, admin: false }],
  [d(2, 12), `dataset-${ids.h01}`, POLICY_EVENTS.permissionGranted, grant(ids.lab, 'view', null)],
  [d(2, 12, 1), `dataset-${ids.h01}`, POLICY_EVENTS.permissionGranted, grant(ids.lab, 'edit', null)],
  [d(3, 12), `dataset-${ids.h01}`, POLICY_EVENTS.permissionGranted, grant(ids.guests, 'view', d(5, 12).toISOString())],
  [d(4, 12), `tos-${ids.tos1}`, POLICY_EVENTS.tosPublished, tos(ids.tos1, 1)],
  [d(4, 13), `tos-${ids.tos1}`, POLICY_EVENTS.tosAccepted, { tosId: ids.tos1, datasetId: ids.h01, userId: ids.alice }],
  [d(4, 14), `tos-${ids.tos1}`, POLICY_EVENTS.tosAccepted, { tosId: ids.tos1, datasetId: ids.h01, userId: ids.carol }],
  [d(4, 15), `tos-${ids.tos1}`, POLICY_EVENTS.tosAccepted, { tosId: ids.tos1, datasetId: ids.h01, userId: ids.bob }],
  [d(6, 12), `user-${ids.bob}`, IDENTITY_EVENTS.userUpdated, { userId: ids.bob, readOnly: true }],
  [d(7, 12), `tos-${ids.tos2}`, POLICY_EVENTS.tosPublished, tos(ids.tos2, 2)],
  [d(7, 13), `tos-${ids.tos2}`, POLICY_EVENTS.tosAccepted, { tosId: ids.tos2, datasetId: ids.h01, userId: ids.alice }],
  [d(8, 12), `dataset-${ids.h01}`, POLICY_EVENTS.permissionRevoked, { datasetId: ids.h01, groupId: ids.lab, permission: 'edit' }],
  [d(9, 12), `user-${ids.alice}`, IDENTITY_EVENTS.userDeactivated, { userId: ids.alice }],
  [d(9, 13), `tos-${ids.tos2}`, POLICY_EVENTS.tosAccepted, { tosId: ids.tos2, datasetId: ids.h01, userId: ids.bob }],
  [d(10, 12), `group-${ids.lab}`, POLICY_EVENTS.groupMemberRemoved, { groupId: ids.lab, userId: ids.bob }],
];

/** Writes the history with its recorded times (the event store's injectable clock), the admin as actor. */
export async function writeHistory(pool: Pool): Promise<number> {
  let position = 0;
  for (const [recordedAt, streamId, type, data] of HISTORY) {
    const written = await appendToStream(pool, { streamId, events: [{ type, data }] }, { recordedAt, metadata: { actor: ids.admin } });
    position = written.position;
  }
  return position;
}

function user(userId: string, name: string) {
  return { userId, name, email: `${name}@example.org`, admin: false, readOnly: false, issuer: 'dev', subject: name };
}

function grant(groupId: string, permission: string, expiresAt: string | null) {
  return { datasetId: ids.h01, groupId, permission, expiresAt };
}

function tos(tosId: string, version: number) {
  return { tosId, datasetId: ids.h01, version, title: `h01 terms v${version}`, text: 'be nice' };
}
