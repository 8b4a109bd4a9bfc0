/**
 * Internal subjects the gateway uses to forward the policy REST endpoints to the policy app.
 * Their requests carry the caller's resolved principal, so only the gateway may publish on them
 * (restrict `tessera.v1.policy.admin.>` to the gateway's NATS user in production).
 */
export const POLICY_ADMIN_SUBJECTS = {
  createGroup: 'tessera.v1.policy.admin.create-group',
  listGroups: 'tessera.v1.policy.admin.list-groups',
  getGroup: 'tessera.v1.policy.admin.get-group',
  deleteGroup: 'tessera.v1.policy.admin.delete-group',
  putMember: 'tessera.v1.policy.admin.put-member',
  removeMember: 'tessera.v1.policy.admin.remove-member',
  createDataset: 'tessera.v1.policy.admin.create-dataset',
  listDatasets: 'tessera.v1.policy.admin.list-datasets',
  getDataset: 'tessera.v1.policy.admin.get-dataset',
  updateDataset: 'tessera.v1.policy.admin.update-dataset',
  deleteDataset: 'tessera.v1.policy.admin.delete-dataset',
  putDatasetAdmin: 'tessera.v1.policy.admin.put-dataset-admin',
  removeDatasetAdmin: 'tessera.v1.policy.admin.remove-dataset-admin',
  listPermissions: 'tessera.v1.policy.admin.list-permissions',
  registerPermission: 'tessera.v1.policy.admin.register-permission',
  putGrant: 'tessera.v1.policy.admin.put-grant',
  revokeGrant: 'tessera.v1.policy.admin.revoke-grant',
  listGrants: 'tessera.v1.policy.admin.list-grants',
  putServiceTable: 'tessera.v1.policy.admin.put-servicetable',
  getServiceTable: 'tessera.v1.policy.admin.get-servicetable',
  deleteServiceTable: 'tessera.v1.policy.admin.delete-servicetable',
  listServiceTables: 'tessera.v1.policy.admin.list-servicetables',
  publishTos: 'tessera.v1.policy.admin.publish-tos',
  listTos: 'tessera.v1.policy.admin.list-tos',
  acceptTos: 'tessera.v1.policy.admin.accept-tos',
  createAffiliation: 'tessera.v1.policy.admin.create-affiliation',
  putUserAffiliation: 'tessera.v1.policy.admin.put-user-affiliation',
  listUserAffiliations: 'tessera.v1.policy.admin.list-user-affiliations',
  listAffiliations: 'tessera.v1.policy.admin.list-affiliations',
  myPermissions: 'tessera.v1.policy.admin.my-permissions',
  myDatasets: 'tessera.v1.policy.admin.my-datasets',
  datasetUsers: 'tessera.v1.policy.admin.dataset-users',
} as const;

export type PolicyAdminSubject = (typeof POLICY_ADMIN_SUBJECTS)[keyof typeof POLICY_ADMIN_SUBJECTS];
