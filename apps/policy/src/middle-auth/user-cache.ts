import type { MiddleAuthUserCache } from '@tessera/contracts';
import { scopeAllows, type DecisionIndex, type ServedBody, type Subject, type UserPermissions } from '../decisions/decision-index';

/** middle_auth's permission levels: view 1, edit 2, anything else 0. */
const LEVELS: Record<string, number> = { view: 1, edit: 2 };

/**
 * middle_auth's user-cache object for a subject, from the decision index alone (no read, no
 * write). Every permission map is capped by the token's scopes, the terms-ignoring one included,
 * so a view-only token is never told that accepting terms would let it edit.
 */
export function userCacheOf(
  index: DecisionIndex,
  subject: Subject,
  now = Date.now(),
  held: UserPermissions = index.userPermissions(subject, now),
): MiddleAuthUserCache {
  const user = subject.userId === undefined ? undefined : index.users.get(subject.userId);
  const capped = (permissions: string[]) =>
    subject.superAdmin || !subject.scopes ? permissions : permissions.filter((permission) => scopeAllows(subject.scopes!, permission));
  const ignoringTos: Record<string, string[]> = {};
  for (const [dataset, permissions] of Object.entries(held.permissionsIgnoringTos)) {
    const kept = capped(permissions);
    if (kept.length > 0) ignoringTos[dataset] = kept;
  }
  const levels: Record<string, number> = {};
  for (const [dataset, permissions] of Object.entries(held.permissions)) {
    levels[dataset] = Math.max(0, ...permissions.map((permission) => LEVELS[permission] ?? 0));
  }
  const parent = user?.parentId ? index.users.get(user.parentId) : undefined;
  return {
    id: user?.number ?? 0,
    parent_id: parent?.number ?? null,
    service_account: user?.serviceAccount ?? false,
    name: user?.name ?? 'admin token',
    email: user?.email ?? null,
    admin: subject.superAdmin,
    pi: '',
    affiliations: currentAffiliations(index, subject.userId, now),
    groups: index.groupNamesOf(subject.userId),
    permissions: levels,
    permissions_v2: held.permissions,
    permissions_v2_ignore_tos: ignoringTos,
    missing_tos: held.missingTos
      .filter((tos) => ignoringTos[tos.dataset] !== undefined)
      .map((tos) => ({ dataset_id: tos.datasetId, dataset_name: tos.dataset, tos_id: tos.id, tos_name: tos.title })),
    datasets_admin: held.datasetsAdmin,
    groups_admin: held.groupsAdmin,
  };
}

/**
 * The caller's user-cache object as the gateway serves it (JSON, encoded), kept beside its
 * permissions until an event touches the user, a grant expires or one of its affiliations starts or ends.
 */
export function userCacheJson(index: DecisionIndex, subject: Subject, now = Date.now()): ServedBody {
  return index.servedJson(
    subject,
    'middle-auth-user-cache',
    (held) => ({
      json: JSON.stringify(userCacheOf(index, subject, now, held)),
      validUntil: nextAffiliationChange(index, subject.userId, now),
    }),
    now,
  );
}

/** Names of the institutions the user belongs to now (started, not ended). */
function currentAffiliations(index: DecisionIndex, userId: string | undefined, now: number): string[] {
  const names: string[] = [];
  for (const affiliation of index.userAffiliations.get(userId ?? '')?.values() ?? []) {
    if (Date.parse(affiliation.start) > now || (affiliation.end !== null && Date.parse(affiliation.end) <= now)) continue;
    const name = index.affiliations.get(affiliation.affiliationId)?.name;
    if (name) names.push(name);
  }
  return names.sort();
}

/** When the user's current affiliations next change by themselves (one starts or ends); Infinity for never. */
function nextAffiliationChange(index: DecisionIndex, userId: string | undefined, now: number): number {
  let next = Infinity;
  for (const affiliation of index.userAffiliations.get(userId ?? '')?.values() ?? []) {
    for (const moment of [Date.parse(affiliation.start), affiliation.end === null ? NaN : Date.parse(affiliation.end)]) {
      if (moment > now && moment < next) next = moment;
    }
  }
  return next;
}
