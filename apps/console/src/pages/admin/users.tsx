import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, SearchField, Input, Label } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { Page, User } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { ConfirmDialog } from '../../ui/dialog';
import { DataTable } from '../../ui/table';
import { ErrorNotice, Loading } from '../../ui/states';
import { formatDate } from '../../ui/time';

/** Super admins: find people, make them administrators or read-only, deactivate them. */
export default function Users() {
  usePageTitle('Users');
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const users = useInfiniteQuery({
    queryKey: ['users', 'list', search],
    queryFn: ({ pageParam }) =>
      answer<Page<User>>(
        api.GET('/api/v1/users', { params: { query: { q: search || undefined, serviceAccount: 'false', cursor: pageParam, limit: 50 } } }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const update = useMutation({
    mutationFn: ({ id, ...body }: { id: string; admin?: boolean; readOnly?: boolean }) =>
      answer(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
  const deactivate = useMutation({
    mutationFn: (id: string) => answer(api.DELETE('/api/v1/users/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setDeactivating(null);
      await refresh();
    },
  });
  const rows = users.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <h1>Users</h1>
      <SearchField className="field" value={search} onChange={setSearch} aria-describedby="user-search-help">
        <Label className="field-label">Search</Label>
        <Input className="input" placeholder="name or e-mail" />
      </SearchField>
      <p id="user-search-help" className="field-description">
        Matches part of a name or e-mail, in any case.
      </p>
      {update.isError && <ErrorNotice error={update.error} action="Changing the user" />}
      {users.isPending && <Loading what="users" />}
      {users.isError && <ErrorNotice error={users.error} action="Loading users" />}
      {users.isSuccess && (
        <DataTable
          label="Users"
          rows={rows}
          rowId={(user) => user.id}
          empty={search ? `No user matches “${search}”.` : 'No user yet: people appear here after their first sign-in.'}
          columns={[
            { name: 'Name', cell: (user) => user.name },
            { name: 'E-mail', cell: (user) => user.email ?? '—' },
            {
              name: 'Status',
              cell: (user) =>
                [!user.active && 'deactivated', user.admin && 'super admin', user.readOnly && 'read-only'].filter(Boolean).join(', ') ||
                'active',
            },
            { name: 'Since', cell: (user) => formatDate(user.createdAt) },
            {
              name: 'Actions',
              cell: (user) =>
                user.active ? (
                  <div className="inline-form">
                    {/* The name is part of each button's text (hidden from sight), so its accessible name starts with what it shows. */}
                    <Button className="button button-small" onPress={() => update.mutate({ id: user.id, admin: !user.admin })}>
                      {user.admin ? 'Remove admin' : 'Make admin'}
                      <span className="visually-hidden"> {user.name}</span>
                    </Button>
                    <Button className="button button-small" onPress={() => update.mutate({ id: user.id, readOnly: !user.readOnly })}>
                      {user.readOnly ? 'Allow edits' : 'Make read-only'}
                      <span className="visually-hidden"> {user.name}</span>
                    </Button>
                    <Button
                      className="button button-small button-danger"
                      aria-label={`Deactivate ${user.name}`}
                      onPress={() => setDeactivating(user)}
                    >
                      Deactivate
                    </Button>
                  </div>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      )}
      {users.hasNextPage && (
        <Button className="button" onPress={() => void users.fetchNextPage()} isDisabled={users.isFetchingNextPage}>
          Load more
        </Button>
      )}
      {deactivating && (
        <ConfirmDialog
          title={`Deactivate ${deactivating.name}?`}
          isOpen
          onOpenChange={(open) => !open && setDeactivating(null)}
          confirmLabel="Deactivate"
          isPending={deactivate.isPending}
          onConfirm={() => deactivate.mutate(deactivating.id)}
        >
          <p>Every token of {deactivating.name} is revoked, their memberships end, and they cannot sign in again.</p>
          {deactivate.isError && <ErrorNotice error={deactivate.error} action="Deactivating" />}
        </ConfirmDialog>
      )}
    </>
  );
}
