import type { PersonalTokenAdded } from '@tessera/contracts';
import { deciderSpecification } from '@tessera/testing';
import { MAX_LIVE_PERSONAL_TOKENS, personalTokensDecider, type AddPersonalToken } from './personal-tokens.decider';

const given = deciderSpecification(personalTokensDecider);
const added = (tokenId: string): PersonalTokenAdded => ({ type: 'PersonalTokenAdded', data: { ownerId: 'ada', tokenId } });
const ids = (count: number, prefix = 't') => Array.from({ length: count }, (_, n) => `${prefix}${n}`);
const add = (ended: readonly string[] = [], heldBefore: readonly string[] = []): AddPersonalToken => ({
  type: 'AddPersonalToken',
  data: { ownerId: 'ada', tokenId: 'new', ended: (id) => ended.includes(id), heldBefore },
});

describe('personal tokens decider', () => {
  it('adds a token while fewer than the maximum are live', () => {
    given(ids(MAX_LIVE_PERSONAL_TOKENS - 1).map(added))
      .when(add())
      .then([added('new')]);
  });

  it('refuses the one past the maximum with too_many_tokens', () => {
    given(ids(MAX_LIVE_PERSONAL_TOKENS).map(added))
      .when(add())
      .thenFails('too_many_tokens', /at most 100 live personal tokens/);
  });

  it('does not count revoked or expired tokens', () => {
    given(ids(MAX_LIVE_PERSONAL_TOKENS).map(added))
      .when(add(['t7']))
      .then([added('new')]);
  });

  it('counts live tokens minted before the stream existed, once each', () => {
    given(ids(50).map(added))
      .when(add([], [...ids(49, 'old'), 't3']))
      .then([added('new')]);
    given(ids(50).map(added))
      .when(add([], ids(50, 'old')))
      .thenFails('too_many_tokens');
  });
});
