import type { IdentityEvent } from './identity.events';
import type { PolicyEvent } from './policy.events';
import type { TokenEvent } from './token.events';

export * from './device-authorization.events';
export * from './event';
export * from './identity.events';
export * from './policy.events';
export * from './token.events';
export * from './trusted-app.events';

/** Every event the log holds. */
export type TesseraEvent = IdentityEvent | TokenEvent | PolicyEvent;
