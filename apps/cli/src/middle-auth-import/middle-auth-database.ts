import type { Pool } from 'pg';

/** The rows of a middle_auth database that an import reads (its schema after all migrations). */
export interface MiddleAuthRows {
  users: {
    id: number;
    name: string;
    email: string;
    admin: boolean;
    pi: string;
    created: Date | null;
    parent_id: number | null;
    read_only: boolean;
    custom_name: string | null;
  }[];
  apiKeys: { id: number; user_id: number; key: string; description: string | null; created: Date | null }[];
  groups: { id: number; name: string }[];
  userGroups: { user_id: number; group_id: number; admin: boolean }[];
  datasets: { id: number; name: string; tos_id: number | null }[];
  datasetAdmins: { user_id: number; dataset_id: number }[];
  permissions: { id: number; name: string }[];
  grants: { group_id: number; dataset_id: number; permission_id: number }[];
  serviceTables: { service_name: string; table_name: string; dataset_id: number }[];
  tos: { id: number; name: string; text: string; created: Date | null; updated: Date | null }[];
  userTos: { user_id: number; tos_id: number; created: Date | null }[];
  affiliations: { id: number; name: string; contact_name: string | null; contact_email: string | null }[];
  userAffiliations: { user_id: number; affiliation_id: number; start: Date | null; end: Date | null }[];
  apps: { id: number; url: string }[];
  /** `cell_temp` rows with `public`: root ids as decimal strings (bigint). */
  publicRoots: { table_id: string; root_id: string }[];
}

/** Reads every table an import needs, in id order, from the source database's `public` schema (times: UTC, without zone). */
export async function readMiddleAuth(pool: Pool): Promise<MiddleAuthRows> {
  const rows = async <T>(sql: string): Promise<T[]> => (await pool.query(sql)).rows as T[];
  return {
    users: await rows(
      `SELECT u.id, u.name, u.email, u.admin, u.pi, u.created AT TIME ZONE 'UTC' AS created, u.parent_id, u.read_only,
              CASE WHEN c.active THEN c.name END AS custom_name
         FROM "user" u LEFT JOIN user_custom_name c ON c.user_id = u.id
        ORDER BY u.parent_id IS NOT NULL, u.id`,
    ),
    apiKeys: await rows(`SELECT id, user_id, key, description, created AT TIME ZONE 'UTC' AS created FROM api_key ORDER BY id`),
    groups: await rows('SELECT id, name FROM "group" ORDER BY id'),
    userGroups: await rows('SELECT user_id, group_id, admin FROM user_group ORDER BY id'),
    datasets: await rows('SELECT id, name, tos_id FROM dataset ORDER BY id'),
    datasetAdmins: await rows('SELECT user_id, dataset_id FROM dataset_admin ORDER BY id'),
    permissions: await rows('SELECT id, name FROM permission ORDER BY id'),
    grants: await rows('SELECT group_id, dataset_id, permission_id FROM group_dataset_permission ORDER BY id'),
    serviceTables: await rows('SELECT service_name, table_name, dataset_id FROM service_table ORDER BY id'),
    tos: await rows(
      `SELECT id, name, text, created AT TIME ZONE 'UTC' AS created, updated AT TIME ZONE 'UTC' AS updated FROM tos ORDER BY id`,
    ),
    userTos: await rows(`SELECT user_id, tos_id, created AT TIME ZONE 'UTC' AS created FROM user_tos ORDER BY id`),
    affiliations: await rows('SELECT id, name, contact_name, contact_email FROM affiliation ORDER BY id'),
    userAffiliations: await rows(
      `SELECT user_id, affiliation_id, start AT TIME ZONE 'UTC' AS start, "end" AT TIME ZONE 'UTC' AS "end" FROM user_affiliation ORDER BY id`,
    ),
    apps: await rows('SELECT id, url FROM app ORDER BY id'),
    publicRoots: await rows('SELECT table_id, root_id::text AS root_id FROM cell_temp WHERE public ORDER BY table_id, root_id'),
  };
}
