import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { answer, api } from '../api/client';
import { usePageTitle } from '../app/page-title';
import { TextInput } from '../ui/fields';
import { ErrorNotice, Loading } from '../ui/states';
import { formatTime } from '../ui/time';
import { ACCOUNT_SCOPES } from './tokens';

interface DeviceLogin {
  userCode: string;
  clientId: string;
  scopes: string[];
  status: 'pending' | 'approved' | 'denied' | 'collected';
  expiresAt: string;
}

function describeScope(scope: string): string {
  if (scope === '*') return 'every dataset permission you hold';
  const account = ACCOUNT_SCOPES.find((known) => known.name === scope);
  return account ? account.description : `the ${scope} permission on your datasets`;
}

/** The code as the device shows it, before any request: the person types what their terminal printed. */
function CodeForm({ onCode }: { onCode: (code: string) => void }) {
  const [code, setCode] = useState('');
  return (
    <Form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        onCode(code.trim().toUpperCase());
      }}
    >
      <TextInput
        label="Code shown on your device"
        isRequired
        autoFocus
        value={code}
        onChange={setCode}
        maxLength={32}
        description="Eight letters, such as BCDF-GHJK, printed by npx tessera login."
      />
      <div className="toolbar">
        <Button type="submit" className="button button-primary">
          Continue
        </Button>
      </div>
    </Form>
  );
}

/**
 * CONTRACT section 9: `GET /device?user_code=`. A signed-in person sees which client asks with which
 * code and for which scopes, and approves (a personal token of theirs, 30 days, goes to the device)
 * or denies.
 */
export default function DeviceApproval() {
  usePageTitle('Device login');
  const [params, setParams] = useSearchParams();
  const userCode = params.get('user_code');
  const request = useQuery({
    queryKey: ['device', userCode],
    queryFn: () => answer<DeviceLogin>(api.GET('/api/v1/device', { params: { query: { user_code: userCode! } } })),
    enabled: Boolean(userCode),
    retry: false,
  });
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'deny') =>
      answer<{ revision: string }>(api.POST(`/api/v1/device/${decision}`, { body: { userCode: request.data!.userCode } })).then(
        () => decision,
      ),
  });

  return (
    <>
      <h1>Device login</h1>
      {!userCode && (
        <section className="card" aria-labelledby="device-code">
          <h2 id="device-code">Enter the code</h2>
          <CodeForm onCode={(code) => setParams({ user_code: code })} />
        </section>
      )}
      {userCode && request.isPending && <Loading what="the device login" />}
      {userCode && request.isError && (
        <>
          <ErrorNotice error={request.error} action={`Code ${userCode}`} />
          <section className="card" aria-labelledby="device-code">
            <h2 id="device-code">Try another code</h2>
            <CodeForm onCode={(code) => setParams({ user_code: code })} />
          </section>
        </>
      )}
      {request.data && (
        <section className="card" aria-labelledby="device-asks">
          <h2 id="device-asks">A device asks to sign in as you</h2>
          <dl className="facts">
            <dt>Code</dt>
            <dd>
              <code className="user-code">{request.data.userCode}</code>
            </dd>
            <dt>Client</dt>
            <dd>{request.data.clientId}</dd>
            <dt>Scopes</dt>
            <dd>
              <ul className="plain-list">
                {request.data.scopes.map((scope) => (
                  <li key={scope}>
                    <code>{scope}</code>: {describeScope(scope)}
                  </li>
                ))}
              </ul>
            </dd>
            <dt>Waits until</dt>
            <dd>{formatTime(request.data.expiresAt)}</dd>
          </dl>
          {decide.isSuccess ? (
            <div className="notice notice-info" role="status">
              <strong>{decide.data === 'approve' ? 'Approved.' : 'Denied.'}</strong>
              <p>
                {decide.data === 'approve'
                  ? 'The device receives a personal token of yours that lives 30 days; it is listed on the Tokens page, where you can revoke it.'
                  : 'The device receives nothing.'}{' '}
                You can close this page.
              </p>
            </div>
          ) : request.data.status !== 'pending' ? (
            <div className="notice" role="status">
              <strong>This request was {request.data.status} already.</strong>
            </div>
          ) : (
            <>
              <p className="notice notice-warning">
                Approve only if you started this login yourself and your device shows the same code. Nobody from Tessera will ever ask you
                for it.
              </p>
              {decide.isError && <ErrorNotice error={decide.error} action="The decision was not saved" />}
              <div className="toolbar">
                <Button className="button button-primary" isDisabled={decide.isPending} onPress={() => decide.mutate('approve')}>
                  Approve
                </Button>
                <Button className="button" isDisabled={decide.isPending} onPress={() => decide.mutate('deny')}>
                  Deny
                </Button>
              </div>
            </>
          )}
        </section>
      )}
    </>
  );
}
