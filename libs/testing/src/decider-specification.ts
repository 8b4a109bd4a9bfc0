import { deepStrictEqual, fail, match } from 'node:assert/strict';
import { TesseraError, type ErrorCode, type Event } from '@tessera/contracts';
import { foldState, type Command, type Decider } from '@tessera/event-store';

/**
 * Given/when/then for a decider, without I/O: `given(past events).when(command)` then the events it
 * decides, nothing, or the error code it answers with (node:assert, so it runs in any test runner).
 *
 *   given([registered]).when(deactivate).then([{ type: 'UserDeactivated', data: { userId } }]);
 */
export function deciderSpecification<State, C extends Command, E extends Event, Folded extends E = E>(
  decider: Decider<State, C, E, Folded>,
) {
  return (history: Folded[]) => ({
    when(command: C) {
      const decided = () => decider.decide(command, foldState(decider, history));
      return {
        then(expected: E[]): void {
          deepStrictEqual(decided(), expected);
        },
        thenNothing(): void {
          deepStrictEqual(decided(), []);
        },
        thenFails(code: ErrorCode, message?: string | RegExp): void {
          const result = decided();
          if (!(result instanceof TesseraError)) return fail(`expected ${code}, decided ${JSON.stringify(result)}`);
          deepStrictEqual(result.code, code);
          if (typeof message === 'string') deepStrictEqual(result.message, message);
          else if (message) match(result.message, message);
        },
      };
    },
  });
}
