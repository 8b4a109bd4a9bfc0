/** Injection tokens of what the platform module provides to every app. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const PG_POOL = Symbol('PG_POOL');
