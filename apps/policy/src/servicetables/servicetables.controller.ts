import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { POLICY_ADMIN_SUBJECTS, requireSuperAdmin, type Principal } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { notFound, paginate, type ForwardedRequest } from '../callers/policy-access';
import { ForwardedCallerPipe } from '../callers/forwarded-caller.pipe';
import { PolicyCommands } from '../callers/policy-commands';
import { serviceTableDecider, type ServiceTableCommand } from './domain/servicetable.decider';

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
    private readonly commands: PolicyCommands,
  ) {}

  /** The table's stream folded, decided, appended at its version; which datasets exist is read from the index caught up with the log. */
  private run(principal: Principal, command: ServiceTableCommand) {
    return this.commands.run(principal, `servicetable-${command.data.service}/${command.data.table}`, serviceTableDecider, command);
  }

  private view(service: string, table: string, datasetId: string) {
    return { service, table, dataset: datasetId, datasetName: this.projection.index.datasets.get(datasetId)?.name ?? null };
  }

  @Handles(POLICY_ADMIN_SUBJECTS.putServiceTable)
  async put(@Payload(ForwardedCallerPipe) request: TableRequest) {
    requireSuperAdmin(request.principal);
    await this.projection.caughtUpWithHead();
    const datasetId = this.projection.index.findDataset(request.dataset ?? '')?.id ?? null;
    const { service, table } = request;
    const written = await this.run(request.principal, { type: 'MapServiceTable', data: { service, table, datasetId } });
    return { ...this.view(service, table, datasetId!), ...written };
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
    const { service, table } = request;
    return this.run(request.principal, { type: 'UnmapServiceTable', data: { service, table, datasets: this.projection.index.datasets } });
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
