import { deciderSpecification } from '@tessera/testing';
import {
  firstAcceptance,
  initialState,
  evolve,
  tosAcceptanceDecider,
  type AcceptTos,
  type RecordedAcceptance,
} from './tos-acceptance.decider';

const given = deciderSpecification(tosAcceptanceDecider);
const tosId = '3f9c2a1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b';
const datasetId = '9a4e7c1d-2b3f-4a5e-8c6d-7e8f9a0b1c2d';
const accept = (userId: string | undefined): AcceptTos => ({ type: 'AcceptTos', data: { tosId, userId, published: { datasetId } } });
/** The same version, had no dataset published it. */
const acceptUnpublished = (userId: string): AcceptTos => ({ type: 'AcceptTos', data: { tosId, userId, published: undefined } });
const accepted = (userId: string, position: number): RecordedAcceptance => ({
  type: 'TosAccepted',
  data: { tosId, datasetId, userId },
  position,
});

describe('terms-of-service acceptance decider', () => {
  it("records a user's first acceptance of a published version", () => {
    given([])
      .when(accept('ann'))
      .then([{ type: 'TosAccepted', data: { tosId, datasetId, userId: 'ann' } }]);
    given([accepted('bob', 7)])
      .when(accept('ann'))
      .then([{ type: 'TosAccepted', data: { tosId, datasetId, userId: 'ann' } }]);
  });

  it('records nothing when the user accepts again', () => {
    given([accepted('ann', 7)])
      .when(accept('ann'))
      .thenNothing();
    given([accepted('ann', 7), accepted('bob', 9)])
      .when(accept('ann'))
      .thenNothing();
  });

  it('refuses a caller that is no user, and a version no dataset published', () => {
    given([]).when(accept(undefined)).thenFails('bad_request', 'only a user can accept terms of service');
    given([]).when(acceptUnpublished('ann')).thenFails('not_found', 'terms of service not found');
    // A version is published or not whoever accepted it before.
    given([accepted('ann', 7)])
      .when(acceptUnpublished('ann'))
      .thenFails('not_found');
  });

  it("keeps each user's first acceptance and where it landed, the answer to every later one", () => {
    // A stream holding a user's acceptance twice (an append without a version check could) answers with the first.
    const state = [accepted('ann', 7), accepted('bob', 9), accepted('ann', 12)].reduce(evolve, initialState());
    expect(firstAcceptance(state, 'ann')).toEqual(accepted('ann', 7));
    expect(firstAcceptance(state, 'bob')?.position).toBe(9);
    expect(firstAcceptance(state, 'cat')).toBeUndefined();
  });
});
