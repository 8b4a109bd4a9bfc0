import type { Event, TesseraError } from '@tessera/contracts';

/** A request to change one aggregate, named in the imperative: `DeactivateUser`, `RevokeToken`. */
export interface Command<Type extends string = string, Data extends object = Record<string, unknown>> {
  type: Type;
  data: Data;
}

/**
 * An aggregate's rules as two pure functions (no I/O): `decide` answers a command, given the state
 * folded from the aggregate's stream, with the events to append (none when nothing changes) or the
 * error to answer with; `evolve` folds one event into the state.
 *
 * `Folded` is what `evolve` reads: the events themselves, or the events with what the log recorded
 * of them (say `E & Pick<RecordedFields, 'position'>`) for an aggregate whose state keeps where an
 * event landed, such as the answer to a repeated command naming the first one's position.
 */
export interface Decider<State, C extends Command, E extends Event, Folded extends E = E> {
  decide(command: C, state: State): E[] | TesseraError;
  evolve(state: State, event: Folded): State;
  initialState(): State;
}

/** The state the events leave, from the initial one. */
export function foldState<State, Folded extends Event>(
  decider: { evolve(state: State, event: Folded): State; initialState(): State },
  events: readonly Folded[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
