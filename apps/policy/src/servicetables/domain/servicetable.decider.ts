import type { ServiceTableMapped, ServiceTableUnmapped, TesseraError } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';
import { notFound } from '../../callers/policy-access';

/** The events of a servicetable stream (`servicetable-<service>/<table>`). */
export type ServiceTableEvent = ServiceTableMapped | ServiceTableUnmapped;

/** A service's table as its stream (`servicetable-<service>/<table>`) leaves it: the dataset it points to, if any. */
export type ServiceTableState = { datasetId: string | null };

/** Points the table at a dataset (again, or instead of another); `datasetId` null: no such dataset. */
export type MapServiceTable = Command<'MapServiceTable', { service: string; table: string; datasetId: string | null }>;
/**
 * `datasets`: the datasets that exist now (the decision index). A mapping ends with its dataset's
 * deletion, with no event on this stream.
 */
export type UnmapServiceTable = Command<
  'UnmapServiceTable',
  { service: string; table: string; datasets: { has(datasetId: string): boolean } }
>;
export type ServiceTableCommand = MapServiceTable | UnmapServiceTable;

export function decide(command: ServiceTableCommand, state: ServiceTableState): ServiceTableEvent[] | TesseraError {
  const { service, table } = command.data;
  switch (command.type) {
    case 'MapServiceTable':
      if (command.data.datasetId === null) return notFound('dataset');
      return [{ type: 'ServiceTableMapped', data: { service, table, datasetId: command.data.datasetId } }];
    case 'UnmapServiceTable':
      if (state.datasetId === null || !command.data.datasets.has(state.datasetId)) return notFound('servicetable');
      return [{ type: 'ServiceTableUnmapped', data: { service, table } }];
  }
}

export function evolve(_state: ServiceTableState, event: ServiceTableEvent): ServiceTableState {
  switch (event.type) {
    case 'ServiceTableMapped':
      return { datasetId: event.data.datasetId };
    case 'ServiceTableUnmapped':
      return { datasetId: null };
  }
}

export const initialState = (): ServiceTableState => ({ datasetId: null });

export const serviceTableDecider: Decider<ServiceTableState, ServiceTableCommand, ServiceTableEvent> = { decide, evolve, initialState };
