import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { POLICY_ADMIN_SUBJECTS, POLICY_EVENTS, requireSuperAdmin } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyWriter } from '../callers/policy-writer';

interface TableRequest extends ForwardedRequest {
  service: string;
  table: string;
  dataset?: string;
}

/** Maps a service's table name to a dataset, so services ask by (service, table). */
@Controller()
export class ServiceTablesController {
  constructor(
    private readonly projection: DecisionIndexProjection,
    private readonly writer: PolicyWriter,
  ) {}

  private view(service: string, table: string, datasetId: string) {
    return { service, table, dataset: datasetId, datasetName: this.projection.index.datasets.get(datasetId)?.name ?? null };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putServiceTable)
  async put(@Payload(ForwardedCallerPipe) request: TableRequest) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    const dataset = this.projection.index.findDataset(request.dataset ?? '');
    if (!dataset) throw notFound('dataset');
    const written = await this.writer.write(request.principal, {
      streamId: `servicetable-${request.service}/${request.table}`,
      events: [{ type: POLICY_EVENTS.serviceTableMapped, data: { service: request.service, table: request.table, datasetId: dataset.id } }],
    });
    return { ...this.view(request.service, request.table, dataset.id), ...written };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.getServiceTable)
  async get(@Payload(ForwardedCallerPipe) request: TableRequest) {
    await this.projection.atLeast(request.minRevision);
    const datasetId = this.projection.index.datasetIdOfTable(request.service, request.table);
    if (!datasetId) throw notFound('servicetable');
    return { ...this.view(request.service, request.table, datasetId), revision: String(this.projection.revision) };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.deleteServiceTable)
  async delete(@Payload(ForwardedCallerPipe) request: TableRequest) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    if (!this.projection.index.datasetIdOfTable(request.service, request.table)) throw notFound('servicetable');
    return this.writer.write(request.principal, {
      streamId: `servicetable-${request.service}/${request.table}`,
      events: [{ type: POLICY_EVENTS.serviceTableUnmapped, data: { service: request.service, table: request.table } }],
    });
  }

  @Handles(POLICY_ADMIN_SUBJECTS.listServiceTables)
  async list(@Payload(ForwardedCallerPipe) request: ForwardedRequest & { service?: string; limit?: string | number; cursor?: string }) {
    await this.projection.atLeast(request.minRevision);
    const rows = [...this.projection.index.serviceTables]
      .map(([key, datasetId]) => {
        const [service, table] = key.split('\u0000');
        return this.view(service, table, datasetId);
      })
      .filter((row) => !request.service || row.service === request.service)
      .sort((a, b) => a.service.localeCompare(b.service) || a.table.localeCompare(b.table));
    return { ...paginate(rows, request.limit, request.cursor), revision: String(this.projection.revision) };
  }
}
