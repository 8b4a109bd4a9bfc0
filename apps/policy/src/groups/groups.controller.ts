import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, requireSuperAdmin, TesseraError, type Principal } from '@tessera/contracts';
import { isUniqueViolation } from '@tessera/event-store';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { isActiveUser, notFound, paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands, type PolicyCommandOptions } from '../callers/policy-commands';
import { projectPolicyNames } from '../read-models/policy-names.projection';
import { groupDecider, type GroupCommand } from './domain/group.decider';

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
    private readonly commands: PolicyCommands,
  ) {}

  /** The group's stream folded, decided, appended at its version; `userActive` is read from the index caught up with the log. */
  private async run(principal: Principal, command: GroupCommand, options?: PolicyCommandOptions) {
    return this.commands.run(principal, `group-${command.data.groupId}`, groupDecider, command, options);
  }

  @Handles(POLICY_ADMIN_SUBJECTS.createGroup)
  async create(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { name: string }) {
    requireSuperAdmin(request.principal);
    const groupId = randomUUID();
    const written = await this.run(
      request.principal,
      { type: 'CreateGroup', data: { groupId, name: request.name } },
      { project: projectPolicyNames },
    ).catch((error: unknown) => {
      throw isUniqueViolation(error) ? new TesseraError('conflict', `a group named ${JSON.stringify(request.name)} exists`) : error;
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
    return this.run(
      request.principal,
      { type: 'DeleteGroup', data: { groupId: String(request.groupId) } },
      { project: projectPolicyNames },
    );
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putMember)
  async putMember(@Payload(ForwardedCallerPipe) request: MemberRequest) {
    const { principal, userId } = request;
    const groupId = String(request.groupId);
    const admin = request.admin === true;
    await this.projection.caughtUpWithHead();
    const userActive = isActiveUser(this.projection.index, userId);
    const written = await this.run(principal, { type: 'PutGroupMember', data: { groupId, userId, admin, actor: principal, userActive } });
    return { groupId, userId, admin, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.removeMember)
  async removeMember(@Payload(ForwardedCallerPipe) request: MemberRequest) {
    const { principal, userId } = request;
    await this.projection.caughtUpWithHead();
    const userActive = isActiveUser(this.projection.index, userId);
    return this.run(principal, {
      type: 'RemoveGroupMember',
      data: { groupId: String(request.groupId), userId, actor: principal, userActive },
    });
  }
}
