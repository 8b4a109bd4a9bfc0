import { deciderSpecification } from '@tessera/testing';
import { serviceTableDecider, type ServiceTableEvent } from './servicetable.decider';

const given = deciderSpecification(serviceTableDecider);
const table = { service: 'pcg', table: 'minnie65' };
const mapped = (datasetId: string): ServiceTableEvent => ({ type: 'ServiceTableMapped', data: { ...table, datasetId } });
const unmapped: ServiceTableEvent = { type: 'ServiceTableUnmapped', data: table };
const map = (datasetId: string | null) => ({ type: 'MapServiceTable', data: { ...table, datasetId } }) as const;
const unmap = (...live: string[]) => ({ type: 'UnmapServiceTable', data: { ...table, datasets: new Set(live) } }) as const;

describe('servicetable decider', () => {
  it('maps a table to a dataset, and maps it again to another', () => {
    given([])
      .when(map('d1'))
      .then([mapped('d1')]);
    given([mapped('d1')])
      .when(map('d2'))
      .then([mapped('d2')]);
    given([mapped('d1'), unmapped])
      .when(map('d1'))
      .then([mapped('d1')]);
  });

  it('answers not_found for a dataset that does not exist', () => {
    given([]).when(map(null)).thenFails('not_found', 'dataset not found');
  });

  it('unmaps a mapped table', () => {
    given([mapped('d1')])
      .when(unmap('d1'))
      .then([unmapped]);
    given([mapped('d1'), mapped('d2')])
      .when(unmap('d2'))
      .then([unmapped]);
  });

  it('answers not_found for a table never mapped, unmapped, or whose dataset was deleted', () => {
    given([]).when(unmap('d1')).thenFails('not_found', 'servicetable not found');
    given([mapped('d1'), unmapped])
      .when(unmap('d1'))
      .thenFails('not_found', 'servicetable not found');
    given([mapped('d1')])
      .when(unmap('d2'))
      .thenFails('not_found', 'servicetable not found');
  });
});
