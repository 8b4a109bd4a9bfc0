import type { TesseraEvent } from '@tessera/contracts';
import type { AccessDataset, AccessState, HeldGrant } from './access-state';

/** One grant held by one user on one dataset through one group (expiry as in `HeldGrant`). */
export interface Holding extends HeldGrant {
  userId: string;
  datasetId: string;
}

/** The holdings an event ended and began: a history of holdings is these changes, in log order. */
export interface HoldingChanges {
  ended: Holding[];
  began: Holding[];
}

/** Users × datasets whose holdings an event may change. */
interface Reach {
  users: Iterable<string>;
  datasets: Iterable<string>;
}

/**
 * Evolves the state by one event and answers which holdings it ended and began: `heldGrants`
 * before and after, over every user and dataset the event can reach. This is how the audit app
 * materialises access history, so its intervals follow the rule book, never a copy of it.
 */
export function evolveHoldings<D extends AccessDataset>(state: AccessState<D>, event: TesseraEvent): HoldingChanges {
  const reach = reachOf(state, event);
  if (!reach) {
    state.evolve(event);
    return { ended: [], began: [] };
  }
  const pairs: [string, D][] = [];
  for (const datasetId of reach.datasets) {
    const dataset = state.datasets.get(datasetId);
    if (dataset) for (const userId of reach.users) pairs.push([userId, dataset]);
  }
  const before = pairs.map(([userId, dataset]) => state.heldGrants(userId, dataset));
  state.evolve(event);
  const changes: HoldingChanges = { ended: [], began: [] };
  pairs.forEach(([userId, dataset], index) => {
    // A deleted dataset is held by no one.
    const after = state.datasets.get(dataset.id) === dataset ? state.heldGrants(userId, dataset) : [];
    const was = new Map(before[index].map((grant) => [keyOf(grant), grant]));
    for (const grant of after) {
      const previous = was.get(keyOf(grant));
      if (previous && previous.expiresAt === grant.expiresAt) was.delete(keyOf(grant));
      else changes.began.push({ userId, datasetId: dataset.id, ...grant });
    }
    for (const grant of was.values()) changes.ended.push({ userId, datasetId: dataset.id, ...grant });
  });
  return changes;
}

function keyOf(grant: HeldGrant): string {
  return `${grant.permission}\u0000${grant.groupId}`;
}

/** Read before the event applies: who and what it can move. */
function reachOf<D extends AccessDataset>(state: AccessState<D>, event: TesseraEvent): Reach | undefined {
  const datasetsOf = (userId: string) => state.datasetsOfUser(userId).map((dataset) => dataset.id);
  switch (event.type) {
    case 'UserRegistered':
    case 'ServiceAccountCreated':
    case 'UserUpdated':
    case 'UserDeactivated':
      return { users: [event.data.userId], datasets: datasetsOf(event.data.userId) };
    case 'GroupDeleted':
      return {
        users: [...(state.groups.get(event.data.groupId)?.members.keys() ?? [])],
        datasets: [...(state.groupDatasets.get(event.data.groupId)?.keys() ?? [])],
      };
    case 'GroupMemberAdded':
    case 'GroupMemberRemoved':
      return { users: [event.data.userId], datasets: [...(state.groupDatasets.get(event.data.groupId)?.keys() ?? [])] };
    case 'PermissionGranted':
    case 'PermissionRevoked':
      return { users: [...(state.groups.get(event.data.groupId)?.members.keys() ?? [])], datasets: [event.data.datasetId] };
    case 'DatasetDeleted':
    case 'TosPublished':
      return { users: state.usersOnDataset(event.data.datasetId), datasets: [event.data.datasetId] };
    case 'TosAccepted':
      return { users: [event.data.userId], datasets: [event.data.datasetId] };
    default:
      return undefined;
  }
}
