import type { Principal } from '../principal';

/**
 * One NATS subject's contract: what a caller sends, what it gets back, and what the serving handler
 * sees once the app has resolved the caller (the same as the request unless the app rewrites it).
 */
export interface Message<Request, Reply, Served = Request> {
  request: Request;
  reply: Reply;
  served: Served;
}

/**
 * The caller the gateway forwards on the identity and token subjects: only its bearer token is
 * believed; the serving app resolves it against its own token index (ResolvedCallerInterceptor).
 */
export interface ForwardedCaller {
  bearer: string;
}

/** A subject the gateway forwards with the caller: the handler sees the resolved principal. */
export type CallerMessage<Fields, Reply> = Message<Fields & { principal: ForwardedCaller }, Reply, Fields & { principal: Principal }>;

/**
 * The NATS header of a reply that is an HTTP body as it stands (the caller's me-permissions, its
 * middle_auth user cache): the revision it reflects, so the gateway forwards the bytes unparsed.
 */
export const REVISION_HEADER = 'Tessera-Revision';

/**
 * With REVISION_HEADER: until when (milliseconds since the epoch, or `Infinity`) the answer holds
 * if no event touches it; a grant's expiry or an affiliation's end changes it by itself.
 */
export const VALID_UNTIL_HEADER = 'Tessera-Valid-Until';

/**
 * Sent with a request (any value) to ask for the REVISION_HEADER and VALID_UNTIL_HEADER on an answer
 * that does not always carry them (`policy.check`): the gateway keeps the answer by them. Other
 * callers leave it out, and their answers cost no header.
 */
export const SERVED_HEADER = 'Tessera-Served';

/** Every write answers with the log position it produced (CONTRACT section 2). */
export interface Revision {
  /** Decimal string: positions outgrow JavaScript's safe integers long before bigint does. */
  revision: string;
}

/** A page of a list (CONTRACT section 2): `?limit=` and `?cursor=` → items and the next cursor. */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** The query of a list the gateway forwards. */
export interface PageQuery {
  limit?: number | string;
  cursor?: string;
}

/** The empty request body of subjects that take none. */
export type NoFields = Record<never, never>;
