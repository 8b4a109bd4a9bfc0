import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { POLICY_ADMIN_SUBJECTS } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, requireDatasetAdmin, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { datasetDecider } from '../datasets/domain/dataset.decider';

interface GrantRequest extends ForwardedRequest {
  datasetId: string;
  groupId: string;
  permission: string;
  expiresAt?: string;
}

/**
 * A group holds a permission on a dataset, optionally until a time (GrantExpiry is the decision's
 * clock, no event). Grants are events of the dataset's stream: its decider has the rules.
 */
@Controller()
export class GrantsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly commands: PolicyCommands,
  ) {}

  /** The group exists and the permission is registered: facts of other streams, from the index caught up with the log. */
  private async target(request: GrantRequest) {
    await this.projection.caughtUpWithHead();
    const index = this.projection.index;
    const { principal, groupId, permission } = request;
    return {
      datasetId: String(request.datasetId),
      groupId,
      permission,
      actor: principal,
      groupKnown: index.groups.has(groupId),
      permissionKnown: index.permissions.has(permission),
    };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putGrant)
  async put(@Payload(ForwardedCallerPipe) request: GrantRequest) {
    const target = await this.target(request);
    const command = { type: 'GrantPermission' as const, data: { ...target, expiresAt: request.expiresAt, now: Date.now() } };
    const { revision, events } = await this.commands.decided(request.principal, `dataset-${target.datasetId}`, datasetDecider, command);
    const [granted] = events.filter((event) => event.type === 'PermissionGranted');
    return { ...granted.data, revision };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.revokeGrant)
  async revoke(@Payload(ForwardedCallerPipe) request: GrantRequest) {
    const target = await this.target(request);
    return this.commands.run(request.principal, `dataset-${target.datasetId}`, datasetDecider, { type: 'RevokePermission', data: target });
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listGrants)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { datasetId: string; limit?: string | number; cursor?: string }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const dataset = index.datasets.get(request.datasetId);
    if (!dataset) throw notFound('dataset');
    requireDatasetAdmin(index, request.principal, dataset.id);
    const now = Date.now();
    const grants = [...dataset.grants]
      .flatMap(([permission, holders]) =>
        [...holders].map(([groupId, expiresAt]) => ({
          groupId,
          groupName: index.groups.get(groupId)?.name ?? null,
          permission,
          expiresAt: Number.isFinite(expiresAt) ? new Date(expiresAt).toISOString() : null,
          expired: expiresAt <= now,
        })),
      )
      .sort((a, b) => (a.groupName ?? '').localeCompare(b.groupName ?? '') || a.permission.localeCompare(b.permission));
    return { ...paginate(grants, request.limit, request.cursor), revision: String(index.position) };
  }
}
