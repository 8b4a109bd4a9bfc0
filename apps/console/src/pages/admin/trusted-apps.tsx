import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { Page, TrustedApp } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { ConfirmDialog } from '../../ui/dialog';
import { TextInput } from '../../ui/fields';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';
import { formatTime } from '../../ui/time';

/** Trusted apps: the URLs a login may return to, where tokens may be sent. */
export default function TrustedApps() {
  usePageTitle('Trusted apps');
  const queryClient = useQueryClient();
  const apps = useQuery({ queryKey: ['apps'], queryFn: () => answer<Page<TrustedApp & { createdAt?: string }>>(api.GET('/api/v1/apps')) });
  const [url, setUrl] = useState('');
  const [removing, setRemoving] = useState<TrustedApp | null>(null);
  const add = useMutation({
    mutationFn: () => answer(api.POST('/api/v1/apps', { body: { url } })),
    onSuccess: async () => {
      setUrl('');
      await queryClient.invalidateQueries({ queryKey: ['apps'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => answer(api.DELETE('/api/v1/apps/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setRemoving(null);
      await queryClient.invalidateQueries({ queryKey: ['apps'] });
    },
  });
  return (
    <>
      <h1>Trusted apps</h1>
      <p className="lead">A login may end only on a URL that starts with one of these (or on this console).</p>
      <Form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate();
        }}
      >
        <TextInput
          label="App URL"
          type="url"
          isRequired
          value={url}
          onChange={setUrl}
          description="For example https://viewer.example.org/app"
        />
        <Button type="submit" className="button button-primary" isDisabled={add.isPending}>
          Add app
        </Button>
        {add.isError && <ErrorNotice error={add.error} action="Adding the app" />}
      </Form>
      <QueryView query={apps} what="trusted apps">
        {(page) => (
          <DataTable
            label="Trusted apps"
            rows={page.items}
            rowId={(app) => app.id}
            empty="No app registered yet."
            columns={[
              { name: 'URL', cell: (app) => <code>{app.url}</code> },
              { name: 'Added', cell: (app) => formatTime(app.createdAt) },
              {
                name: 'Remove',
                cell: (app) => (
                  <Button className="button button-small button-danger" aria-label={`Remove ${app.url}`} onPress={() => setRemoving(app)}>
                    Remove
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.url}?`}
          isOpen
          onOpenChange={(open) => !open && setRemoving(null)}
          confirmLabel="Remove app"
          isPending={remove.isPending}
          onConfirm={() => remove.mutate(removing.id)}
        >
          <p>Logins can no longer return to it.</p>
          {remove.isError && <ErrorNotice error={remove.error} action="Removing" />}
        </ConfirmDialog>
      )}
    </>
  );
}
