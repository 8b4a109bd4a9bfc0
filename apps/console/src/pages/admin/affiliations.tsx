import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { AffiliationInstitution, Page } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { TextInput } from '../../ui/fields';
import { Choice } from '../../ui/select';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';
import { UserPicker } from '../../ui/user-picker';

/** Institutions, and who is affiliated with which from when to when. */
export default function Affiliations() {
  usePageTitle('Affiliations');
  const queryClient = useQueryClient();
  const institutions = useQuery({
    queryKey: ['affiliations'],
    queryFn: () => answer<Page<AffiliationInstitution>>(api.GET('/api/v1/affiliations', { params: { query: { limit: '500' } } })),
  });
  const [name, setName] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const create = useMutation({
    mutationFn: () =>
      answer(
        api.POST('/api/v1/affiliations', {
          body: { name, contactName: contactName || undefined, contactEmail: contactEmail || undefined },
        }),
      ),
    onSuccess: async () => {
      setName('');
      setContactName('');
      setContactEmail('');
      await queryClient.invalidateQueries({ queryKey: ['affiliations'] });
    },
  });
  const [userId, setUserId] = useState<string | null>(null);
  const [affiliationId, setAffiliationId] = useState<string | null>(null);
  const [start, setStart] = useState(new Date().toISOString().slice(0, 10));
  const [end, setEnd] = useState('');
  const affiliate = useMutation({
    mutationFn: () =>
      answer(
        api.PUT('/api/v1/users/{id}/affiliations/{affiliationId}', {
          params: { path: { id: userId!, affiliationId: affiliationId! } },
          body: { start: new Date(start).toISOString(), ...(end ? { end: new Date(end).toISOString() } : {}) },
        }),
      ),
  });
  return (
    <>
      <h1>Affiliations</h1>
      <section className="card" aria-labelledby="affiliate-heading">
        <h2 id="affiliate-heading">Affiliate a user</h2>
        <Form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            affiliate.mutate();
          }}
        >
          <UserPicker label="User" onChange={setUserId} serviceAccount={false} />
          <Choice
            label="Institution"
            isRequired
            options={institutions.data?.items ?? []}
            value={affiliationId}
            onChange={setAffiliationId}
          />
          <TextInput label="From" type="date" isRequired value={start} onChange={setStart} />
          <TextInput label="Until (optional)" type="date" value={end} onChange={setEnd} />
          <Button type="submit" className="button button-primary" isDisabled={!userId || !affiliationId || affiliate.isPending}>
            Save affiliation
          </Button>
        </Form>
        {affiliate.isError && <ErrorNotice error={affiliate.error} action="Saving the affiliation" />}
        {affiliate.isSuccess && (
          <p role="status" className="notice notice-info">
            Saved.
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="institutions-heading">
        <h2 id="institutions-heading">Institutions</h2>
        <Form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <TextInput label="Name" isRequired value={name} onChange={setName} />
          <TextInput label="Contact" value={contactName} onChange={setContactName} />
          <TextInput label="Contact e-mail" type="email" value={contactEmail} onChange={setContactEmail} />
          <Button type="submit" className="button" isDisabled={create.isPending}>
            Add institution
          </Button>
        </Form>
        {create.isError && <ErrorNotice error={create.error} action="Adding the institution" />}
        <QueryView query={institutions} what="institutions">
          {(page) => (
            <DataTable
              label="Institutions"
              rows={page.items}
              rowId={(item) => item.id}
              empty="No institution yet."
              columns={[
                { name: 'Institution', cell: (item) => item.name },
                { name: 'Contact', cell: (item) => item.contactName ?? '—' },
                { name: 'Contact e-mail', cell: (item) => item.contactEmail ?? '—' },
              ]}
            />
          )}
        </QueryView>
      </section>
    </>
  );
}
