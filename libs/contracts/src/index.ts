export * from './error-codes';
export * from './event-message';
export * from './health';
export * from './subjects';
export * from './tessera-error';
export * from './principal';
export * from './events/policy.events';
export * from './policy-subjects';
