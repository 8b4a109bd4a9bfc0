import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Span } from '@opentelemetry/api';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  AUDIT_EXPORT_HEADERS,
  AUDIT_SUBJECTS,
  queueGroup,
  TesseraError,
  type AuditExportQuery,
  type AuditExportStatus,
} from '@tessera/contracts';
import { endSpan, handledCells, secondsSince, startIncomingSpan, tracingOn, withContext } from '@tessera/observability';
import { databaseUnavailable, NATS_CONNECTION, PG_POOL } from '@tessera/platform';
import { copyExportPage, LOG_POSITION } from './log-export';

/**
 * Bytes per message at most (NATS's max_payload, when lower, less room for the last message's
 * headers). Small: a message that fits in one socket read reaches the gateway as a view of that
 * read, while a larger one is gathered into buffers grown for it, garbage the gateway collects.
 */
export const EXPORT_CHUNK_BYTES = 32 * 1024;
const HEADER_ROOM = 1024;
/**
 * Full messages per page at most (then the last one, or an error): NATS permissions let the audit
 * app send only so many replies to one request (`allow_responses` in deploy/nats).
 */
export const EXPORT_PAGE_CHUNKS = 512;
/** Bytes per page at most: far enough that pages end at their row count, not after lines built for nothing. */
export const EXPORT_PAGE_BYTES = 16 * 1024 * 1024;
/** How long closing waits for the pages in flight to be sent. */
const CLOSE_WAIT_MS = 5_000;

/**
 * `GET /api/v1/audit/export`, one page per request (the gateway checked the caller is a super
 * admin and streams the pages). Straight on the NATS subscription, not Nest's JSON pipeline: a
 * page is the bytes PostgreSQL sends, passed on in chunks as they come (AUDIT_EXPORT_HEADERS),
 * never parsed, never wrapped in a JSON string.
 */
@Injectable()
export class ExportResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log = new Logger('ExportResponder');
  private readonly cells = handledCells(AUDIT_SUBJECTS.exportPage);

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nats.subscribe(AUDIT_SUBJECTS.exportPage, {
      queue: queueGroup('audit'),
      callback: (error, message) => {
        if (error || !message.reply) return;
        const answered = this.traced(message).finally(() => this.inFlight.delete(answered));
        this.inFlight.add(answered);
      },
    });
  }

  /** Takes no new page (other replicas get them) and lets those in flight finish. */
  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.drain().catch(() => this.subscription?.unsubscribe());
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([Promise.all(this.inFlight), deadline]);
    clearTimeout(timer);
  }

  private traced(message: Msg): Promise<void> {
    if (!tracingOn()) return this.answer(message);
    const traced = startIncomingSpan(message.subject, message.headers, { 'messaging.destination.name': message.subject });
    return withContext(traced.context, () => this.answer(message, traced.span));
  }

  private async answer(message: Msg, span?: Span): Promise<void> {
    const started = performance.now();
    const chunks = new ChunkedReply(this.nats, message.reply!);
    let failure: unknown;
    try {
      const end = await copyExportPage(
        this.pool,
        parseQuery(message),
        Math.min(EXPORT_PAGE_BYTES, EXPORT_PAGE_CHUNKS * chunks.size),
        (line) => chunks.line(line),
      );
      chunks.end(end.done ? 'done' : 'more', { [AUDIT_EXPORT_HEADERS.last]: end.last, [AUDIT_EXPORT_HEADERS.head]: end.head });
      this.cells.ok.inc();
    } catch (error) {
      failure = error;
      this.cells.error.inc();
      try {
        chunks.fail(this.toErrorReply(error));
      } catch (sendError) {
        // A connection closed meanwhile: the gateway gets its 503 from its own timeout.
        this.log.warn(`${message.subject}: the error could not be sent: ${(sendError as Error).message}`);
      }
    }
    this.cells.duration.observe(secondsSince(started));
    if (span) endSpan(span, failure);
  }

  private toErrorReply(error: unknown): unknown {
    if (error instanceof TesseraError) return error.toReply();
    const unavailable = databaseUnavailable(error);
    if (unavailable) return unavailable.toReply();
    this.log.error(`${AUDIT_SUBJECTS.exportPage} failed: ${(error as Error)?.stack ?? String(error)}`);
    return new TesseraError('internal_error', 'internal error').toReply();
  }
}

/**
 * A page's lines, each with its newline, copied into chunks of a fixed size, each chunk published
 * to the reply subject once full (a line may straddle two chunks: the gateway only concatenates).
 */
class ChunkedReply {
  readonly size: number;
  private chunk: Buffer;
  private used = 0;

  constructor(
    private readonly nats: NatsConnection,
    private readonly subject: string,
  ) {
    this.size = Math.max(HEADER_ROOM, Math.min(EXPORT_CHUNK_BYTES, (nats.info?.max_payload ?? EXPORT_CHUNK_BYTES) - HEADER_ROOM));
    this.chunk = Buffer.allocUnsafe(this.size);
  }

  line(bytes: Buffer): void {
    for (let from = 0; from < bytes.length;) {
      if (this.used === this.size) this.publish();
      const copied = bytes.copy(this.chunk, this.used, from, from + Math.min(bytes.length - from, this.size - this.used));
      this.used += copied;
      from += copied;
    }
    if (this.used === this.size) this.publish();
    this.chunk[this.used++] = 0x0a;
  }

  /** The rest of the page, with the headers that end it. */
  end(status: Exclude<AuditExportStatus, 'error'>, fields: Record<string, string>): void {
    this.publish(status, fields);
  }

  fail(reply: unknown): void {
    this.used = 0;
    this.publish('error', {}, Buffer.from(JSON.stringify(reply)));
  }

  /** nats.js keeps the bytes until it writes them: each chunk is a buffer of its own. */
  private publish(status?: AuditExportStatus, fields: Record<string, string> = {}, body?: Buffer): void {
    let headers;
    if (status) {
      headers = natsHeaders();
      headers.set(AUDIT_EXPORT_HEADERS.status, status);
      for (const [name, value] of Object.entries(fields)) headers.set(name, value);
    }
    this.nats.publish(this.subject, body ?? this.chunk.subarray(0, this.used), { headers });
    this.chunk = Buffer.allocUnsafe(this.size);
    this.used = 0;
  }
}

/** The page's query, checked: positions are digits and times parse (PostgreSQL gets them as text). */
function parseQuery(message: Msg): AuditExportQuery {
  let query: AuditExportQuery;
  try {
    query = message.data.length === 0 ? {} : (message.json() as AuditExportQuery);
  } catch {
    throw new TesseraError('bad_request', 'the request body is not JSON');
  }
  if (!query || typeof query !== 'object' || Array.isArray(query))
    throw new TesseraError('bad_request', 'the request body must be a JSON object');
  for (const field of ['after', 'head'] as const) {
    const value = query[field];
    if (value !== undefined && !(typeof value === 'string' && LOG_POSITION.test(value)))
      throw new TesseraError('bad_request', `${field} must be a log position`, [{ field, problems: ['a log position'] }]);
  }
  for (const field of ['from', 'to'] as const) {
    const value = query[field];
    if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value))))
      throw new TesseraError('bad_request', `${field} must be an ISO 8601 time`, [{ field, problems: ['an ISO 8601 time'] }]);
  }
  return query;
}
