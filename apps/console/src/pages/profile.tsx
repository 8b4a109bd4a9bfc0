import { useQuery } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import type { ConnectedProvider, Page } from '../api/answers';
import { useSession } from '../app/session';
import { usePageTitle } from '../app/page-title';
import { DataTable } from '../ui/table';
import { QueryView } from '../ui/states';
import { formatDate, formatTime } from '../ui/time';

/** The home page: who you are, your groups and affiliations, and the providers you signed in with. */
export function Profile() {
  usePageTitle('Profile');
  const { me } = useSession();
  const providers = useQuery({
    queryKey: ['me', 'credentials'],
    queryFn: () => answer<Page<ConnectedProvider>>(api.GET('/api/v1/me/credentials')),
    enabled: me.id !== null,
  });
  return (
    <>
      <h1>Profile</h1>
      <section className="card" aria-labelledby="profile-you">
        <h2 id="profile-you">You</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{me.name}</dd>
          <dt>E-mail</dt>
          <dd>{me.email ?? '—'}</dd>
          <dt>Roles</dt>
          <dd>
            {[me.admin && 'super administrator', me.readOnly && 'read-only', me.serviceAccount && 'service account']
              .filter(Boolean)
              .join(', ') || 'user'}
          </dd>
          {me.id && (
            <>
              <dt>User id</dt>
              <dd>
                <code>{me.id}</code>
              </dd>
            </>
          )}
        </dl>
      </section>
      <section className="card" aria-labelledby="profile-groups">
        <h2 id="profile-groups">Groups</h2>
        {me.groups.length === 0 ? (
          <p className="state state-empty">You are in no group yet. A group administrator adds members.</p>
        ) : (
          <ul className="chips">
            {me.groups.map((group) => (
              <li key={group} className="chip">
                {group}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="profile-affiliations">
        <h2 id="profile-affiliations">Affiliations</h2>
        <DataTable
          label="Your affiliations"
          rows={me.affiliations}
          rowId={(item) => `${item.affiliationId}-${item.start}`}
          empty="No affiliation recorded."
          columns={[
            { name: 'Institution', cell: (item) => item.name ?? item.affiliationId },
            { name: 'From', cell: (item) => formatDate(item.start) },
            { name: 'Until', cell: (item) => formatDate(item.end, 'open-ended') },
            { name: 'Current', cell: (item) => (item.current ? 'yes' : 'no') },
          ]}
        />
      </section>
      <section className="card" aria-labelledby="profile-providers">
        <h2 id="profile-providers">Connected providers</h2>
        {me.id === null ? (
          <p className="state state-empty">An admin-key session has no provider.</p>
        ) : (
          <QueryView query={providers} what="connected providers">
            {(page) => (
              <DataTable
                label="Connected providers"
                rows={page.items}
                rowId={(item) => item.provider}
                empty="No provider connected."
                columns={[
                  { name: 'Provider', cell: (item) => item.provider },
                  { name: 'Issuer', cell: (item) => item.issuer },
                  { name: 'Access until', cell: (item) => formatTime(item.expiresAt) },
                  { name: 'Renews itself', cell: (item) => (item.refreshable ? 'yes' : 'no') },
                  { name: 'Last signed in', cell: (item) => formatTime(item.updatedAt) },
                ]}
              />
            )}
          </QueryView>
        )}
      </section>
    </>
  );
}
