import { TesseraError, type AffiliationCreated, type UserAffiliated } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';
import { notFound } from '../../callers/policy-access';

/** The events of an affiliation stream (`affiliation-<id>`). */
export type AffiliationEvent = AffiliationCreated | UserAffiliated;

/** An institution as its stream (`affiliation-<id>`) leaves it, with its users' affiliations (start, optional end). */
export type AffiliationState =
  | { status: 'unknown' }
  | {
      status: 'created';
      affiliationId: string;
      name: string;
      members: ReadonlyMap<string, { start: string; end: string | null }>;
    };

export type CreateAffiliation = Command<'CreateAffiliation', AffiliationCreated['data']>;
/**
 * Sets a user's affiliation, dates as the caller gave them. `userActive`: the identity app
 * registered the user and did not deactivate it (read from the decision index).
 */
export type AffiliateUser = Command<
  'AffiliateUser',
  { affiliationId: string; userId: string; start: unknown; end?: unknown; userActive: boolean }
>;
export type AffiliationCommand = CreateAffiliation | AffiliateUser;

function badDate(field: 'start' | 'end', problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

export function decide(command: AffiliationCommand, state: AffiliationState): AffiliationEvent[] | TesseraError {
  switch (command.type) {
    case 'CreateAffiliation':
      if (state.status !== 'unknown') return new TesseraError('conflict', `affiliation ${command.data.affiliationId} exists`);
      return [{ type: 'AffiliationCreated', data: command.data }];
    case 'AffiliateUser': {
      if (state.status === 'unknown') return notFound('affiliation');
      const { userId, userActive } = command.data;
      if (!userActive) return notFound('user');
      const start = Date.parse(command.data.start as string);
      const end = command.data.end ? Date.parse(command.data.end as string) : null;
      if (Number.isNaN(start)) return badDate('start', 'must be a date');
      if (end !== null && (Number.isNaN(end) || end < start)) return badDate('end', 'must be a date not before start');
      const data = {
        affiliationId: state.affiliationId,
        userId,
        start: new Date(start).toISOString(),
        end: end === null ? null : new Date(end).toISOString(),
      };
      return [{ type: 'UserAffiliated', data }];
    }
  }
}

export function evolve(state: AffiliationState, event: AffiliationEvent): AffiliationState {
  switch (event.type) {
    case 'AffiliationCreated':
      return { status: 'created', affiliationId: event.data.affiliationId, name: event.data.name, members: new Map() };
    case 'UserAffiliated': {
      if (state.status === 'unknown') return state;
      const { userId, start, end } = event.data;
      return { ...state, members: new Map(state.members).set(userId, { start, end: end ?? null }) };
    }
  }
}

export const initialState = (): AffiliationState => ({ status: 'unknown' });

export const affiliationDecider: Decider<AffiliationState, AffiliationCommand, AffiliationEvent> = { decide, evolve, initialState };
