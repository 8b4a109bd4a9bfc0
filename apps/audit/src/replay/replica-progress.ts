import type { ReplayJobStatus, ReplayReplicaProgress } from '@tessera/contracts';

export interface JobOutcome {
  status: ReplayJobStatus;
  position: number;
  target: number;
  matchesLive: boolean | null;
  failure: string | null;
}

/**
 * One job over every replica that rebuilds its own copy: running until each replica that accepted
 * it has ended (`acceptedBy` is null while the answers are still being gathered), failed if any
 * failed, and matching the live copies only if every replica's did.
 */
export function jobOutcome(replicas: ReplayReplicaProgress[], acceptedBy: number | null): JobOutcome {
  const position = replicas.length === 0 ? 0 : Math.min(...replicas.map((replica) => Number(replica.position)));
  const target = Math.max(0, ...replicas.map((replica) => Number(replica.target)));
  const ended = acceptedBy !== null && replicas.length >= acceptedBy && replicas.every((replica) => replica.status !== 'running');
  if (!ended) return { status: 'running', position, target, matchesLive: null, failure: null };
  const failed = replicas.filter((replica) => replica.status === 'failed');
  if (failed.length > 0) {
    const failure = failed.map((replica) => `replica ${replica.replica}: ${replica.failure ?? 'failed'}`).join('; ');
    return { status: 'failed', position, target, matchesLive: null, failure };
  }
  return { status: 'swapped', position, target, matchesLive: replicas.every((replica) => replica.matchesLive === true), failure: null };
}
