import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, requireSuperAdmin, TesseraError, type DatasetUpdated } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import type { DatasetState } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, requireDatasetAdmin, requireKnownUser, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';
import { projectPolicyNames } from '../read-models/policy-names.projection';

const UNIQUE_VIOLATION = '23505';

interface DatasetRequest extends ForwardedRequest {
  datasetId: string;
}

function conflictOnDuplicateName(name: string | undefined) {
  return (error: { code?: string }) => {
    if (error.code === UNIQUE_VIOLATION) throw new TesseraError('conflict', `a dataset named ${JSON.stringify(name)} exists`);
    throw error;
  };
}

/** Datasets (names unique, matched exactly) and their admins. */
@Controller()
export class DatasetsController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
  ) {}

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
    const written = await this.writer
      .write(
        request.principal,
        { streamId: `dataset-${datasetId}`, expectedVersion: 'no_stream', events: [{ type: POLICY_EVENTS.datasetCreated, data }] },
        projectPolicyNames,
      )
      .catch(conflictOnDuplicateName(request.name));
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
    await this.projection.caughtUpWithHead();
    const dataset = this.existing(request.datasetId);
    const data: DatasetUpdated['data'] = { datasetId: dataset.id };
    if (request.name !== undefined && request.name !== dataset.name) data.name = request.name;
    if (request.description !== undefined) data.description = request.description;
    const written = await this.writer
      .write(
        request.principal,
        { streamId: `dataset-${dataset.id}`, events: [{ type: POLICY_EVENTS.datasetUpdated, data }] },
        projectPolicyNames,
      )
      .catch(conflictOnDuplicateName(request.name));
    return { ...this.view(this.existing(dataset.id)), ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.deleteDataset)
  async delete(@Payload(ForwardedCallerPipe) request: DatasetRequest) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    const dataset = this.existing(request.datasetId);
    return this.writer.write(
      request.principal,
      { streamId: `dataset-${dataset.id}`, events: [{ type: POLICY_EVENTS.datasetDeleted, data: { datasetId: dataset.id } }] },
      projectPolicyNames,
    );
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putDatasetAdmin)
  async putAdmin(@Payload(ForwardedCallerPipe) request: DatasetRequest & { userId: string }) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    const dataset = this.existing(request.datasetId);
    requireKnownUser(this.projection.index, request.userId);
    const written = await this.writer.write(request.principal, {
      streamId: `dataset-${dataset.id}`,
      events: [{ type: POLICY_EVENTS.datasetAdminAdded, data: { datasetId: dataset.id, userId: request.userId } }],
    });
    return { datasetId: dataset.id, userId: request.userId, ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.removeDatasetAdmin)
  async removeAdmin(@Payload(ForwardedCallerPipe) request: DatasetRequest & { userId: string }) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    const dataset = this.existing(request.datasetId);
    if (!dataset.admins.has(request.userId)) throw notFound('dataset admin');
    return this.writer.write(request.principal, {
      streamId: `dataset-${dataset.id}`,
      events: [{ type: POLICY_EVENTS.datasetAdminRemoved, data: { datasetId: dataset.id, userId: request.userId } }],
    });
  }
}
