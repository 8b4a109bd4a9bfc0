import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MIDDLE_AUTH_SUBJECTS as M, TesseraError, type Principal, type PublicRootsQuestion } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { notFound, type ForwardedRequest } from '../callers/policy-access';
import type { DecisionIndex } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { userCacheOf } from './user-cache';

/**
 * The answers behind the middle_auth-compatible routes (CONTRACT section 8), from the decision
 * index in memory. "Unknown" and "no" are 4xx or false, never an error the client would retry.
 */
@Controller()
export class MiddleAuthController {
  constructor(private readonly projection: DecisionIndexProjection) {}

  // M.userCache: DirectResponders, outside this pipeline.

  @Handles(M.userPermissions)
  async userPermissions(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { number: number }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const userId = index.userNumbers.get(Number(request.number));
    const user = userId === undefined ? undefined : index.users.get(userId);
    if (!user || user.deactivated) throw notFound('user');
    requireAdminOf(index, request.principal, user.id);
    return { user: userCacheOf(index, index.subjectOfUser(user.id)), revision: String(index.position) };
  }

  @Handles(M.usernames)
  async usernames(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { numbers: number[] }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const users: { id: number; name: string }[] = [];
    for (const number of request.numbers ?? []) {
      const user = index.users.get(index.userNumbers.get(Number(number)) ?? '');
      if (user) users.push({ id: user.number, name: user.name });
    }
    return { users, revision: String(index.position) };
  }

  @Handles(M.tableDataset)
  async tableDataset(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { service: string; table: string }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const dataset = index.datasets.get(index.datasetIdOfTable(String(request.service), String(request.table)) ?? '');
    if (!dataset) throw notFound('servicetable');
    return { dataset: dataset.name, revision: String(index.position) };
  }

  @Handles(M.tos)
  async tos(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { tosId: string }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const tos = index.tos.get(String(request.tosId));
    if (!tos) throw notFound('terms of service');
    const userId = request.principal.userId ?? '';
    const acceptor = index.users.get(userId)?.parentId ?? userId;
    return {
      id: tos.id,
      title: tos.title,
      text: tos.text,
      datasetName: index.datasets.get(tos.datasetId)?.name ?? null,
      accepted: index.tosAccepted.get(acceptor)?.has(tos.id) === true,
      revision: String(index.position),
    };
  }

  /** Anyone may ask: middle_auth's public roots are public. */
  @Handles(M.publicRoots)
  publicRoots(@Payload() question: PublicRootsQuestion) {
    const index = this.projection.index;
    const roots = index.publicRoots.get(String(question?.table));
    const answer =
      question?.ask === 'has_public'
        ? (roots?.size ?? 0) > 0
        : question?.ask === 'is_public'
          ? roots?.has(String(question.root)) === true
          : question?.ask === 'all_public' && Array.isArray(question.roots)
            ? question.roots.length > 0 && question.roots.every((root) => roots?.has(String(root)) === true)
            : undefined;
    if (answer === undefined) throw new TesseraError('bad_request', 'ask must be has_public, is_public or all_public');
    return { answer, revision: String(index.position) };
  }
}

/**
 * Who may read another user's user-cache object: a super admin, a service account with scope
 * `decisions`, or (through a token with scope `admin`) an admin of a group the user is in or of a
 * dataset the user holds a permission on.
 */
function requireAdminOf(index: DecisionIndex, principal: Principal, userId: string): void {
  if (principal.superAdmin) return;
  if (principal.serviceAccount && principal.scopes.includes('decisions')) return;
  const callerId = principal.userId;
  const groupAdmin = [...(index.userGroups.get(userId) ?? [])].some((groupId) => index.isGroupAdmin(callerId, groupId));
  const datasetAdmin =
    !groupAdmin &&
    [...(index.datasetsAdministered.get(callerId ?? '') ?? [])].some((datasetId) => {
      const dataset = index.datasets.get(datasetId);
      return !!dataset && index.permissionsIgnoringTos(index.subjectOfUser(userId), dataset).length > 0;
    });
  if (!groupAdmin && !datasetAdmin)
    throw new TesseraError('not_admin', "only an admin of this user's groups or datasets may read its permissions");
  if (!principal.scopes.includes('admin')) throw new TesseraError('insufficient_scope', 'this token lacks the admin scope');
}
