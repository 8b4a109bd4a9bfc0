import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, FieldError, Form, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { answer, api } from '../api/client';
import type { MintedToken, Page, TokenSummary } from '../api/answers';
import { useSession } from '../app/session';
import { usePageTitle } from '../app/page-title';
import { ConfirmDialog, ModalDialog } from '../ui/dialog';
import { TextInput } from '../ui/fields';
import { DataTable } from '../ui/table';
import { ErrorNotice, QueryView } from '../ui/states';
import { formatDate, formatTime } from '../ui/time';

/** CONTRACT section 3: scopes that are not dataset permissions. */
export const ACCOUNT_SCOPES: { name: string; description: string }[] = [
  { name: 'tokens', description: 'manage your own tokens' },
  { name: 'admin', description: 'use your administrator rights' },
  { name: 'decisions', description: 'ask about other users, look-ups' },
  { name: 'introspect', description: 'introspect tokens' },
  { name: 'credentials', description: 'fetch your provider credentials' },
  { name: 'resource-tokens', description: 'mint resource tokens' },
];

const PRESET_DAYS = [7, 30, 90];

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  return (
    <>
      <Button
        className="button"
        onPress={() =>
          navigator.clipboard.writeText(text).then(
            () => setCopied('yes'),
            () => setCopied('failed'),
          )
        }
      >
        Copy
      </Button>
      <span role="status" className="copy-status">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy: select the token and copy it by hand.' : ''}
      </span>
    </>
  );
}

/** The secret, once: after this dialog closes, nobody can see it again. */
export function NewSecret({ minted, close }: { minted: MintedToken; close: () => void }) {
  return (
    <>
      <div className="notice notice-warning" role="alert">
        <strong>Copy your token now.</strong>
        <p>You will not be able to see it again. Tessera keeps only a hash of it.</p>
      </div>
      <div className="secret-row">
        <label htmlFor="new-token-secret" className="field-label">
          Token “{minted.name}”
        </label>
        <input
          id="new-token-secret"
          className="input secret"
          readOnly
          value={minted.token}
          onFocus={(event) => event.currentTarget.select()}
        />
        <CopyButton text={minted.token} />
      </div>
      <p className="muted">
        Expires {formatTime(minted.expiresAt, 'never')}. Scopes: {minted.scopes.join(', ')}.
      </p>
      <div className="dialog-actions">
        <Button className="button button-primary" onPress={close}>
          Done
        </Button>
      </div>
    </>
  );
}

function CreateTokenForm({ onMinted, close }: { onMinted: (token: MintedToken) => void; close: () => void }) {
  const { config } = useSession();
  const registry = useQuery({
    queryKey: ['permissions'],
    queryFn: () => answer<Page<{ name: string }>>(api.GET('/api/v1/permissions')),
  });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['*']);
  const [expiry, setExpiry] = useState('30');
  const [customDate, setCustomDate] = useState('');
  const today = new Date();
  const latest = new Date(today.getTime() + config.tokenMaxDays * 86_400_000);
  const mint = useMutation({
    mutationFn: () => {
      const expires =
        expiry === 'custom' ? { expiresAt: new Date(`${customDate}T23:59:59`).toISOString() } : { expiresInDays: Number(expiry) };
      return answer<MintedToken>(api.POST('/api/v1/tokens', { body: { name: name.trim(), scopes, ...expires } }));
    },
    onSuccess: onMinted,
  });
  const presets = [...PRESET_DAYS.filter((days) => days < config.tokenMaxDays), config.tokenMaxDays];
  return (
    <Form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        mint.mutate();
      }}
    >
      <TextInput
        label="Name"
        isRequired
        autoFocus
        value={name}
        onChange={setName}
        maxLength={100}
        description="What is this token for? For example “notebook on my laptop”."
      />
      <RadioGroup className="field" value={expiry} onChange={setExpiry} isRequired>
        <Label className="field-label">Expiration</Label>
        <div className="choices">
          {presets.map((days) => (
            <Radio key={days} value={String(days)} className="choice radio">
              {days === config.tokenMaxDays ? `${days} days (the longest allowed)` : `${days} days`}
            </Radio>
          ))}
          <Radio value="custom" className="choice radio">
            Custom date
          </Radio>
        </div>
        <Text slot="description" className="field-description">
          Tokens live at most {config.tokenMaxDays} days, until {formatDate(latest.toISOString())}.
        </Text>
      </RadioGroup>
      {expiry === 'custom' && (
        <TextInput
          label="Expires on"
          type="date"
          isRequired
          value={customDate}
          onChange={setCustomDate}
          validate={(value) => {
            const at = new Date(`${value}T23:59:59`).getTime();
            if (!value || Number.isNaN(at)) return 'Pick a date.';
            if (at <= Date.now()) return 'Pick a date in the future.';
            if (at > latest.getTime()) return `Pick a date at most ${config.tokenMaxDays} days away.`;
            return null;
          }}
        />
      )}
      <CheckboxGroup
        className="field"
        value={scopes}
        onChange={setScopes}
        isRequired
        validate={(value) => (value.length === 0 ? 'Choose at least one scope.' : null)}
      >
        <Label className="field-label">Scopes</Label>
        <Text slot="description" className="field-description">
          Dataset permissions cap what the token may do with your datasets; the others let it act on your account.
        </Text>
        <fieldset className="scope-set">
          <legend>Dataset permissions</legend>
          <Checkbox value="*" className="choice checkbox">
            <code>*</code> every permission you hold
          </Checkbox>
          {registry.isError && <ErrorNotice error={registry.error} action="Loading the permission registry" />}
          {registry.data?.items.map((permission) => (
            <Checkbox key={permission.name} value={permission.name} className="choice checkbox">
              <code>{permission.name}</code>
            </Checkbox>
          ))}
        </fieldset>
        <fieldset className="scope-set">
          <legend>Account</legend>
          {ACCOUNT_SCOPES.map((scope) => (
            <Checkbox key={scope.name} value={scope.name} className="choice checkbox">
              <code>{scope.name}</code> {scope.description}
            </Checkbox>
          ))}
        </fieldset>
        <FieldError className="field-error" />
      </CheckboxGroup>
      {mint.isError && <ErrorNotice error={mint.error} action="Creating the token" />}
      <div className="dialog-actions">
        <Button className="button" onPress={close}>
          Cancel
        </Button>
        <Button type="submit" className="button button-primary" isDisabled={mint.isPending}>
          {mint.isPending ? 'Creating…' : 'Create token'}
        </Button>
      </div>
    </Form>
  );
}

