import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, requireSuperAdmin, TesseraError, type Principal } from '@tessera/contracts';
import { isUniqueViolation } from '@tessera/event-store';
import { Handles } from '@tessera/messaging';
import type { DatasetState } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { isActiveUser, notFound, paginate, requireDatasetAdmin, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { projectPolicyNames } from '../read-models/policy-names.projection';
import { datasetDecider, type DatasetCommand } from './domain/dataset.decider';

interface DatasetRequest extends ForwardedRequest {
  datasetId: string;
}

function conflictOnDuplicateName(name: string | undefined) {
  return (error: unknown) => {
    throw isUniqueViolation(error) ? new TesseraError('conflict', `a dataset named ${JSON.stringify(name)} exists`) : error;
  };
}

/** Datasets (names unique, matched exactly) and their admins. */
@Controller()
export class DatasetsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly commands: PolicyCommands,
  ) {}

  /** The dataset's stream folded, decided, appended at its version, the unique names changed in the same transaction. */
  private run(principal: Principal, command: DatasetCommand) {
    return this.commands.run(principal, `dataset-${command.data.datasetId}`, datasetDecider, command, { project: projectPolicyNames });
  }

  private view(dataset: DatasetState) {
    const tos = this.projection.index.currentTos(dataset);
    return {
      id: dataset.id,
      name: dataset.name,
      description: dataset.description,
      admins: [...dataset.admins].sort(),
      tos: tos ? { id: tos.id, version: tos.version, title: tos.title } : null,
    };
  }

  private existing(datasetId: string): DatasetState {
    const dataset = this.projection.index.datasets.get(datasetId);
    if (!dataset) throw notFound('dataset');
    return dataset;
  }

  @Handles(POLICY_ADMIN_SUBJECTS.createDataset)
  async create(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { name: string; description?: string }) {
    requireSuperAdmin(request.principal);
    const datasetId = randomUUID();
    const data = { datasetId, name: request.name, description: request.description ?? null };
    const written = await this.run(request.principal, { type: 'CreateDataset', data }).catch(conflictOnDuplicateName(request.name));
    return { ...this.view(this.existing(datasetId)), ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listDatasets)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { limit?: string | number; cursor?: string }) {
    await this.projection.atLeast(request.minRevision);
    const index = this.projection.index;
    const { principal } = request;
    const visible = [...index.datasets.values()]
      .filter((dataset) => principal.superAdmin || index.isDatasetAdmin(principal.userId, dataset.id))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((dataset) => this.view(dataset));
    return { ...paginate(visible, request.limit, request.cursor), revision: String(index.position) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.getDataset)
  async get(@Payload(ForwardedCallerPipe) request: DatasetRequest) {
    await this.projection.atLeast(request.minRevision);
    const dataset = this.existing(request.datasetId);
    requireDatasetAdmin(this.projection.index, request.principal, dataset.id);
    return { ...this.view(dataset), revision: String(this.projection.revision) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.updateDataset)
  async update(@Payload(ForwardedCallerPipe) request: DatasetRequest & { name?: string; description?: string | null }) {
    requireSuperAdmin(request.principal);
    const { name, description } = request;
    const datasetId = String(request.datasetId);
    const written = await this.run(request.principal, { type: 'UpdateDataset', data: { datasetId, name, description } }).catch(
      conflictOnDuplicateName(name),
    );
    return { ...this.view(this.existing(datasetId)), ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.deleteDataset)
  async delete(@Payload(ForwardedCallerPipe) request: DatasetRequest) {
    requireSuperAdmin(request.principal);
    return this.run(request.principal, { type: 'DeleteDataset', data: { datasetId: String(request.datasetId) } });
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putDatasetAdmin)
  async putAdmin(@Payload(ForwardedCallerPipe) request: DatasetRequest & { userId: string }) {
    requireSuperAdmin(request.principal);
    const datasetId = String(request.datasetId);
    await this.projection.caughtUpWithHead();
    const userActive = isActiveUser(this.projection.index, request.userId);
    const written = await this.run(request.principal, { type: 'AddDatasetAdmin', data: { datasetId, userId: request.userId, userActive } });
    return { datasetId, userId: request.userId, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.removeDatasetAdmin)
  async removeAdmin(@Payload(ForwardedCallerPipe) request: DatasetRequest & { userId: string }) {
    requireSuperAdmin(request.principal);
    return this.run(request.principal, {
      type: 'RemoveDatasetAdmin',
      data: { datasetId: String(request.datasetId), userId: request.userId },
    });
  }
}
