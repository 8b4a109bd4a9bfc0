import { TesseraError, type TosAccepted } from '@tessera/contracts';
import type { Command, Decider, RecordedFields } from '@tessera/event-store';
import { notFound } from '../../callers/policy-access';

/** An acceptance with its log position: a repeated acceptance answers with the first one's. */
export type RecordedAcceptance = TosAccepted & Pick<RecordedFields, 'position'>;

/** One acceptance, linked to the ones folded before it (a fold adds one without copying the rest). */
interface Acceptances {
  acceptance: RecordedAcceptance;
  earlier: Acceptances | undefined;
}

/** A TOS version's acceptances as its stream (`tos-<id>`) leaves them, the latest first. */
export interface TosAcceptanceState {
  latest: Acceptances | undefined;
}

/**
 * A user accepts a published TOS version. `userId`: the caller's user, absent for a caller that is
 * no user; `published`: the version as the decision index holds it, absent when no dataset published it.
 */
export type AcceptTos = Command<'AcceptTos', { tosId: string; userId: string | undefined; published: { datasetId: string } | undefined }>;

/** The user's first acceptance of this version, with where it landed in the log; undefined before it. */
export function firstAcceptance(state: TosAcceptanceState, userId: string): RecordedAcceptance | undefined {
  let first: RecordedAcceptance | undefined;
  for (let link = state.latest; link; link = link.earlier) {
    if (link.acceptance.data.userId === userId) first = link.acceptance;
  }
  return first;
}

export function decide(command: AcceptTos, state: TosAcceptanceState): TosAccepted[] | TesseraError {
  const { tosId, userId, published } = command.data;
  if (!userId) return new TesseraError('bad_request', 'only a user can accept terms of service');
  if (!published) return notFound('terms of service');
  // Accepting again changes nothing.
  if (firstAcceptance(state, userId)) return [];
  return [{ type: 'TosAccepted', data: { tosId, datasetId: published.datasetId, userId } }];
}

export function evolve(state: TosAcceptanceState, event: RecordedAcceptance): TosAcceptanceState {
  return { latest: { acceptance: event, earlier: state.latest } };
}

export const initialState = (): TosAcceptanceState => ({ latest: undefined });

export const tosAcceptanceDecider: Decider<TosAcceptanceState, AcceptTos, TosAccepted, RecordedAcceptance> = {
  decide,
  evolve,
  initialState,
};
