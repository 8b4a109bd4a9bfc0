import { PERMISSION_NAME_PATTERN, TesseraError, type DatasetEvent, type DatasetUpdated } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';
import { adminRefusal, notFound, type Actor } from '../../callers/policy-access';

/**
 * A dataset as its stream (`dataset-<id>`) leaves it: its admins, the groups holding each
 * permission on it (expired grants included: an expiry needs no event), and its current TOS version.
 */
export type DatasetState = { status: 'unknown' } | KnownDataset;

interface KnownDataset {
  status: 'active' | 'deleted';
  datasetId: string;
  name: string;
  description: string | null;
  admins: ReadonlySet<string>;
  /** permission → ids of the groups holding it. */
  grants: ReadonlyMap<string, ReadonlySet<string>>;
  /** The current terms-of-service version; 0 before the first. */
  tosVersion: number;
}

export type CreateDataset = Command<'CreateDataset', { datasetId: string; name: string; description: string | null }>;
/** `name` is recorded when it changes, `description` whenever it is given. */
export type UpdateDataset = Command<'UpdateDataset', { datasetId: string; name?: string; description?: string | null }>;
export type DeleteDataset = Command<'DeleteDataset', { datasetId: string }>;
/** `userActive`: the identity app registered the user and did not deactivate it (read from the decision index). */
export type AddDatasetAdmin = Command<'AddDatasetAdmin', { datasetId: string; userId: string; userActive: boolean }>;
export type RemoveDatasetAdmin = Command<'RemoveDatasetAdmin', { datasetId: string; userId: string }>;
/**
 * What a grant names, as the caller gave it. `groupKnown` and `permissionKnown` are read from the
 * decision index: the group exists (not deleted), the permission is in the registry.
 */
type GrantTarget = {
  datasetId: string;
  groupId: string;
  permission: unknown;
  actor: Actor;
  groupKnown: boolean;
  permissionKnown: boolean;
};
/** Sets a grant or changes its expiry; `expiresAt` must lie after `now` (ms since epoch). */
export type GrantPermission = Command<'GrantPermission', GrantTarget & { expiresAt?: string | null; now: number }>;
export type RevokePermission = Command<'RevokePermission', GrantTarget>;
/** A new version of the dataset's terms: users holding permissions must accept it before they use them again. */
export type PublishTos = Command<'PublishTos', { datasetId: string; tosId: string; title: string; text: string; actor: Actor }>;

export type DatasetCommand =
  CreateDataset | UpdateDataset | DeleteDataset | AddDatasetAdmin | RemoveDatasetAdmin | GrantPermission | RevokePermission | PublishTos;

function badField(field: string, problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

/** The checks every grant command passes, in the order callers see their refusals. */
function refuseGrant(target: GrantTarget, state: DatasetState): TesseraError | KnownDataset {
  if (typeof target.permission !== 'string' || !PERMISSION_NAME_PATTERN.test(target.permission)) {
    return badField('permission', 'must be lowercase words joined by underscores');
  }
  if (state.status !== 'active') return notFound('dataset');
  const refused = adminRefusal(target.actor, (userId) => state.admins.has(userId), 'dataset');
  if (refused) return refused;
  if (!target.groupKnown) return notFound('group');
  if (!target.permissionKnown) return notFound(`permission ${target.permission}`);
  return state;
}

export function decide(command: DatasetCommand, state: DatasetState): DatasetEvent[] | TesseraError {
  switch (command.type) {
    case 'CreateDataset':
      if (state.status !== 'unknown') return new TesseraError('conflict', `dataset ${command.data.datasetId} exists`);
      return [{ type: 'DatasetCreated', data: command.data }];
    case 'GrantPermission': {
      const dataset = refuseGrant(command.data, state);
      if (dataset instanceof TesseraError) return dataset;
      const { groupId, permission, expiresAt, now } = command.data;
      let end: string | null = null;
      if (expiresAt !== undefined && expiresAt !== null) {
        const time = Date.parse(expiresAt);
        if (Number.isNaN(time) || time <= now) return badField('expiresAt', 'must be a time in the future');
        end = new Date(time).toISOString();
      }
      return [
        { type: 'PermissionGranted', data: { datasetId: dataset.datasetId, groupId, permission: String(permission), expiresAt: end } },
      ];
    }
    case 'RevokePermission': {
      const dataset = refuseGrant(command.data, state);
      if (dataset instanceof TesseraError) return dataset;
      const { groupId } = command.data;
      const permission = String(command.data.permission);
      if (!dataset.grants.get(permission)?.has(groupId)) return notFound('grant');
      return [{ type: 'PermissionRevoked', data: { datasetId: dataset.datasetId, groupId, permission } }];
    }
  }
  if (state.status !== 'active') return notFound('dataset');
  const { datasetId } = state;
  switch (command.type) {
    case 'UpdateDataset': {
      const { name, description } = command.data;
      const data: DatasetUpdated['data'] = { datasetId };
      if (name !== undefined && name !== state.name) data.name = name;
      if (description !== undefined) data.description = description;
      return [{ type: 'DatasetUpdated', data }];
    }
    case 'DeleteDataset':
      return [{ type: 'DatasetDeleted', data: { datasetId } }];
    case 'AddDatasetAdmin':
      if (!command.data.userActive) return notFound('user');
      return [{ type: 'DatasetAdminAdded', data: { datasetId, userId: command.data.userId } }];
    case 'RemoveDatasetAdmin':
      if (!state.admins.has(command.data.userId)) return notFound('dataset admin');
      return [{ type: 'DatasetAdminRemoved', data: { datasetId, userId: command.data.userId } }];
    case 'PublishTos': {
      const { tosId, title, text, actor } = command.data;
      const refused = adminRefusal(actor, (userId) => state.admins.has(userId), 'dataset');
      if (refused) return refused;
      return [{ type: 'TosPublished', data: { tosId, datasetId, version: state.tosVersion + 1, title, text } }];
    }
  }
}

export function evolve(state: DatasetState, event: DatasetEvent): DatasetState {
  if (event.type === 'DatasetCreated') {
    const { datasetId, name, description } = event.data;
    return { status: 'active', datasetId, name, description: description ?? null, admins: new Set(), grants: new Map(), tosVersion: 0 };
  }
  if (state.status === 'unknown') return state;
  switch (event.type) {
    case 'DatasetUpdated': {
      const { name, description } = event.data;
      return { ...state, name: name ?? state.name, description: description === undefined ? state.description : description };
    }
    case 'DatasetDeleted':
      return { ...state, status: 'deleted' };
    case 'DatasetAdminAdded':
      return { ...state, admins: new Set(state.admins).add(event.data.userId) };
    case 'DatasetAdminRemoved': {
      const admins = new Set(state.admins);
      admins.delete(event.data.userId);
      return { ...state, admins };
    }
    case 'PermissionGranted': {
      const { permission, groupId } = event.data;
      return { ...state, grants: new Map(state.grants).set(permission, new Set(state.grants.get(permission)).add(groupId)) };
    }
    case 'PermissionRevoked': {
      const { permission, groupId } = event.data;
      const holders = new Set(state.grants.get(permission));
      holders.delete(groupId);
      return { ...state, grants: new Map(state.grants).set(permission, holders) };
    }
    case 'TosPublished':
      return { ...state, tosVersion: event.data.version };
  }
}

export const initialState = (): DatasetState => ({ status: 'unknown' });

export const datasetDecider: Decider<DatasetState, DatasetCommand, DatasetEvent> = { decide, evolve, initialState };
