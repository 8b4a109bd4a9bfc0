import type { ReactNode } from 'react';
import { useMyPermissions, useRoles } from './session';
import { Loading } from '../ui/states';

const NEEDS = {
  superAdmin: 'a super administrator',
  groupAdmin: 'an administrator of a group',
  datasetAdmin: 'an administrator of a dataset',
} as const;

/** An admin page opened by someone who may not use it says so, instead of failing call by call. */
export function RequireRole({ role, page }: { role: keyof typeof NEEDS; page: ReactNode }) {
  const roles = useRoles();
  const permissions = useMyPermissions();
  if (!roles[role] && permissions.isPending) return <Loading what="your roles" />;
  if (!roles[role])
    return (
      <div className="notice notice-error" role="alert">
        <strong>You may not use this page</strong>
        <p>It is for {NEEDS[role]}. Ask a super administrator if you need it.</p>
      </div>
    );
  return <>{page}</>;
}
