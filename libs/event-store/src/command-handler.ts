import { TesseraError, type Event } from '@tessera/contracts';
import type { AppendOptions } from './append';
import { foldState, type Command, type Decider } from './decider';
import type { RecordedEvent } from './event';
import type { EventStore } from './event-store';
import { readStream } from './read';

export interface Handled<State, E extends Event> {
  /** The state after the command: the stream's state with the new events folded in. */
  state: State;
  events: RecordedEvent<E>[];
  /** The log position of the last event appended; undefined when the command changed nothing. */
  position: number | undefined;
}

/**
 * Load → decide → append: folds the stream into the aggregate's state, asks the decider, and
 * appends what it decided at the version the state was folded from, so a concurrent change to the
 * same stream makes this append fail with `conflict` instead of deciding on a stale state. The
 * decider folds the events as recorded, so its state may keep where they landed.
 */
export async function handleCommand<State, C extends Command, E extends Stored, Stored extends Event>(
  store: EventStore<Stored>,
  streamId: string,
  decider: Decider<State, C, E, RecordedEvent<E>>,
  command: C,
  options?: AppendOptions<Stored>,
): Promise<Handled<State, E>> {
  const history = await readStream<E>(store.pool, streamId);
  const state = foldState(decider, history);
  const decided = decider.decide(command, state);
  if (decided instanceof TesseraError) throw decided;
  if (decided.length === 0) return { state, events: [], position: undefined };
  const version = history.length === 0 ? 'no_stream' : history[history.length - 1].streamVersion;
  const events: Stored[] = decided;
  const result = await store.append({ streamId, expectedVersion: version, events }, options);
  // The events appended are the ones decided: of the stream's union E, not any of the store's.
  const appended = result.events as RecordedEvent<E>[];
  return { state: foldState(decider, [...history, ...appended]), events: appended, position: result.position };
}
