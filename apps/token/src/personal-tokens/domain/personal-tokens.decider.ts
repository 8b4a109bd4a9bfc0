import { TesseraError, type PersonalTokenAdded, type TokenEvent } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';

/** A user holds at most this many live personal tokens (CONTRACT section 3). */
export const MAX_LIVE_PERSONAL_TOKENS = 100;

/** A user's personal tokens as the stream `personal-tokens-<ownerId>` leaves them: their ids, in mint order. */
export interface PersonalTokensState {
  tokenIds: string[];
}

/**
 * Add a personal token to its owner's. `ended` says which of the stream's tokens are revoked or
 * expired (the token index's view: one it has not seen yet counts as live, so a lagging replica
 * refuses early rather than late); `heldBefore` are live personal tokens minted before this stream
 * existed, which count too.
 */
export type AddPersonalToken = Command<
  'AddPersonalToken',
  { ownerId: string; tokenId: string; ended: (tokenId: string) => boolean; heldBefore: readonly string[] }
>;

export function decide(command: AddPersonalToken, state: PersonalTokensState): PersonalTokenAdded[] | TesseraError {
  const { ownerId, tokenId, ended, heldBefore } = command.data;
  const live = new Set([...heldBefore, ...state.tokenIds.filter((id) => !ended(id))]);
  if (live.size >= MAX_LIVE_PERSONAL_TOKENS)
    return new TesseraError(
      'too_many_tokens',
      `a user holds at most ${MAX_LIVE_PERSONAL_TOKENS} live personal tokens: revoke one before minting another`,
    );
  return [{ type: 'PersonalTokenAdded', data: { ownerId, tokenId } }];
}

export function evolve(state: PersonalTokensState, event: TokenEvent): PersonalTokensState {
  return event.type === 'PersonalTokenAdded' ? { tokenIds: [...state.tokenIds, event.data.tokenId] } : state;
}

export const initialState = (): PersonalTokensState => ({ tokenIds: [] });

export const personalTokensDecider: Decider<PersonalTokensState, AddPersonalToken, TokenEvent> = { decide, evolve, initialState };
