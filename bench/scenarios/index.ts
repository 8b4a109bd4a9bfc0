import type { Scenario } from '../scenario';

/** Every benchmark of `npm run bench`, in the order they run. */
export const SCENARIOS: Scenario[] = [];
