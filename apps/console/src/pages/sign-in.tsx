import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Disclosure, DisclosurePanel, Form, Heading } from 'react-aria-components';
import { adminToken, answer, api } from '../api/client';
import { TextInput } from '../ui/fields';
import { ErrorNotice } from '../ui/states';
import { usePageTitle } from '../app/page-title';

/**
 * The login of CONTRACT section 4: the browser goes to the identity provider and comes back to
 * this very page (a path of Tessera's own, so no app needs registering) with the session cookie.
 */
export function SignIn({ reason, onSignedIn }: { reason: 'ended' | 'left' | null; onSignedIn: () => void }) {
  usePageTitle('Sign in');
  const back = `${window.location.pathname}${window.location.search}`;
  const [adminKey, setAdminKey] = useState('');
  const withKey = useMutation({
    mutationFn: () => answer<{ token: string }>(api.POST('/api/v1/admin/tokens', { body: { adminKey } })),
    onSuccess: ({ token }) => {
      adminToken.set(token);
      onSignedIn();
    },
  });
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1>Tessera</h1>
        <p className="lead">Sign in to manage your tokens, datasets and terms of service.</p>
        {reason === 'ended' && (
          <p className="notice notice-info" role="status">
            Your session ended. Sign in again to continue where you were.
          </p>
        )}
        {reason === 'left' && (
          <p className="notice notice-info" role="status">
            You signed out.
          </p>
        )}
        <a className="button button-primary button-large" href={`/auth/login?redirect=${encodeURIComponent(back)}`}>
          Sign in
        </a>
        <Disclosure className="disclosure">
          <Heading level={2} className="disclosure-heading">
            <Button slot="trigger" className="disclosure-trigger">
              Operators: sign in with the admin key
            </Button>
          </Heading>
          <DisclosurePanel className="disclosure-panel">
            <Form
              onSubmit={(event) => {
                event.preventDefault();
                withKey.mutate();
              }}
            >
              <TextInput
                label="Admin key"
                type="password"
                isRequired
                value={adminKey}
                onChange={setAdminKey}
                description="TESSERA_ADMIN_KEY: gives a super-admin session of 15 minutes in this tab only."
              />
              {withKey.isError && <ErrorNotice error={withKey.error} action="Signing in" />}
              <Button type="submit" className="button" isDisabled={withKey.isPending}>
                Sign in as administrator
              </Button>
            </Form>
          </DisclosurePanel>
        </Disclosure>
      </div>
    </main>
  );
}
