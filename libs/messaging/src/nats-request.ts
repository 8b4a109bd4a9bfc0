import { headers as natsHeaders, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { REVISION_HEADER, SERVED_HEADER, TesseraError, VALID_UNTIL_HEADER, type WireError } from '@tessera/contracts';
import { injectTraceContext, metrics, secondsSince, tracingOn, type CounterCell, type HistogramCell } from '@tessera/observability';
import { natsLinkOf } from './nats-link';
import { requestInboxOf } from './request-inbox';

export interface NatsRequestOptions {
  timeoutMs?: number;
  /** Sent as the NATS header `Authorization`. */
  authorization?: string;
  /**
   * Sent at the end of this turn of the event loop, with the turn's other coalesced requests, in
   * one socket write. The client writes once per microtask checkpoint, and every HTTP request the
   * gateway reads runs in a checkpoint of its own: without this, each forwarded request costs a
   * write here and a read and a write in nats-server and in the app that answers.
   */
  coalesce?: boolean;
}

/** The default bound on every request between apps. */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends a plain-JSON request and returns the JSON answer; an `{"error":…}` reply is rethrown as the
 * TesseraError the owning app raised, and no responder or a timeout becomes 503 `unavailable`, as
 * does a connection that is down (at once) or drops while the request waits (then).
 */
export async function requestJson<T>(nats: NatsConnection, subject: string, body: unknown, options: NatsRequestOptions = {}): Promise<T> {
  const { message, cells } = await send(nats, subject, body, options);
  return settle(cells, parse(subject, cells, message)) as T;
}

/**
 * An answer to forward as it came: the bytes of its JSON text, the revision it reflects and, when
 * the app said (VALID_UNTIL_HEADER), until when it holds if no event touches it.
 */
export interface ServedAnswer {
  body: Uint8Array;
  revision: string;
  validUntil?: number;
}

/**
 * As requestJson, for a subject whose answer is the HTTP body itself with its revision in the
 * REVISION_HEADER (asked for with SERVED_HEADER): the bytes are not parsed. A reply without the
 * header is parsed as an error.
 */
export async function requestServed(
  nats: NatsConnection,
  subject: string,
  body: unknown,
  options: NatsRequestOptions = {},
): Promise<ServedAnswer> {
  const { message, cells } = await send(nats, subject, body, options, true);
  const revision = message.headers?.get(REVISION_HEADER);
  if (revision) {
    cells.ok.inc();
    const validUntil = message.headers?.get(VALID_UNTIL_HEADER);
    return { body: message.data, revision, ...(validUntil ? { validUntil: Number(validUntil) } : {}) };
  }
  settle(cells, parse(subject, cells, message));
  throw new Error(`${subject} answered without ${REVISION_HEADER}`);
}

/**
 * The request on its way and its reply, timed; 503 `unavailable` when no reply comes. `served`
 * sends SERVED_HEADER: the answer's revision and validity in headers, please.
 */
async function send(
  nats: NatsConnection,
  subject: string,
  body: unknown,
  options: NatsRequestOptions,
  served = false,
): Promise<{ message: Msg; cells: SubjectCells }> {
  const started = performance.now();
  const cells = subjectCells(subject);
  let headers;
  if (options.authorization || served || tracingOn()) {
    headers = natsHeaders();
    if (options.authorization) headers.set('Authorization', options.authorization);
    if (served) headers.set(SERVED_HEADER, '1');
    if (tracingOn()) injectTraceContext(headers);
  }
  const payload = JSON.stringify(body ?? {});
  if (options.coalesce) await endOfTurn();
  const link = natsLinkOf(nats);
  if (link && !link.connected) {
    cells.unavailable.inc();
    throw new TesseraError('unavailable', `${subject} did not answer: NATS is disconnected`, undefined, undefined, 1);
  }
  try {
    const timeout = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const inbox = requestInboxOf(nats);
    let message: Msg;
    if (inbox) message = await inbox.request(subject, payload, timeout, headers);
    else {
      const request = nats.request(subject, payload, { timeout, headers });
      message = link ? await link.guard(request) : await request;
    }
    cells.duration.observe(secondsSince(started));
    return { message, cells };
  } catch (error) {
    cells.unavailable.inc();
    cells.duration.observe(secondsSince(started));
    throw new TesseraError('unavailable', `${subject} did not answer: ${(error as Error).message}`, undefined, undefined, 1);
  }
}

function parse(subject: string, cells: SubjectCells, message: Msg): unknown {
  try {
    return message.json();
  } catch (error) {
    cells.unavailable.inc();
    throw new TesseraError('unavailable', `${subject} did not answer: ${(error as Error).message}`, undefined, undefined, 1);
  }
}

/** The reply, or the TesseraError of an `{"error":…}` reply. */
function settle(cells: SubjectCells, reply: unknown): unknown {
  const error = reply && typeof reply === 'object' ? (reply as { error?: unknown }).error : undefined;
  if (error && typeof error === 'object') {
    cells.error.inc();
    throw TesseraError.fromWire(error as WireError);
  }
  cells.ok.inc();
  return reply;
}

interface SubjectCells {
  ok: CounterCell;
  error: CounterCell;
  unavailable: CounterCell;
  duration: HistogramCell;
}

/** Subjects are a fixed set; past this many distinct ones, the rest share the label "other". */
const MAX_SUBJECT_LABELS = 500;
const cellsBySubject = new Map<string, SubjectCells>();

function subjectCells(subject: string): SubjectCells {
  let cells = cellsBySubject.get(subject);
  if (cells === undefined) {
    const label = cellsBySubject.size < MAX_SUBJECT_LABELS ? subject : 'other';
    cells = {
      ok: metrics.natsRequests.child(label, 'ok'),
      error: metrics.natsRequests.child(label, 'error'),
      unavailable: metrics.natsRequests.child(label, 'unavailable'),
      duration: metrics.natsRequestDuration.child(label),
    };
    if (label === subject) cellsBySubject.set(subject, cells);
  }
  return cells;
}

let turn: Promise<void> | undefined;

/** One promise per turn of the event loop, settled from a single setImmediate, so its waiters resume together. */
function endOfTurn(): Promise<void> {
  turn ??= new Promise((resolve) =>
    setImmediate(() => {
      turn = undefined;
      resolve();
    }),
  );
  return turn;
}
