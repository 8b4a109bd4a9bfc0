import type { IdentityEvent } from './identity.events';
import type { PolicyEvent } from './policy.events';
import type { TokenEvent } from './token.events';

export * from './device-authorization.events';
export * from './event';
export * from './identity.events';
export * from './policy.events';
export * from './token.events';
export * from './trusted-app.events';

/** The events each category's app writes (`tessera.v1.events.<category>`). */
export interface EventsByCategory {
  identity: IdentityEvent;
  token: TokenEvent;
  policy: PolicyEvent;
}

/** Every event the log holds. */
export type TesseraEvent = IdentityEvent | TokenEvent | PolicyEvent;
