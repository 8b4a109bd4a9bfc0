import type { Scenario } from '../scenario';
import { auditAsOf } from './audit-as-of';
import { eventAppend } from './event-append';
import { policyCheckNats } from './policy-check-nats';
import { policyColdStart } from './policy-cold-start';
import { gatewayHttp } from './gateway-http';
import { revocationPropagation } from './revocation-propagation';
import { tokenColdStart } from './token-cold-start';

/** Every benchmark of `npm run bench`, in the order they run. */
export const SCENARIOS: Scenario[] = [
  eventAppend,
  policyCheckNats,
  policyColdStart,
  tokenColdStart,
  gatewayHttp,
  revocationPropagation,
  auditAsOf,
];
