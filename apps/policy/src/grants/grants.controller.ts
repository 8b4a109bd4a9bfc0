import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { PERMISSION_NAME_PATTERN, POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, TesseraError } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, requireDatasetAdmin, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';

interface GrantRequest extends ForwardedRequest {
  datasetId: string;
  groupId: string;
  permission: string;
  expiresAt?: string;
}

/** A group holds a permission on a dataset, optionally until a time (GrantExpiry is the decision's clock, no event). */
@Controller()
export class GrantsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
  ) {}

  private target(request: GrantRequest) {
    if (typeof request.permission !== 'string' || !PERMISSION_NAME_PATTERN.test(request.permission)) {
      throw new TesseraError('bad_request', 'permission: must be lowercase words joined by underscores', [
        { field: 'permission', problems: ['must be lowercase words joined by underscores'] },
      ]);
    }
    const index = this.projection.index;
    const dataset = index.datasets.get(request.datasetId);
    if (!dataset) throw notFound('dataset');
    requireDatasetAdmin(index, request.principal, dataset.id);
    if (!index.groups.has(request.groupId)) throw notFound('group');
    if (!index.permissions.has(request.permission)) throw notFound(`permission ${request.permission}`);
    return dataset;
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putGrant)
  async put(@Payload(ForwardedCallerPipe) request: GrantRequest) {
    await this.projection.caughtUpWithHead();
    const dataset = this.target(request);
    let expiresAt: string | null = null;
    if (request.expiresAt !== undefined && request.expiresAt !== null) {
      const time = Date.parse(request.expiresAt);
      if (Number.isNaN(time) || time <= Date.now()) {
        throw new TesseraError('bad_request', 'expiresAt: must be a time in the future', [
          { field: 'expiresAt', problems: ['must be a time in the future'] },
        ]);
      }
      expiresAt = new Date(time).toISOString();
    }
    const data = { datasetId: dataset.id, groupId: request.groupId, permission: request.permission, expiresAt };
    const written = await this.writer.write(request.principal, {
      streamId: `dataset-${dataset.id}`,
      events: [{ type: POLICY_EVENTS.permissionGranted, data }],
    });
    return { ...data, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.revokeGrant)
  async revoke(@Payload(ForwardedCallerPipe) request: GrantRequest) {
    await this.projection.caughtUpWithHead();
    const dataset = this.target(request);
    if (!dataset.grants.get(request.permission)?.has(request.groupId)) throw notFound('grant');
    return this.writer.write(request.principal, {
      streamId: `dataset-${dataset.id}`,
      events: [
        {
          type: POLICY_EVENTS.permissionRevoked,
          data: { datasetId: dataset.id, groupId: request.groupId, permission: request.permission },
        },
      ],
    });
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
