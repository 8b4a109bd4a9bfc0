import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { adminToken, answer, api, ApiError, onSignedOut } from '../api/client';
import type { ConsoleConfig, Me, MyPermissions } from '../api/answers';
import { ErrorNotice, Loading } from '../ui/states';
import { SignIn } from '../pages/sign-in';

interface SessionValue {
  me: Me;
  config: ConsoleConfig;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside <Session>');
  return value;
}

/** The caller's permissions, dataset and group admin roles: they decide which pages show. */
export function useMyPermissions() {
  return useQuery({ queryKey: ['me', 'permissions'], queryFn: () => answer<MyPermissions>(api.GET('/api/v1/me/permissions')) });
}

/** Who may see an admin page: super admins, or group or dataset admins for what they administer. */
export function useRoles() {
  const { me } = useSession();
  const permissions = useMyPermissions();
  return {
    superAdmin: me.admin,
    groupAdmin: me.admin || (permissions.data?.groupsAdmin.length ?? 0) > 0,
    datasetAdmin: me.admin || (permissions.data?.datasetsAdmin.length ?? 0) > 0,
  };
}

/** Signed in: the console; signed out (or after any 401): the sign-in page, which comes back here. */
export function Session({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [signedOut, setSignedOut] = useState<'ended' | 'left' | null>(null);
  const config = useQuery({
    queryKey: ['console-config'],
    queryFn: async () => (await fetch('/console/config.json')).json() as Promise<ConsoleConfig>,
    staleTime: Infinity,
  });
  const me = useQuery({ queryKey: ['me'], queryFn: () => answer<Me>(api.GET('/api/v1/me')), retry: false, enabled: signedOut === null });
  useEffect(() => onSignedOut(() => setSignedOut((current) => current ?? 'ended')), []);

  const signIn = () => {
    queryClient.clear();
    setSignedOut(null);
  };
  if (signedOut || (me.error instanceof ApiError && me.error.status === 401)) return <SignIn reason={signedOut} onSignedIn={signIn} />;
  if (me.isPending || config.isPending) return <Loading what="your session" />;
  if (me.isError) return <ErrorNotice error={me.error} action="Loading your session" />;
  if (config.isError) return <ErrorNotice error={config.error} action="Loading the console's settings" />;

  const signOut = async () => {
    if (adminToken.get()) adminToken.set(null);
    else await api.POST('/auth/logout');
    queryClient.clear();
    setSignedOut('left');
  };
  return <SessionContext.Provider value={{ me: me.data, config: config.data, signOut }}>{children}</SessionContext.Provider>;
}
