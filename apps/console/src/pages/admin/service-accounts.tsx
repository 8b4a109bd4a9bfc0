import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, Form, Label } from 'react-aria-components';
import { answer, api } from '../../api/client';
import type { MintedToken, Page, TokenSummary, User } from '../../api/answers';
import { usePageTitle } from '../../app/page-title';
import { ConfirmDialog, ModalDialog } from '../../ui/dialog';
import { TextInput } from '../../ui/fields';
import { DataTable } from '../../ui/table';
import { ErrorNotice, QueryView } from '../../ui/states';
import { formatTime } from '../../ui/time';
import { ACCOUNT_SCOPES, NewSecret } from '../tokens';

function ScopePicker({ value, onChange }: { value: string[]; onChange: (scopes: string[]) => void }) {
  const registry = useQuery({ queryKey: ['permissions'], queryFn: () => answer<Page<{ name: string }>>(api.GET('/api/v1/permissions')) });
  const names = ['*', ...(registry.data?.items.map((permission) => permission.name) ?? []), ...ACCOUNT_SCOPES.map((scope) => scope.name)];
  return (
    <CheckboxGroup className="field" value={value} onChange={onChange} isRequired>
      <Label className="field-label">Scopes</Label>
      <div className="choices">
        {names.map((name) => (
          <Checkbox key={name} value={name} className="choice checkbox">
            <code>{name}</code>
          </Checkbox>
        ))}
      </div>
    </CheckboxGroup>
  );
}

/** One service account's tokens: mint (the secret once), list masked, revoke. */
function AccountTokens({ account }: { account: User & { scopes?: string[] } }) {
  const queryClient = useQueryClient();
  const key = ['users', account.id, 'tokens'];
  const tokens = useQuery({
    queryKey: key,
    queryFn: () => answer<Page<TokenSummary>>(api.GET('/api/v1/users/{id}/tokens', { params: { path: { id: account.id } } })),
  });
  const [minting, setMinting] = useState(false);
  const [minted, setMinted] = useState<MintedToken | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(account.scopes ?? []);
  const [days, setDays] = useState('90');
  const [revoking, setRevoking] = useState<TokenSummary | null>(null);
  const mint = useMutation({
    mutationFn: () =>
      answer<MintedToken>(
        api.POST('/api/v1/service-accounts/{id}/tokens', {
          params: { path: { id: account.id } },
          body: { name, scopes, expiresInDays: Number(days) },
        }),
      ),
    onSuccess: setMinted,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => answer(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setRevoking(null);
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const close = (open: boolean) => {
    if (open) return;
    setMinting(false);
    setMinted(null);
    mint.reset();
    void queryClient.invalidateQueries({ queryKey: key });
  };
  return (
    <section className="card" aria-labelledby={`sa-${account.id}`}>
      <div className="page-head">
        <h2 id={`sa-${account.id}`}>{account.name}</h2>
        <Button className="button" onPress={() => setMinting(true)} aria-label={`Create token for ${account.name}`}>
          Create token
        </Button>
      </div>
      <p className="muted">Scopes it may give its tokens: {(account.scopes ?? []).join(', ') || '—'}</p>
      <QueryView query={tokens} what="its tokens">
        {(page) => (
          <DataTable
            label={`Tokens of ${account.name}`}
            rows={page.items}
            rowId={(token) => token.id}
            empty="No live token."
            columns={[
              { name: 'Name', cell: (token) => token.name },
              { name: 'Token', cell: (token) => <code>{token.hint}</code> },
              { name: 'Scopes', cell: (token) => token.scopes.join(', ') },
              { name: 'Expires', cell: (token) => formatTime(token.expiresAt, 'never') },
              { name: 'Last used', cell: (token) => formatTime(token.lastUsedAt, 'never') },
              {
                name: 'Revoke',
                cell: (token) => (
                  <Button
                    className="button button-small button-danger"
                    aria-label={`Revoke ${token.name}`}
                    onPress={() => setRevoking(token)}
                  >
                    Revoke
                  </Button>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      <ModalDialog
        title={minted ? 'The new token' : `A token for ${account.name}`}
        isOpen={minting}
        onOpenChange={close}
        isDismissable={!minted}
      >
        {(closeDialog) =>
          minted ? (
            <NewSecret minted={minted} close={closeDialog} />
          ) : (
            <Form
              className="form"
              onSubmit={(event) => {
                event.preventDefault();
                mint.mutate();
              }}
            >
              <TextInput label="Name" isRequired autoFocus value={name} onChange={setName} />
              <ScopePicker value={scopes} onChange={setScopes} />
              <TextInput label="Expires in (days)" type="number" isRequired value={days} onChange={setDays} />
              {mint.isError && <ErrorNotice error={mint.error} action="Creating the token" />}
              <div className="dialog-actions">
                <Button className="button" onPress={closeDialog}>
                  Cancel
                </Button>
                <Button type="submit" className="button button-primary" isDisabled={mint.isPending}>
                  Create token
                </Button>
              </div>
            </Form>
          )
        }
      </ModalDialog>
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          isOpen
          onOpenChange={(open) => !open && setRevoking(null)}
          confirmLabel="Revoke token"
          isPending={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking.id)}
        >
          <p>Whatever uses it stops working at once.</p>
          {revoke.isError && <ErrorNotice error={revoke.error} action="Revoking" />}
        </ConfirmDialog>
      )}
    </section>
  );
}

/** Super admins: service accounts (pipelines, services) and their tokens. */
export default function ServiceAccounts() {
  usePageTitle('Service accounts');
  const queryClient = useQueryClient();
  const accounts = useQuery({
    queryKey: ['users', 'service-accounts'],
    queryFn: () =>
      answer<Page<User & { scopes?: string[] }>>(api.GET('/api/v1/users', { params: { query: { serviceAccount: 'true', limit: 500 } } })),
  });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['view']);
  const create = useMutation({
    mutationFn: () => answer(api.POST('/api/v1/service-accounts', { body: { name, scopes } })),
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  return (
    <>
      <h1>Service accounts</h1>
      <section className="card" aria-labelledby="sa-create">
        <h2 id="sa-create">New service account</h2>
        <Form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <TextInput label="Name" isRequired value={name} onChange={setName} />
          <ScopePicker value={scopes} onChange={setScopes} />
          {create.isError && <ErrorNotice error={create.error} action="Creating the service account" />}
          <div>
            <Button type="submit" className="button button-primary" isDisabled={create.isPending}>
              Create service account
            </Button>
          </div>
        </Form>
      </section>
      <QueryView query={accounts} what="service accounts" isEmpty={(page) => page.items.length === 0} empty="No service account yet.">
        {(page) => page.items.map((account) => <AccountTokens key={account.id} account={account} />)}
      </QueryView>
    </>
  );
}
