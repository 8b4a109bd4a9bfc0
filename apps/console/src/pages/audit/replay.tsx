import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form, Label, ProgressBar } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { ReplayJob } from '../../api/answers';
import { REPLAYABLE_PROJECTIONS } from '../../../../../libs/contracts/src/audit-subjects';
import { usePageTitle } from '../../app/page-title';
import { Choice } from '../../ui/select';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';
import { formatTime } from '../../ui/time';

/** One job, polled until it ends. */
function JobProgress({ jobId }: { jobId: string }) {
  const job = useQuery({
    queryKey: ['audit', 'replay', jobId],
    queryFn: () => answer<ReplayJob>(api.GET('/api/v1/audit/replay/{jobId}', { params: { path: { jobId } } })),
    refetchInterval: (query) => (query.state.data?.status === 'running' || !query.state.data ? 500 : false),
  });
  return (
    <QueryView query={job} what="the job">
      {(data) => (
        <section className="card" aria-label={`Replay of ${data.projection}`}>
          <h2>
            {data.projection}: {data.status}
          </h2>
          <ProgressBar className="field" value={data.progress * 100} aria-describedby={`job-${jobId}`}>
            {({ percentage }) => (
              <>
                <Label className="field-label">
                  Progress {Math.round(percentage ?? 0)}% (position {data.position} of {data.target})
                </Label>
                <progress className="progress" max={100} value={percentage ?? 0} />
              </>
            )}
          </ProgressBar>
          <p id={`job-${jobId}`} className="muted">
            Started {formatTime(data.startedAt)}
            {data.finishedAt && `, ended ${formatTime(data.finishedAt)}`}
            {data.matchesLive !== null &&
              (data.matchesLive ? '. The rebuilt copy matched the live one.' : '. The rebuilt copy differed from the live one.')}
          </p>
          {data.failure && (
            <div className="notice notice-error" role="alert">
              <strong>Failed</strong>
              <p>{data.failure}</p>
            </div>
          )}
          {data.replicas.length > 0 && (
            <DataTable
              label="Replicas"
              rows={data.replicas}
              rowId={(replica) => replica.replica}
              columns={[
                { name: 'Replica', cell: (replica) => replica.replica },
                { name: 'Status', cell: (replica) => replica.status },
                { name: 'Position', cell: (replica) => `${replica.position} of ${replica.target}` },
                { name: 'Matched live', cell: (replica) => (replica.matchesLive === null ? '—' : replica.matchesLive ? 'yes' : 'no') },
              ]}
            />
          )}
        </section>
      )}
    </QueryView>
  );
}

/** Rebuild a projection from the log and watch it catch up (CONTRACT section 7). */
export default function Replay() {
  usePageTitle('Replay');
  const [projection, setProjection] = useState<string | null>('audit-access');
  const [jobs, setJobs] = useState<string[]>([]);
  const start = useMutation({
    mutationFn: () => answer<{ jobId: string }>(api.POST('/api/v1/audit/replay', { body: { projection: projection as 'audit-access' } })),
    onSuccess: ({ jobId }) => setJobs((current) => [jobId, ...current]),
  });
  return (
    <>
      <h1>Replay</h1>
      <p className="lead">
        A replay rebuilds one projection from the event log beside the live one, compares the two, and swaps the copy in. Tessera keeps
        answering meanwhile.
      </p>
      <Form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate();
        }}
      >
        <Choice
          label="Projection"
          isRequired
          options={REPLAYABLE_PROJECTIONS.map((name) => ({ id: name, name }))}
          value={projection}
          onChange={setProjection}
        />
        <Button type="submit" className="button button-primary" isDisabled={!projection || start.isPending}>
          Start replay
        </Button>
      </Form>
      {start.isError && <ErrorNotice error={start.error} action="Starting the replay" />}
      {jobs.length === 0 ? (
        <p className="state state-empty">No replay started from this page yet.</p>
      ) : (
        jobs.map((jobId) => <JobProgress key={jobId} jobId={jobId} />)
      )}
    </>
  );
}
