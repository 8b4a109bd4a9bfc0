import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { Page } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { TextInput } from '../../ui/fields';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';

/** The permission registry: the names grants and token scopes may use. */
export default function Permissions() {
  usePageTitle('Permissions');
  const queryClient = useQueryClient();
  const registry = useQuery({ queryKey: ['permissions'], queryFn: () => answer<Page<{ name: string }>>(api.GET('/api/v1/permissions')) });
  const [name, setName] = useState('');
  const register = useMutation({
    mutationFn: () => answer(api.POST('/api/v1/permissions', { body: { name } })),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['permissions'] });
    },
  });
  return (
    <>
      <h1>Permissions</h1>
      <p className="lead">Grants give a group one of these on a dataset; tokens may be capped to some of them.</p>
      <Form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          register.mutate();
        }}
      >
        <TextInput label="New permission" isRequired value={name} onChange={setName} description="Lowercase letters, digits and _." />
        <Button type="submit" className="button button-primary" isDisabled={register.isPending}>
          Register
        </Button>
        {register.isError && <ErrorNotice error={register.error} action="Registering" />}
      </Form>
      <QueryView query={registry} what="permissions">
        {(page) => (
          <DataTable
            label="Permissions"
            rows={page.items}
            rowId={(item) => item.name}
            columns={[{ name: 'Permission', cell: (item) => <code>{item.name}</code> }]}
          />
        )}
      </QueryView>
    </>
  );
}
