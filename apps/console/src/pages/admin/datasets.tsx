import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form, Link } from 'react-aria-components';
import { useNavigate, useParams } from 'react-router';
import { answer, api } from '../../api/client';
import type { Dataset, Grant, Group, Page, TosVersion, User } from '../../api/answers';
import { useSession } from '../../app/session';
import { usePageTitle } from '../../app/page-title';
import { ConfirmDialog } from '../../ui/dialog';
import { TextInput } from '../../ui/fields';
import { Choice } from '../../ui/select';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';
import { formatTime, fromLocalInput } from '../../ui/time';
import { UserPicker } from '../../ui/user-picker';

function Grants({ dataset }: { dataset: Dataset }) {
  const queryClient = useQueryClient();
  const key = ['datasets', dataset.id, 'grants'];
  const grants = useQuery({
    queryKey: key,
    queryFn: () =>
      answer<Page<Grant>>(api.GET('/api/v1/datasets/{id}/grants', { params: { path: { id: dataset.id }, query: { limit: '500' } } })),
  });
  const groups = useQuery({
    queryKey: ['groups', 'list'],
    queryFn: () => answer<Page<Group>>(api.GET('/api/v1/groups', { params: { query: { limit: '500' } } })),
  });
  const registry = useQuery({ queryKey: ['permissions'], queryFn: () => answer<Page<{ name: string }>>(api.GET('/api/v1/permissions')) });
  const [groupId, setGroupId] = useState<string | null>(null);
  const [permission, setPermission] = useState<string | null>('view');
  const [expires, setExpires] = useState('');
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const grant = useMutation({
    mutationFn: () =>
      answer(
        api.PUT('/api/v1/datasets/{id}/grants/{groupId}/{permission}', {
          params: { path: { id: dataset.id, groupId: groupId!, permission: permission! } },
          body: expires ? { expiresAt: fromLocalInput(expires) } : {},
        }),
      ),
    onSuccess: async () => {
      setExpires('');
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: (item: Grant) =>
      answer(
        api.DELETE('/api/v1/datasets/{id}/grants/{groupId}/{permission}', {
          params: { path: { id: dataset.id, groupId: item.groupId, permission: item.permission } },
        }),
      ),
    onSuccess: async () => {
      setRevoking(null);
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  return (
    <section className="card" aria-labelledby="grants-heading">
      <h2 id="grants-heading">Grants</h2>
      <QueryView query={grants} what="grants">
        {(page) => (
          <DataTable
            label={`Grants on ${dataset.name}`}
            rows={page.items}
            rowId={(item) => `${item.groupId}/${item.permission}`}
            empty="No group holds a permission on this dataset."
            columns={[
              { name: 'Group', cell: (item) => item.groupName },
              { name: 'Permission', cell: (item) => item.permission },
              {
                name: 'Until',
                cell: (item) => (item.expired ? `expired ${formatTime(item.expiresAt)}` : formatTime(item.expiresAt, 'no expiry')),
              },
              {
                name: 'Revoke',
                cell: (item) => (
                  <Button
                    className="button button-small button-danger"
                    aria-label={`Revoke ${item.permission} from ${item.groupName}`}
                    onPress={() => setRevoking(item)}
                  >
                    Revoke
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <h3>Grant a permission</h3>
      <Form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          grant.mutate();
        }}
      >
        <Choice label="Group" isRequired options={groups.data?.items ?? []} value={groupId} onChange={setGroupId} />
        <Choice
          label="Permission"
          isRequired
          options={(registry.data?.items ?? []).map((item) => ({ id: item.name, name: item.name }))}
          value={permission}
          onChange={setPermission}
        />
        <TextInput label="Until (optional)" type="datetime-local" value={expires} onChange={setExpires} />
        <Button type="submit" className="button button-primary" isDisabled={!groupId || !permission || grant.isPending}>
          Grant
        </Button>
      </Form>
      {grant.isError && <ErrorNotice error={grant.error} action="Granting" />}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.permission} from ${revoking.groupName}?`}
          isOpen
          onOpenChange={(open) => !open && setRevoking(null)}
          confirmLabel="Revoke"
          isPending={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking)}
        >
          <p>Members of {revoking.groupName} lose it at once, unless another group gives it to them.</p>
          {revoke.isError && <ErrorNotice error={revoke.error} action="Revoking" />}
        </ConfirmDialog>
      )}
    </section>
  );
}

function Terms({ dataset }: { dataset: Dataset }) {
  const queryClient = useQueryClient();
  const key = ['datasets', dataset.id, 'tos'];
  const versions = useQuery({
    queryKey: key,
    queryFn: () => answer<Page<TosVersion>>(api.GET('/api/v1/datasets/{id}/tos', { params: { path: { id: dataset.id } } })),
  });
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const publish = useMutation({
    mutationFn: () => answer(api.POST('/api/v1/datasets/{id}/tos', { params: { path: { id: dataset.id } }, body: { title, text } })),
    onSuccess: async () => {
      setTitle('');
      setText('');
      await queryClient.invalidateQueries({ queryKey: ['datasets'] });
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  return (
    <section className="card" aria-labelledby="terms-heading">
      <h2 id="terms-heading">Terms of service</h2>
      <QueryView query={versions} what="terms versions">
        {(page) => (
          <DataTable
            label={`Terms of ${dataset.name}`}
            rows={page.items}
            rowId={(item) => item.id}
            empty="No terms: the permissions count without accepting anything."
            columns={[
              { name: 'Version', cell: (item) => `${item.version}${item.current ? ' (current)' : ''}` },
              { name: 'Title', cell: (item) => item.title },
              { name: 'Published', cell: (item) => formatTime(item.publishedAt) },
              { name: 'Text', cell: (item) => <span className="clip">{item.text}</span> },
            ]}
          />
        )}
      </QueryView>
      <h3>Publish a new version</h3>
      <p className="muted">Everyone must accept the new version before its permissions count again.</p>
      <Form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          publish.mutate();
        }}
      >
        <TextInput label="Title" isRequired value={title} onChange={setTitle} />
        <TextInput label="Text" isRequired multiline value={text} onChange={setText} />
        {publish.isError && <ErrorNotice error={publish.error} action="Publishing" />}
        <div>
          <Button type="submit" className="button button-primary" isDisabled={publish.isPending}>
            Publish terms
          </Button>
        </div>
      </Form>
    </section>
  );
}

function Admins({ dataset }: { dataset: Dataset }) {
  const queryClient = useQueryClient();
  const { me } = useSession();
  const [userId, setUserId] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['datasets'] });
  const names = useQuery({
    queryKey: ['users', 'names', dataset.admins],
    queryFn: async () =>
      Promise.all(
        dataset.admins.map((id) =>
          answer<User>(api.GET('/api/v1/users/{id}', { params: { path: { id } } })).catch(() => ({ id, name: id })),
        ),
      ),
    enabled: me.admin,
  });
  const add = useMutation({
    mutationFn: (id: string) =>
      answer(api.PUT('/api/v1/datasets/{id}/admins/{userId}', { params: { path: { id: dataset.id, userId: id } } })),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      answer(api.DELETE('/api/v1/datasets/{id}/admins/{userId}', { params: { path: { id: dataset.id, userId: id } } })),
    onSuccess: refresh,
  });
  const rows = dataset.admins.map((id) => ({ id, name: names.data?.find((user) => user.id === id)?.name ?? id }));
  return (
    <section className="card" aria-labelledby="admins-heading">
      <h2 id="admins-heading">Dataset admins</h2>
      <DataTable
        label={`Admins of ${dataset.name}`}
        rows={rows}
        rowId={(row) => row.id}
        empty="No dataset admin: only super admins manage it."
        columns={[
          { name: 'Admin', cell: (row) => row.name },
          {
            name: 'Remove',
            cell: (row) =>
              me.admin ? (
                <Button
                  className="button button-small button-danger"
                  aria-label={`Remove admin ${row.name}`}
                  onPress={() => remove.mutate(row.id)}
                >
                  Remove
                </Button>
              ) : (
                '—'
              ),
          },
        ]}
      />
      {me.admin && (
        <Form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (userId) add.mutate(userId);
          }}
        >
          <UserPicker label="New admin" onChange={setUserId} serviceAccount={false} />
          <Button type="submit" className="button" isDisabled={!userId || add.isPending}>
            Add admin
          </Button>
        </Form>
      )}
      {(add.isError || remove.isError) && <ErrorNotice error={add.error ?? remove.error} action="Changing the admins" />}
    </section>
  );
}

/** Datasets: super admins create them and name their admins; dataset admins grant, and publish terms. */
export default function AdminDatasets() {
  usePageTitle('Datasets');
  const { datasetId } = useParams();
  const { me } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const datasets = useQuery({
    queryKey: ['datasets', 'list'],
    queryFn: () => answer<Page<Dataset>>(api.GET('/api/v1/datasets', { params: { query: { limit: '500' } } })),
  });
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () => answer<Dataset>(api.POST('/api/v1/datasets', { body: { name, description: description || undefined } })),
    onSuccess: async (dataset) => {
      setName('');
      setDescription('');
      await queryClient.invalidateQueries({ queryKey: ['datasets'] });
      void navigate(`/admin/datasets/${dataset.id}`);
    },
  });
  const selected = datasets.data?.items.find((dataset) => dataset.id === datasetId);
  return (
    <>
      <h1>Datasets</h1>
      {me.admin && (
        <Form
          className="inline-form card"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <TextInput label="New dataset" isRequired value={name} onChange={setName} />
          <TextInput label="Description" value={description} onChange={setDescription} />
          <Button type="submit" className="button button-primary" isDisabled={create.isPending}>
            Create dataset
          </Button>
          {create.isError && <ErrorNotice error={create.error} action="Creating the dataset" />}
        </Form>
      )}
      <div className="two-columns">
        <section className="card" aria-labelledby="datasets-list">
          <h2 id="datasets-list">{me.admin ? 'All datasets' : 'Datasets you administer'}</h2>
          <QueryView query={datasets} what="datasets" isEmpty={(page) => page.items.length === 0} empty="No dataset yet.">
            {(page) => (
              <ul className="plain-list">
                {page.items.map((dataset) => (
                  <li key={dataset.id}>
                    <Link
                      href={`/admin/datasets/${dataset.id}`}
                      className="nav-link"
                      aria-current={dataset.id === datasetId ? 'page' : undefined}
                    >
                      {dataset.name}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
        </section>
        <div>
          {selected ? (
            <>
              <h2>{selected.name}</h2>
              {selected.description && <p className="lead">{selected.description}</p>}
              <Grants key={`g-${selected.id}`} dataset={selected} />
              <Terms key={`t-${selected.id}`} dataset={selected} />
              <Admins key={`a-${selected.id}`} dataset={selected} />
            </>
          ) : (
            <p className="state state-empty">{datasetId && datasets.isSuccess ? 'No such dataset.' : 'Choose a dataset.'}</p>
          )}
        </div>
      </div>
    </>
  );
}
