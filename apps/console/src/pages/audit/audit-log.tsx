import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { AuditEventsPage } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { TextInput } from '../../ui/fields';
import { DataTable } from '../../ui/table';
import { ErrorNotice, Loading } from '../../ui/states';
import { formatTime, fromLocalInput } from '../../ui/time';

interface Filters {
  type: string;
  actor: string;
  user: string;
  dataset: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { type: '', actor: '', user: '', dataset: '', from: '', to: '' };
const PAGE_SIZE = 50;

/** The event log, filtered, a page at a time (CONTRACT section 7). */
export default function AuditLog() {
  usePageTitle('Audit log');
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const events = useQuery({
    queryKey: ['audit', 'events', filters, cursor],
    queryFn: () =>
      answer<AuditEventsPage>(
        api.GET('/api/v1/audit/events', {
          params: {
            query: {
              type: filters.type || undefined,
              actor: filters.actor || undefined,
              user: filters.user || undefined,
              dataset: filters.dataset || undefined,
              from: filters.from ? fromLocalInput(filters.from) : undefined,
              to: filters.to ? fromLocalInput(filters.to) : undefined,
              cursor,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
  });
  const field = (name: keyof Filters) => ({ value: draft[name], onChange: (value: string) => setDraft({ ...draft, [name]: value }) });
  return (
    <>
      <h1>Audit log</h1>
      <Form
        className="inline-form card"
        aria-label="Filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
          setCursors([undefined]);
        }}
      >
        <TextInput label="Event type" {...field('type')} description="e.g. PermissionGranted" />
        <TextInput label="Actor" {...field('actor')} description="user id" />
        <TextInput label="About user" {...field('user')} description="user id" />
        <TextInput label="Dataset" {...field('dataset')} description="id or name" />
        <TextInput label="From" type="datetime-local" {...field('from')} />
        <TextInput label="Until" type="datetime-local" {...field('to')} />
        <Button type="submit" className="button button-primary">
          Filter
        </Button>
        <Button
          className="button"
          onPress={() => {
            setDraft(NO_FILTERS);
            setFilters(NO_FILTERS);
            setCursors([undefined]);
          }}
        >
          Clear
        </Button>
      </Form>
      {events.isPending && <Loading what="events" />}
      {events.isError && <ErrorNotice error={events.error} action="Loading events" />}
      {events.isSuccess && (
        <>
          <DataTable
            label="Events"
            rows={events.data.items}
            rowId={(item) => item.position}
            empty="No event matches these filters."
            columns={[
              { name: 'Position', cell: (item) => item.position },
              { name: 'Recorded', cell: (item) => formatTime(item.recordedAt) },
              { name: 'Type', cell: (item) => item.type },
              { name: 'Stream', cell: (item) => <code>{item.streamId}</code> },
              { name: 'Actor', cell: (item) => item.actor ?? '—' },
              { name: 'Data', cell: (item) => <code className="clip">{JSON.stringify(item.data)}</code> },
            ]}
          />
          <div className="toolbar">
            <Button className="button" isDisabled={cursors.length === 1} onPress={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </Button>
            <span className="muted">Page {cursors.length}</span>
            <Button
              className="button"
              isDisabled={!events.data.nextCursor}
              onPress={() => setCursors([...cursors, events.data.nextCursor ?? undefined])}
            >
              Next page
            </Button>
          </div>
        </>
      )}
    </>
  );
}
