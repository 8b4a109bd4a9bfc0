import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { AuditAccessIntervals, AuditDatasetAccess, Dataset, Page } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { TextInput } from '../../ui/fields';
import { Choice } from '../../ui/select';
import { DataTable } from '../../ui/table';
import { ErrorNotice, Loading, QueryView } from '../../ui/states';
import { formatTime, fromLocalInput, toLocalInput } from '../../ui/time';

// The chart library loads only when a timeline is drawn.
const AccessTimeline = lazy(() => import('./access-timeline').then((module) => ({ default: module.AccessTimeline })));

const DAY = 86_400_000;

/** "Who could see this dataset at that moment", and each user's access over a range, drawn. */
export default function AccessAtMoment() {
  usePageTitle('Who could see');
  const datasets = useQuery({
    queryKey: ['datasets', 'list'],
    queryFn: () => answer<Page<Dataset>>(api.GET('/api/v1/datasets', { params: { query: { limit: '500' } } })),
  });
  const now = new Date();
  const [dataset, setDataset] = useState<string | null>(null);
  const [at, setAt] = useState(toLocalInput(now));
  const [from, setFrom] = useState(toLocalInput(new Date(now.getTime() - 30 * DAY)));
  const [to, setTo] = useState(toLocalInput(new Date(now.getTime() + 60_000)));
  const [asked, setAsked] = useState<{ dataset: string; at: string; from: string; to: string } | null>(null);
  const access = useQuery({
    queryKey: ['audit', 'access', asked?.dataset, asked?.at],
    queryFn: () =>
      answer<AuditDatasetAccess>(api.GET('/api/v1/audit/access', { params: { query: { dataset: asked!.dataset, at: asked!.at } } })),
    enabled: asked !== null,
  });
  const intervals = useQuery({
    queryKey: ['audit', 'intervals', asked?.dataset, asked?.from, asked?.to],
    queryFn: () =>
      answer<AuditAccessIntervals>(
        api.GET('/api/v1/audit/access/intervals', { params: { query: { dataset: asked!.dataset, from: asked!.from, to: asked!.to } } }),
      ),
    enabled: asked !== null,
  });
  return (
    <>
      <h1>Who could see</h1>
      <p className="lead">Pick a dataset and a moment: the answer comes from the event log, as it stood then.</p>
      <Form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          if (dataset) setAsked({ dataset, at: fromLocalInput(at), from: fromLocalInput(from), to: fromLocalInput(to) });
        }}
      >
        <Choice label="Dataset" isRequired options={datasets.data?.items ?? []} value={dataset} onChange={setDataset} />
        <TextInput label="At" type="datetime-local" step={1} isRequired value={at} onChange={setAt} />
        <TextInput label="Timeline from" type="datetime-local" isRequired value={from} onChange={setFrom} />
        <TextInput label="Timeline until" type="datetime-local" isRequired value={to} onChange={setTo} />
        <Button type="submit" className="button button-primary" isDisabled={!dataset}>
          Show
        </Button>
      </Form>
      {datasets.isError && <ErrorNotice error={datasets.error} action="Loading datasets" />}
      {asked && (
        <>
          <section className="card" aria-labelledby="at-heading">
            <h2 id="at-heading">At {formatTime(asked.at)}</h2>
            <QueryView query={access} what="who could see it">
              {(answerAt) => (
                <DataTable
                  label={`Who could see ${answerAt.dataset.name} at ${formatTime(asked.at)}`}
                  rows={answerAt.users}
                  rowId={(user) => user.id}
                  empty="Nobody could see it then."
                  columns={[
                    { name: 'User', cell: (user) => user.name ?? user.id },
                    { name: 'Permissions', cell: (user) => user.permissions.join(', ') },
                    { name: 'Through', cell: (user) => user.via.join(', ') },
                  ]}
                />
              )}
            </QueryView>
          </section>
          <section className="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">
              Timeline, {formatTime(asked.from)} – {formatTime(asked.to)}
            </h2>
            <QueryView
              query={intervals}
              what="the timeline"
              isEmpty={(data) => data.intervals.length === 0}
              empty="Nobody could see it in this range."
            >
              {(data) => (
                <>
                  <Suspense fallback={<Loading what="the chart" />}>
                    <AccessTimeline data={data} />
                  </Suspense>
                  <DataTable
                    label="Access intervals"
                    rows={data.intervals}
                    rowId={(interval) => `${interval.userId}-${interval.permission}-${interval.from}`}
                    columns={[
                      { name: 'User', cell: (interval) => interval.name ?? interval.userId },
                      { name: 'Permission', cell: (interval) => interval.permission },
                      { name: 'From', cell: (interval) => formatTime(interval.from) },
                      { name: 'Until', cell: (interval) => formatTime(interval.to) },
                    ]}
                  />
                </>
              )}
            </QueryView>
          </section>
        </>
      )}
    </>
  );
}
