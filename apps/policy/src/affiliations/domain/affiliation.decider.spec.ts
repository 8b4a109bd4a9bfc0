import { deciderSpecification } from '@tessera/testing';
import { affiliationDecider, type AffiliateUser, type AffiliationEvent } from './affiliation.decider';

const given = deciderSpecification(affiliationDecider);
const affiliationId = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b';
const created: AffiliationEvent = {
  type: 'AffiliationCreated',
  data: { affiliationId, name: 'Allen Institute', contactName: null, contactEmail: 'a@example.org' },
};
const affiliate = (data: Partial<AffiliateUser['data']>): AffiliateUser => ({
  type: 'AffiliateUser',
  data: { affiliationId, userId: 'ann', start: '2024-01-01', userActive: true, ...data },
});
const affiliated = (start: string, end: string | null): AffiliationEvent => ({
  type: 'UserAffiliated',
  data: { affiliationId, userId: 'ann', start, end },
});

describe('affiliation decider', () => {
  it('creates an affiliation once', () => {
    given([]).when({ type: 'CreateAffiliation', data: created.data }).then([created]);
    given([created]).when({ type: 'CreateAffiliation', data: created.data }).thenFails('conflict');
  });

  it('affiliates a user from a start to an optional end, as ISO times', () => {
    given([created])
      .when(affiliate({}))
      .then([affiliated('2024-01-01T00:00:00.000Z', null)]);
    given([created])
      .when(affiliate({ end: '2025-06-30' }))
      .then([affiliated('2024-01-01T00:00:00.000Z', '2025-06-30T00:00:00.000Z')]);
    given([created, affiliated('2024-01-01T00:00:00.000Z', null)])
      .when(affiliate({ start: '2023-01-01', end: null }))
      .then([affiliated('2023-01-01T00:00:00.000Z', null)]);
  });

  it('answers not_found for an unknown affiliation, then for an unknown or deactivated user', () => {
    given([])
      .when(affiliate({ userActive: false }))
      .thenFails('not_found', 'affiliation not found');
    given([created])
      .when(affiliate({ userActive: false }))
      .thenFails('not_found', 'user not found');
  });

  it('refuses a start that is no date, and an end before the start, naming the field', () => {
    given([created])
      .when(affiliate({ start: 'soon' }))
      .thenFails('bad_request', 'start: must be a date');
    given([created])
      .when(affiliate({ end: 'never' }))
      .thenFails('bad_request', 'end: must be a date not before start');
    given([created])
      .when(affiliate({ end: '2023-12-31' }))
      .thenFails('bad_request', 'end: must be a date not before start');
  });
});
