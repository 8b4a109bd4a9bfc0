import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, requireSuperAdmin, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, requireGroupAdmin, requireKnownUser, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';
import { projectPolicyNames } from '../read-models/policy-names.projection';

const UNIQUE_VIOLATION = '23505';

interface GroupRequest extends ForwardedRequest {
  groupId: string;
}
interface MemberRequest extends GroupRequest {
  userId: string;
  admin?: boolean;
}

/** Groups and their members; group admins manage their own group only. */
@Controller()
export class GroupsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
  ) {}

  @Handles(POLICY_ADMIN_SUBJECTS.createGroup)
  async create(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { name: string }) {
    requireSuperAdmin(request.principal);
    const groupId = randomUUID();
    const written = await this.writer
      .write(
        request.principal,
        {
          streamId: `group-${groupId}`,
          expectedVersion: 'no_stream',
          events: [{ type: POLICY_EVENTS.groupCreated, data: { groupId, name: request.name } }],
        },
        projectPolicyNames,
      )
      .catch((error: { code?: string }) => {
        if (error.code === UNIQUE_VIOLATION) throw new TesseraError('conflict', `a group named ${JSON.stringify(request.name)} exists`);
        throw error;
      });
    return { id: groupId, name: request.name, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listGroups)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { limit?: string | number; cursor?: string }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const { principal } = request;
    const visible = [...index.groups.values()]
      .filter((group) => principal.superAdmin || index.isGroupMember(principal.userId, group.id))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((group) => ({ id: group.id, name: group.name }));
    return { ...paginate(visible, request.limit, request.cursor), revision: String(index.position) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.getGroup)
  async get(@Payload(ForwardedCallerPipe) request: GroupRequest) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const group = index.groups.get(request.groupId);
    if (!group) throw notFound('group');
    if (!request.principal.superAdmin && !index.isGroupMember(request.principal.userId, group.id)) {
      throw new TesseraError('not_admin', 'only members and admins of this group may read it');
    }
    const members = [...group.members]
      .map(([userId, admin]) => ({ userId, name: index.users.get(userId)?.name ?? null, admin }))
      .sort((a, b) => (a.userId < b.userId ? -1 : 1));
    return { id: group.id, name: group.name, members, revision: String(index.position) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.deleteGroup)
  async delete(@Payload(ForwardedCallerPipe) request: GroupRequest) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    const group = this.projection.index.groups.get(request.groupId);
    if (!group) throw notFound('group');
    return this.writer.write(
      request.principal,
      { streamId: `group-${group.id}`, events: [{ type: POLICY_EVENTS.groupDeleted, data: { groupId: group.id } }] },
      projectPolicyNames,
    );
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putMember)
  async putMember(@Payload(ForwardedCallerPipe) request: MemberRequest) {
    await this.projection.caughtUpWithHead();
    const group = this.projection.index.groups.get(request.groupId);
    if (!group) throw notFound('group');
    requireGroupAdmin(this.projection.index, request.principal, group.id);
    requireKnownUser(this.projection.index, request.userId);
    const admin = request.admin === true;
    if (group.members.get(request.userId) === true && !admin) requireSuperAdmin(request.principal);
    const written = await this.writer.write(request.principal, {
      streamId: `group-${group.id}`,
      events: [{ type: POLICY_EVENTS.groupMemberAdded, data: { groupId: group.id, userId: request.userId, admin } }],
    });
    return { groupId: group.id, userId: request.userId, admin, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.removeMember)
  async removeMember(@Payload(ForwardedCallerPipe) request: MemberRequest) {
    await this.projection.caughtUpWithHead();
    const group = this.projection.index.groups.get(request.groupId);
    if (!group) throw notFound('group');
    requireGroupAdmin(this.projection.index, request.principal, group.id);
    if (!group.members.has(request.userId)) throw notFound('member');
    // Only a super admin removes a group admin.
    if (group.members.get(request.userId) === true) requireSuperAdmin(request.principal);
    return this.writer.write(request.principal, {
      streamId: `group-${group.id}`,
      events: [{ type: POLICY_EVENTS.groupMemberRemoved, data: { groupId: group.id, userId: request.userId } }],
    });
  }
}
