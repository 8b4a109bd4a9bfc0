/**
 * Internal subjects behind the middle_auth-compatible routes (CONTRACT section 8). The gateway
 * forwards the caller's own bearer `token` on the `admin` ones; the public-root ones need none.
 */
export const MIDDLE_AUTH_SUBJECTS = {
  /** The caller's user-cache object. */
  userCache: 'tessera.v1.policy.admin.middle-auth-user-cache',
  /** Another user's user-cache object, by user number. */
  userPermissions: 'tessera.v1.policy.admin.middle-auth-user-permissions',
  /** `[{id, name}]` by user numbers, in the order asked. */
  usernames: 'tessera.v1.policy.admin.middle-auth-usernames',
  /** The dataset name a servicetable maps to. */
  tableDataset: 'tessera.v1.policy.admin.middle-auth-table-dataset',
  /** One terms-of-service version, for the page that accepts it. */
  tos: 'tessera.v1.policy.admin.middle-auth-tos',
  /** Public roots of a table (imported from middle_auth): has any, is one, are all. */
  publicRoots: 'tessera.v1.policy.middle-auth-public-roots',
} as const;
