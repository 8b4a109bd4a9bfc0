import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { Dataset, Page, ServiceTable } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { TextInput } from '../../ui/fields';
import { Choice } from '../../ui/select';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';

/** Service tables: which dataset a service's table belongs to (what middle_auth clients ask). */
export default function ServiceTables() {
  usePageTitle('Service tables');
  const queryClient = useQueryClient();
  const tables = useQuery({
    queryKey: ['servicetables'],
    queryFn: () => answer<Page<ServiceTable>>(api.GET('/api/v1/servicetables', { params: { query: { limit: '500' } } })),
  });
  const datasets = useQuery({
    queryKey: ['datasets', 'list'],
    queryFn: () => answer<Page<Dataset>>(api.GET('/api/v1/datasets', { params: { query: { limit: '500' } } })),
  });
  const [service, setService] = useState('');
  const [table, setTable] = useState('');
  const [dataset, setDataset] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['servicetables'] });
  const put = useMutation({
    mutationFn: () =>
      answer(api.PUT('/api/v1/servicetables/{service}/{table}', { params: { path: { service, table } }, body: { dataset: dataset! } })),
    onSuccess: async () => {
      setTable('');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (row: ServiceTable) =>
      answer(api.DELETE('/api/v1/servicetables/{service}/{table}', { params: { path: { service: row.service, table: row.table } } })),
    onSuccess: refresh,
  });
  return (
    <>
      <h1>Service tables</h1>
      <Form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          put.mutate();
        }}
      >
        <TextInput label="Service" isRequired value={service} onChange={setService} />
        <TextInput label="Table" isRequired value={table} onChange={setTable} />
        <Choice label="Dataset" isRequired options={datasets.data?.items ?? []} value={dataset} onChange={setDataset} />
        <Button type="submit" className="button button-primary" isDisabled={!dataset || put.isPending}>
          Map table
        </Button>
      </Form>
      {(put.isError || remove.isError) && <ErrorNotice error={put.error ?? remove.error} action="Changing the service tables" />}
      <QueryView query={tables} what="service tables">
        {(page) => (
          <DataTable
            label="Service tables"
            rows={page.items}
            rowId={(row) => `${row.service}/${row.table}`}
            empty="No table mapped yet."
            columns={[
              { name: 'Service', cell: (row) => row.service },
              { name: 'Table', cell: (row) => row.table },
              { name: 'Dataset', cell: (row) => row.datasetName ?? row.dataset },
              {
                name: 'Remove',
                cell: (row) => (
                  <Button
                    className="button button-small button-danger"
                    aria-label={`Remove ${row.service}/${row.table}`}
                    onPress={() => remove.mutate(row)}
                  >
                    Remove
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
