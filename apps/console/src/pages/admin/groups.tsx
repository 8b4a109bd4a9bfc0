import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, Form, Link } from 'react-aria-components';
import { useNavigate, useParams } from 'react-router';
import { answer, api } from '../../api/client';
import type { Group, Page } from '../../api/answers';
import { useSession } from '../../app/session';
import { usePageTitle } from '../../app/page-title';
import { ConfirmDialog } from '../../ui/dialog';
import { TextInput } from '../../ui/fields';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';
import { UserPicker } from '../../ui/user-picker';

function GroupMembers({ groupId }: { groupId: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { me } = useSession();
  const group = useQuery({
    queryKey: ['groups', groupId],
    queryFn: () => answer<Group>(api.GET('/api/v1/groups/{id}', { params: { path: { id: groupId } } })),
  });
  const [userId, setUserId] = useState<string | null>(null);
  const [asAdmin, setAsAdmin] = useState(false);
  const [removing, setRemoving] = useState<{ userId: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['groups'] });
  const put = useMutation({
    mutationFn: (member: { userId: string; admin: boolean }) =>
      answer(
        api.PUT('/api/v1/groups/{id}/members/{userId}', {
          params: { path: { id: groupId, userId: member.userId } },
          body: { admin: member.admin },
        }),
      ),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (memberId: string) =>
      answer(api.DELETE('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: memberId } } })),
    onSuccess: async () => {
      setRemoving(null);
      await refresh();
    },
  });
  const deleteGroup = useMutation({
    mutationFn: () => answer(api.DELETE('/api/v1/groups/{id}', { params: { path: { id: groupId } } })),
    onSuccess: async () => {
      await refresh();
      void navigate('/admin/groups');
    },
  });
  return (
    <QueryView query={group} what="the group">
      {(data) => (
        <section className="card" aria-labelledby="group-name">
          <div className="page-head">
            <h2 id="group-name">Members of {data.name}</h2>
            {me.admin && (
              <Button className="button button-danger" onPress={() => setDeleting(true)}>
                Delete group
              </Button>
            )}
          </div>
          <DataTable
            label={`Members of ${data.name}`}
            rows={data.members ?? []}
            rowId={(member) => member.userId}
            empty="No member yet."
            columns={[
              { name: 'Member', cell: (member) => member.name },
              { name: 'Role', cell: (member) => (member.admin ? 'group admin' : 'member') },
              {
                name: 'Actions',
                cell: (member) => (
                  <div className="inline-form">
                    <Button
                      className="button button-small"
                      aria-label={`${member.admin ? 'Make plain member' : 'Make group admin'}: ${member.name}`}
                      onPress={() => put.mutate({ userId: member.userId, admin: !member.admin })}
                    >
                      {member.admin ? 'Make plain member' : 'Make group admin'}
                    </Button>
                    <Button
                      className="button button-small button-danger"
                      aria-label={`Remove ${member.name}`}
                      onPress={() => setRemoving(member)}
                    >
                      Remove
                    </Button>
                  </div>
                ),
              },
            ]}
          />
          {put.isError && <ErrorNotice error={put.error} action="Changing the membership" />}
          <h3>Add a member</h3>
          <Form
            className="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (userId) put.mutate({ userId, admin: asAdmin });
            }}
          >
            <UserPicker label="User" onChange={setUserId} serviceAccount={false} />
            <Checkbox className="choice checkbox" isSelected={asAdmin} onChange={setAsAdmin}>
              as group admin
            </Checkbox>
            <Button type="submit" className="button button-primary" isDisabled={!userId || put.isPending}>
              Add member
            </Button>
          </Form>
          {removing && (
            <ConfirmDialog
              title={`Remove ${removing.name} from ${data.name}?`}
              isOpen
              onOpenChange={(open) => !open && setRemoving(null)}
              confirmLabel="Remove"
              isPending={remove.isPending}
              onConfirm={() => remove.mutate(removing.userId)}
            >
              <p>They lose every permission that came through this group at once.</p>
              {remove.isError && <ErrorNotice error={remove.error} action="Removing" />}
            </ConfirmDialog>
          )}
          {deleting && (
            <ConfirmDialog
              title={`Delete the group ${data.name}?`}
              isOpen
              onOpenChange={setDeleting}
              confirmLabel="Delete group"
              isPending={deleteGroup.isPending}
              onConfirm={() => deleteGroup.mutate()}
            >
              <p>Its members lose every permission granted to it.</p>
              {deleteGroup.isError && <ErrorNotice error={deleteGroup.error} action="Deleting" />}
            </ConfirmDialog>
          )}
        </section>
      )}
    </QueryView>
  );
}

/** Groups and their members: super admins create groups, group admins manage their members. */
export default function Groups() {
  usePageTitle('Groups');
  const { groupId } = useParams();
  const { me } = useSession();
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: ['groups', 'list'],
    queryFn: () => answer<Page<Group>>(api.GET('/api/v1/groups', { params: { query: { limit: '500' } } })),
  });
  const [name, setName] = useState('');
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => answer<Group>(api.POST('/api/v1/groups', { body: { name } })),
    onSuccess: async (group) => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['groups'] });
      void navigate(`/admin/groups/${group.id}`);
    },
  });
  return (
    <>
      <h1>Groups</h1>
      {me.admin && (
        <Form
          className="inline-form card"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <TextInput label="New group" isRequired value={name} onChange={setName} />
          <Button type="submit" className="button button-primary" isDisabled={create.isPending}>
            Create group
          </Button>
          {create.isError && <ErrorNotice error={create.error} action="Creating the group" />}
        </Form>
      )}
      <div className="two-columns">
        <section className="card" aria-labelledby="groups-list">
          <h2 id="groups-list">All groups</h2>
          <QueryView query={groups} what="groups" isEmpty={(page) => page.items.length === 0} empty="No group yet.">
            {(page) => (
              <ul className="plain-list">
                {page.items.map((group) => (
                  <li key={group.id}>
                    <Link href={`/admin/groups/${group.id}`} className="nav-link" aria-current={group.id === groupId ? 'page' : undefined}>
                      {group.name}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </QueryView>
        </section>
        <div>
          {groupId ? (
            <GroupMembers key={groupId} groupId={groupId} />
          ) : (
            <p className="state state-empty">Choose a group to see its members.</p>
          )}
        </div>
      </div>
    </>
  );
}
