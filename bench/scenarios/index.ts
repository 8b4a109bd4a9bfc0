import type { Scenario } from '../scenario';
import { eventAppend } from './event-append';

/** Every benchmark of `npm run bench`, in the order they run. */
export const SCENARIOS: Scenario[] = [eventAppend];
