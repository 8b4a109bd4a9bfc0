import { TesseraError, type ErrorCode, type Event } from '@tessera/contracts';
import { foldState, type Command, type Decider } from '@tessera/event-store';

/**
 * Given/when/then for a decider, without I/O: `given(past events).when(command)` then the events it
 * decides, nothing, or the error code it answers with.
 *
 *   given([registered]).when(deactivate).then([{ type: 'UserDeactivated', data: { userId } }]);
 */
export function deciderSpecification<State, C extends Command, E extends Event>(decider: Decider<State, C, E>) {
  return (history: E[]) => ({
    when(command: C) {
      const decided = () => decider.decide(command, foldState(decider, history));
      return {
        then(expected: E[]): void {
          expect(decided()).toEqual(expected);
        },
        thenNothing(): void {
          expect(decided()).toEqual([]);
        },
        thenFails(code: ErrorCode, message?: string | RegExp): void {
          const result = decided();
          expect(result).toBeInstanceOf(TesseraError);
          expect((result as TesseraError).code).toBe(code);
          if (message !== undefined) expect((result as TesseraError).message).toMatch(message);
        },
      };
    },
  });
}
