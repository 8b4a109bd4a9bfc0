import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { answer, api } from '../api/client';
import type { Page, TosRef, TosVersion } from '../api/answers';
import { useMyPermissions } from '../app/session';
import { usePageTitle } from '../app/page-title';
import { ModalDialog } from '../ui/dialog';
import { DataTable } from '../ui/table';
import { ErrorNotice, Loading, QueryView } from '../ui/states';
import { formatTime } from '../ui/time';

/** Reads one terms-of-service version and accepts it. */
function TermsDialog({ tos, onClose }: { tos: TosRef; onClose: () => void }) {
  const queryClient = useQueryClient();
  const versions = useQuery({
    queryKey: ['datasets', tos.datasetId, 'tos'],
    queryFn: () => answer<Page<TosVersion>>(api.GET('/api/v1/datasets/{id}/tos', { params: { path: { id: tos.datasetId } } })),
  });
  const accept = useMutation({
    mutationFn: () => answer(api.POST('/api/v1/tos/{tosId}/accept', { params: { path: { tosId: tos.id } } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      onClose();
    },
  });
  const version = versions.data?.items.find((item) => item.id === tos.id);
  return (
    <ModalDialog title={`Terms of ${tos.dataset}: ${tos.title}`} isOpen onOpenChange={(open) => !open && onClose()}>
      {(close) => (
        <>
          {versions.isPending && <Loading what="the terms" />}
          {versions.isError && <ErrorNotice error={versions.error} action="Loading the terms" />}
          {version && (
            <>
              <p className="muted">
                Version {version.version}, published {formatTime(version.publishedAt)}
              </p>
              <div className="terms-text" tabIndex={0} role="document" aria-label="Terms of service text">
                {version.text}
              </div>
            </>
          )}
          {accept.isError && <ErrorNotice error={accept.error} action="Accepting" />}
          <div className="dialog-actions">
            <Button className="button" onPress={close}>
              Not now
            </Button>
            <Button className="button button-primary" onPress={() => accept.mutate()} isDisabled={!version || accept.isPending}>
              I accept these terms
            </Button>
          </div>
        </>
      )}
    </ModalDialog>
  );
}

/** Your datasets and permissions, and the terms that hold some of them back. */
export default function Datasets() {
  usePageTitle('Datasets and terms');
  const permissions = useMyPermissions();
  const [reading, setReading] = useState<TosRef | null>(null);
  return (
    <>
      <h1>Datasets and terms</h1>
      <QueryView query={permissions} what="your permissions">
        {(mine) => {
          const rows = Object.entries(mine.permissions).map(([dataset, names]) => ({ dataset, names }));
          const waiting = Object.entries(mine.permissionsIgnoringTos).filter(([dataset]) => !mine.permissions[dataset]);
          return (
            <>
              <section className="card" aria-labelledby="terms-heading">
                <h2 id="terms-heading">Terms to accept</h2>
                {mine.missingTos.length === 0 ? (
                  <p className="state state-empty">No terms wait for you.</p>
                ) : (
                  <>
                    <p>These datasets grant you permissions once you accept their terms of service.</p>
                    <DataTable
                      label="Terms to accept"
                      rows={mine.missingTos}
                      rowId={(item) => item.id}
                      columns={[
                        { name: 'Dataset', cell: (item) => item.dataset },
                        { name: 'Terms', cell: (item) => item.title },
                        {
                          name: 'Waiting permissions',
                          cell: (item) => (mine.permissionsIgnoringTos[item.dataset] ?? []).join(', '),
                        },
                        {
                          name: 'Action',
                          cell: (item) => (
                            <Button className="button button-small" onPress={() => setReading(item)}>
                              Read and accept
                            </Button>
                          ),
                        },
                      ]}
                    />
                  </>
                )}
              </section>
              <section className="card" aria-labelledby="permissions-heading">
                <h2 id="permissions-heading">Your permissions</h2>
                <DataTable
                  label="Your permissions by dataset"
                  rows={rows}
                  rowId={(item) => item.dataset}
                  empty="You hold no permission on any dataset yet. Group administrators grant them to groups."
                  columns={[
                    { name: 'Dataset', cell: (item) => item.dataset },
                    { name: 'Permissions', cell: (item) => item.names.join(', ') },
                  ]}
                />
                {waiting.length > 0 && (
                  <p className="muted">
                    Held back until you accept their terms:{' '}
                    {waiting.map(([dataset, names]) => `${dataset} (${names.join(', ')})`).join('; ')}.
                  </p>
                )}
              </section>
              {(mine.datasetsAdmin.length > 0 || mine.groupsAdmin.length > 0) && (
                <section className="card" aria-labelledby="admin-of-heading">
                  <h2 id="admin-of-heading">You administer</h2>
                  <dl className="facts">
                    <dt>Datasets</dt>
                    <dd>{mine.datasetsAdmin.join(', ') || '—'}</dd>
                    <dt>Groups</dt>
                    <dd>{mine.groupsAdmin.join(', ') || '—'}</dd>
                  </dl>
                </section>
              )}
            </>
          );
        }}
      </QueryView>
      {reading && <TermsDialog tos={reading} onClose={() => setReading(null)} />}
    </>
  );
}
