import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { EventCategory, TesseraEvent } from '@tessera/contracts';
import { appendToStream, type RecordedEvent } from '@tessera/event-store';
import { hashToken, legacyTokenHint } from '@tessera/token-index';
import { IDENTITY_READ_MODELS } from '../../../identity/src/read-models/identity-read-models';
import { passUserNumbers } from '../../../identity/src/users/users.projection';
import { POLICY_READ_MODELS } from '../../../policy/src/read-models/policy-names.projection';
import type { MiddleAuthRows } from './middle-auth-database';

/** What an import writes, kind by kind; the summary counts each. */
export const IMPORT_KINDS = [
  'permissions',
  'users',
  'serviceAccounts',
  'groups',
  'members',
  'datasets',
  'datasetAdmins',
  'grants',
  'serviceTables',
  'tos',
  'tosAcceptances',
  'affiliations',
  'userAffiliations',
  'apps',
  'publicRoots',
  'apiKeys',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type ImportSummary = Record<ImportKind, { imported: number; skipped: number }>;

/** One source row's events, written in one transaction: the unit of resuming. */
interface ImportStep {
  kind: ImportKind;
  /** Stable name of the source row (`middle_auth:user:12`), kept in the events' metadata. */
  key: string;
  category: EventCategory;
  streamId: string;
  events: { type: TesseraEvent['type']; data: object }[];
  /** The row's own time in middle_auth, kept as the events' recorded time. */
  at?: Date | null;
}

const ACTOR = 'import:middle_auth';
const BUILT_IN = new Set(['view', 'edit', 'admin_view']);
/** Public roots per event: a few hundred kilobytes of JSON at most. */
const ROOTS_PER_EVENT = 5_000;
const USER_TOKEN_SCOPES = ['*', 'admin', 'tokens'];
const SERVICE_SCOPES = ['*'];

/** A UUID that is always the same for the same middle_auth row, so a second run finds what the first wrote. */
export function importedId(kind: string, id: string | number): string {
  const hex = createHash('sha256').update(`tessera:middle_auth:${kind}:${id}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The events of a middle_auth database, in the order they depend on each other. */
export function planImport(rows: MiddleAuthRows): { steps: ImportStep[]; dangling: Partial<Record<ImportKind, number>> } {
  const steps: ImportStep[] = [];
  const dangling: Partial<Record<ImportKind, number>> = {};
  const skip = (kind: ImportKind) => (dangling[kind] = (dangling[kind] ?? 0) + 1);
  const userIds = new Set(rows.users.map((user) => user.id));
  const groupIds = new Set(rows.groups.map((group) => group.id));
  const datasetIds = new Set(rows.datasets.map((dataset) => dataset.id));
  const permissionNames = new Map(rows.permissions.map((permission) => [permission.id, permission.name]));
  const tosById = new Map(rows.tos.map((tos) => [tos.id, tos]));
  const affiliationIds = new Set(rows.affiliations.map((affiliation) => affiliation.id));
  const user = (id: number) => importedId('user', id);
  const group = (id: number) => importedId('group', id);
  const dataset = (id: number) => importedId('dataset', id);
  const tosOf = (tosId: number, datasetId: number) => importedId('tos', `${tosId}:${datasetId}`);

  for (const permission of rows.permissions) {
    if (BUILT_IN.has(permission.name)) continue;
    steps.push({
      kind: 'permissions',
      key: `middle_auth:permission:${permission.id}`,
      category: 'policy',
      streamId: `permission-${permission.name}`,
      events: [{ type: 'PermissionRegistered', data: { name: permission.name } }],
    });
  }
  const serviceAccountNames = new Set<string>();
  for (const row of rows.users) {
    const name = row.custom_name ?? row.name;
    if (row.parent_id === null) {
      steps.push({
        kind: 'users',
        key: `middle_auth:user:${row.id}`,
        category: 'identity',
        streamId: `user-${user(row.id)}`,
        at: row.created,
        events: [
          {
            type: 'UserRegistered',
            data: {
              userId: user(row.id),
              name,
              email: row.email,
              admin: row.admin,
              readOnly: row.read_only,
              issuer: null,
              subject: null,
              number: row.id,
            },
          },
        ],
      });
    } else {
      // Service-account names are unique in Tessera; middle_auth did not insist.
      const unique = serviceAccountNames.has(name) ? `${name} (${row.id})` : name;
      serviceAccountNames.add(unique);
      steps.push({
        kind: 'serviceAccounts',
        key: `middle_auth:user:${row.id}`,
        category: 'identity',
        streamId: `user-${user(row.id)}`,
        at: row.created,
        events: [
          {
            type: 'ServiceAccountCreated',
            data: {
              userId: user(row.id),
              name: unique,
              scopes: SERVICE_SCOPES,
              number: row.id,
              parentId: userIds.has(row.parent_id) ? user(row.parent_id) : null,
            },
          },
        ],
      });
    }
  }
  for (const row of rows.groups) {
    steps.push({
      kind: 'groups',
      key: `middle_auth:group:${row.id}`,
      category: 'policy',
      streamId: `group-${group(row.id)}`,
      events: [{ type: 'GroupCreated', data: { groupId: group(row.id), name: row.name } }],
    });
  }
  for (const row of rows.userGroups) {
    if (!userIds.has(row.user_id) || !groupIds.has(row.group_id)) {
      skip('members');
      continue;
    }
    steps.push({
      kind: 'members',
      key: `middle_auth:user_group:${row.user_id}:${row.group_id}`,
      category: 'policy',
      streamId: `group-${group(row.group_id)}`,
      events: [{ type: 'GroupMemberAdded', data: { groupId: group(row.group_id), userId: user(row.user_id), admin: row.admin } }],
    });
  }
  for (const row of rows.datasets) {
    steps.push({
      kind: 'datasets',
      key: `middle_auth:dataset:${row.id}`,
      category: 'policy',
      streamId: `dataset-${dataset(row.id)}`,
      events: [{ type: 'DatasetCreated', data: { datasetId: dataset(row.id), name: row.name, description: null } }],
    });
    const tos = row.tos_id === null ? undefined : tosById.get(row.tos_id);
    if (tos) {
      // No versions in middle_auth: its current text becomes the first version of each dataset that points at it.
      steps.push({
        kind: 'tos',
        key: `middle_auth:tos:${tos.id}:${row.id}`,
        category: 'policy',
        streamId: `dataset-${dataset(row.id)}`,
        at: tos.updated ?? tos.created,
        events: [
          {
            type: 'TosPublished',
            data: { tosId: tosOf(tos.id, row.id), datasetId: dataset(row.id), version: 1, title: tos.name, text: tos.text },
          },
        ],
      });
    }
  }
  for (const row of rows.datasetAdmins) {
    if (!userIds.has(row.user_id) || !datasetIds.has(row.dataset_id)) {
      skip('datasetAdmins');
      continue;
    }
    steps.push({
      kind: 'datasetAdmins',
      key: `middle_auth:dataset_admin:${row.user_id}:${row.dataset_id}`,
      category: 'policy',
      streamId: `dataset-${dataset(row.dataset_id)}`,
      events: [{ type: 'DatasetAdminAdded', data: { datasetId: dataset(row.dataset_id), userId: user(row.user_id) } }],
    });
  }
  for (const row of rows.grants) {
    const permission = permissionNames.get(row.permission_id);
    if (!permission || !groupIds.has(row.group_id) || !datasetIds.has(row.dataset_id)) {
      skip('grants');
      continue;
    }
    steps.push({
      kind: 'grants',
      key: `middle_auth:grant:${row.group_id}:${row.dataset_id}:${row.permission_id}`,
      category: 'policy',
      streamId: `dataset-${dataset(row.dataset_id)}`,
      events: [
        {
          type: 'PermissionGranted',
          data: { datasetId: dataset(row.dataset_id), groupId: group(row.group_id), permission, expiresAt: null },
        },
      ],
    });
  }
  for (const row of rows.serviceTables) {
    if (!datasetIds.has(row.dataset_id)) {
      skip('serviceTables');
      continue;
    }
    steps.push({
      kind: 'serviceTables',
      key: `middle_auth:service_table:${row.service_name}/${row.table_name}`,
      category: 'policy',
      streamId: `servicetable-${row.service_name}/${row.table_name}`,
      events: [
        { type: 'ServiceTableMapped', data: { service: row.service_name, table: row.table_name, datasetId: dataset(row.dataset_id) } },
      ],
    });
  }
  const datasetsOfTos = new Map<number, number[]>();
  for (const row of rows.datasets)
    if (row.tos_id !== null) datasetsOfTos.set(row.tos_id, [...(datasetsOfTos.get(row.tos_id) ?? []), row.id]);
  for (const row of rows.userTos) {
    const datasets = datasetsOfTos.get(row.tos_id) ?? [];
    if (!userIds.has(row.user_id) || datasets.length === 0) {
      skip('tosAcceptances');
      continue;
    }
    for (const datasetId of datasets) {
      const tosId = tosOf(row.tos_id, datasetId);
      steps.push({
        kind: 'tosAcceptances',
        key: `middle_auth:user_tos:${row.user_id}:${row.tos_id}:${datasetId}`,
        category: 'policy',
        streamId: `tos-${tosId}`,
        at: row.created,
        events: [{ type: 'TosAccepted', data: { tosId, datasetId: dataset(datasetId), userId: user(row.user_id) } }],
      });
    }
  }
  for (const row of rows.affiliations) {
    const affiliationId = importedId('affiliation', row.id);
    steps.push({
      kind: 'affiliations',
      key: `middle_auth:affiliation:${row.id}`,
      category: 'policy',
      streamId: `affiliation-${affiliationId}`,
      events: [
        {
          type: 'AffiliationCreated',
          data: { affiliationId, name: row.name, contactName: row.contact_name, contactEmail: row.contact_email },
        },
      ],
    });
  }
  for (const row of rows.userAffiliations) {
    if (!userIds.has(row.user_id) || !affiliationIds.has(row.affiliation_id)) {
      skip('userAffiliations');
      continue;
    }
    const affiliationId = importedId('affiliation', row.affiliation_id);
    steps.push({
      kind: 'userAffiliations',
      key: `middle_auth:user_affiliation:${row.user_id}:${row.affiliation_id}`,
      category: 'policy',
      streamId: `affiliation-${affiliationId}`,
      at: row.start,
      events: [
        {
          type: 'UserAffiliated',
          data: {
            affiliationId,
            userId: user(row.user_id),
            start: (row.start ?? new Date(0)).toISOString(),
            end: row.end ? row.end.toISOString() : null,
          },
        },
      ],
    });
  }
  for (const row of rows.apps) {
    const appId = importedId('app', row.id);
    steps.push({
      kind: 'apps',
      key: `middle_auth:app:${row.id}`,
      category: 'identity',
      streamId: `app-${appId}`,
      events: [{ type: 'TrustedAppRegistered', data: { appId, url: row.url } }],
    });
  }
  const rootsByTable = new Map<string, string[]>();
  for (const row of rows.publicRoots) rootsByTable.set(row.table_id, [...(rootsByTable.get(row.table_id) ?? []), row.root_id]);
  for (const [table, roots] of rootsByTable) {
    for (let start = 0; start < roots.length; start += ROOTS_PER_EVENT) {
      const chunk = roots.slice(start, start + ROOTS_PER_EVENT);
      steps.push({
        kind: 'publicRoots',
        key: `middle_auth:cell_temp:${table}:${chunk[0]}:${chunk[chunk.length - 1]}`,
        category: 'policy',
        streamId: `public-roots-${table}`,
        events: [{ type: 'PublicRootsMarked', data: { table, roots: chunk } }],
      });
    }
  }
  const serviceAccounts = new Set(rows.users.filter((row) => row.parent_id !== null).map((row) => row.id));
  for (const row of rows.apiKeys) {
    if (!userIds.has(row.user_id)) {
      skip('apiKeys');
      continue;
    }
    const tokenId = importedId('api_key', row.id);
    const created = row.created ?? new Date();
    steps.push({
      kind: 'apiKeys',
      key: `middle_auth:api_key:${row.id}`,
      category: 'token',
      streamId: `token-${tokenId}`,
      at: row.created,
      events: [
        {
          type: 'TokenMinted',
          data: {
            tokenId,
            // Only the SHA-256 of the key is kept, as for every token (CONTRACT section 3).
            tokenHash: hashToken(row.key),
            kind: 'personal',
            ownerId: user(row.user_id),
            name: row.description || 'middle_auth API key',
            scopes: serviceAccounts.has(row.user_id) ? SERVICE_SCOPES : USER_TOKEN_SCOPES,
            hint: legacyTokenHint(row.key),
            createdAt: created.toISOString(),
            expiresAt: null,
          },
        },
      ],
    });
  }
  return { steps, dangling };
}

/** The owning app's read models change with the log, as when the app itself writes. */
async function project(client: PoolClient, category: EventCategory, events: RecordedEvent<TesseraEvent>[]): Promise<void> {
  if (category === 'identity') await IDENTITY_READ_MODELS.project(client, events, 'identity');
  if (category === 'policy') await POLICY_READ_MODELS.project(client, events, 'policy');
}

/**
 * Writes the plan into Tessera's log: each source row in a transaction of its own, marked with its
 * key, so an interrupted import resumes where it stopped and a second run writes nothing.
 */
export async function runImport(
  tessera: Pool,
  rows: MiddleAuthRows,
  onProgress: (done: number, total: number, kind: ImportKind) => void = () => undefined,
): Promise<ImportSummary> {
  const ready = await tessera.query(`SELECT to_regclass('identity.users') AS users, to_regclass('event_store.events') AS events`);
  if (!ready.rows[0].users || !ready.rows[0].events) {
    throw new Error('the Tessera database has no schema yet: start Tessera once (npm start applies the migrations), then import');
  }
  const { steps, dangling } = planImport(rows);
  const done = new Set(
    (
      await tessera.query<{ key: string }>(`SELECT metadata->>'importKey' AS key FROM event_store.events WHERE metadata ? 'importKey'`)
    ).rows.map((row) => row.key),
  );
  const summary = Object.fromEntries(IMPORT_KINDS.map((kind) => [kind, { imported: 0, skipped: dangling[kind] ?? 0 }])) as ImportSummary;
  let index = 0;
  for (const step of steps) {
    index += 1;
    if (done.has(step.key)) {
      summary[step.kind].skipped += 1;
    } else {
      // Any stream version ('any'): the import is these streams' only writer (it runs before services
      // point at Tessera), and each step's key, not a version, keeps a second run from writing again.
      await appendToStream<TesseraEvent>(
        tessera,
        { streamId: step.streamId, events: step.events as TesseraEvent[] },
        {
          metadata: { actor: ACTOR, importKey: step.key },
          ...(step.at ? { recordedAt: step.at } : {}),
          project: (client, events) => project(client, step.category, events),
        },
      );
      summary[step.kind].imported += 1;
    }
    onProgress(index, steps.length, step.kind);
  }
  // New users take numbers after the imported ones.
  await passUserNumbers(tessera);
  return summary;
}