function CreateTokenDialog({ onDone }: { onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [minted, setMinted] = useState<MintedToken | null>(null);
  const openChange = (next: boolean) => {
    setOpen(next);
    if (!next) {
      // The secret leaves memory with the dialog.
      setMinted(null);
      onDone();
    }
  };
  return (
    <>
      <Button className="button button-primary" onPress={() => setOpen(true)}>
        Create token
      </Button>
      <ModalDialog
        title={minted ? 'Your new token' : 'Create a personal token'}
        isOpen={open}
        onOpenChange={openChange}
        isDismissable={!minted}
      >
        {(close) => (minted ? <NewSecret minted={minted} close={close} /> : <CreateTokenForm onMinted={setMinted} close={close} />)}
      </ModalDialog>
    </>
  );
}

/** Tokens, as GitHub's token page: create (the secret shown once), list masked, revoke after asking. */
export default function Tokens() {
  usePageTitle('Tokens');
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: ['tokens'],
    queryFn: () => answer<Page<TokenSummary>>(api.GET('/api/v1/tokens', { params: { query: { limit: '500' } } })),
  });
  const [revoking, setRevoking] = useState<TokenSummary | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['tokens'] });
  const revoke = useMutation({
    mutationFn: (id: string) => answer(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setRevoking(null);
      await refresh();
    },
  });
  return (
    <>
      <div className="page-head">
        <h1>Tokens</h1>
        <CreateTokenDialog onDone={() => void refresh()} />
      </div>
      <p className="lead">
        Personal tokens let scripts and notebooks call Tessera as you: send one as <code>Authorization: Bearer &lt;token&gt;</code>.
      </p>
      <section className="card" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        <QueryView query={tokens} what="your tokens">
          {(page) => (
            <DataTable
              label="Your tokens"
              rows={page.items}
              rowId={(item) => item.id}
              empty="You have no token yet. Create one for a script or notebook."
              columns={[
                { name: 'Name', cell: (item) => item.name },
                { name: 'Kind', cell: (item) => item.kind },
                { name: 'Token', cell: (item) => <code>{item.hint}</code> },
                { name: 'Scopes', cell: (item) => item.scopes.join(', ') },
                { name: 'Created', cell: (item) => formatTime(item.createdAt) },
                { name: 'Expires', cell: (item) => formatTime(item.expiresAt, 'never') },
                { name: 'Last used', cell: (item) => formatTime(item.lastUsedAt, 'never') },
                {
                  name: 'Revoke',
                  cell: (item) => (
                    <Button
                      className="button button-small button-danger"
                      aria-label={`Revoke ${item.name}`}
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
      </section>
      {revoking && (
        <ConfirmDialog
          title={`Revoke “${revoking.name}”?`}
          isOpen
          onOpenChange={(open) => !open && (setRevoking(null), revoke.reset())}
          confirmLabel="Revoke token"
          isPending={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking.id)}
        >
          <p>
            Anything using <code>{revoking.hint}</code> stops working at once. This cannot be undone.
            {revoking.kind === 'session' && ' This is a sign-in session: if it is this one, you will be signed out.'}
          </p>
          {revoke.isError && <ErrorNotice error={revoke.error} action="Revoking" />}
        </ConfirmDialog>
      )}
    </>
  );
}
