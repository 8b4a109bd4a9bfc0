import type { Principal } from '@tessera/contracts';

export type ResourceDecisionReason =
  'super_admin' | 'granted' | 'privileged_action' | 'needs_admin_token' | 'other_resource' | 'action_not_listed' | 'not_a_resource_token';

export interface ResourceDecision {
  allowed: boolean;
  reason: ResourceDecisionReason;
}

/**
 * CONTRACT section 3, `POST /api/v1/authorize`: an admin token may do anything; a resource token
 * may do its listed actions on its own resource, never a privileged action. A privileged action
 * needs a token of kind `admin` (minutes long): a super admin's session or personal token, which
 * lives for days, is refused it (`needs_admin_token`).
 */
export function authorizeResourceAction(
  principal: Principal,
  resource: string,
  action: string,
  privilegedActions: readonly string[],
): ResourceDecision {
  if (privilegedActions.includes(action) && principal.kind !== 'admin') {
    return { allowed: false, reason: principal.superAdmin ? 'needs_admin_token' : 'privileged_action' };
  }
  if (principal.superAdmin) return { allowed: true, reason: 'super_admin' };
  if (principal.kind !== 'resource' || principal.resource === undefined) return { allowed: false, reason: 'not_a_resource_token' };
  if (principal.resource !== resource) return { allowed: false, reason: 'other_resource' };
  if (privilegedActions.includes(action)) return { allowed: false, reason: 'privileged_action' };
  if (!(principal.actions ?? []).includes(action)) return { allowed: false, reason: 'action_not_listed' };
  return { allowed: true, reason: 'granted' };
}
