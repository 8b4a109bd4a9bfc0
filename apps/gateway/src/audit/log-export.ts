import { Readable } from 'node:stream';
import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { AUDIT_EXPORT_HEADERS, AUDIT_SUBJECTS, TesseraError, type AuditExportQuery, type WireError } from '@tessera/contracts';
import { inboxOf } from '@tessera/messaging';
import { injectTraceContext, tracingOn } from '@tessera/observability';

/** A page is a query of thousands of rows: more time than a decision, between two of its messages too. */
const PAGE_TIMEOUT_MS = 30_000;
/**
 * The next page is asked for as soon as one ends while fewer bytes than this wait for the client:
 * the audit app reads it while this one is written. Past it, only once the client takes them.
 */
const BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * The log as NDJSON, as the audit app (which owns history) reads it: page after page over NATS, up
 * to the head as it stood when the export began, each page's bytes written as they arrive, never
 * parsed. At most one page is asked for at a time, and only while the client keeps up (TCP
 * back-pressure reaches the page loop); a client that disconnects stops it.
 */
export function exportLog(nats: NatsConnection, range: Pick<AuditExportQuery, 'from' | 'to' | 'after'>): Readable {
  return new ExportPages(nats, range);
}

class ExportPages extends Readable {
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private query: AuditExportQuery;
  /** A page was asked for and has not ended yet. */
  private asking = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nats: NatsConnection,
    private readonly range: Pick<AuditExportQuery, 'from' | 'to' | 'after'>,
  ) {
    super({ highWaterMark: BUFFERED_BYTES });
    this.query = { ...range };
    this.inbox = inboxOf(nats);
    this.subscription = nats.subscribe(this.inbox, { callback: (error, message) => this.receive(error, message) });
  }

  override _read(): void {
    if (!this.asking && !this.finished) this.ask();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    this.subscription.unsubscribe();
    callback(error);
  }

  private ask(): void {
    this.asking = true;
    let headers;
    if (tracingOn()) {
      headers = natsHeaders();
      injectTraceContext(headers);
    }
    try {
      this.nats.publish(AUDIT_SUBJECTS.exportPage, JSON.stringify(this.query), { reply: this.inbox, headers });
    } catch (error) {
      return this.fail(`NATS refused the request: ${(error as Error).message}`);
    }
    this.waitForMessage();
  }

  private receive(error: Error | null, message: Msg): void {
    if (this.destroyed || this.finished) return;
    if (error) return this.fail(error.message);
    // NATS itself answers 503 when no audit app listens.
    if (message.headers && message.headers.code >= 400) return this.fail(`${message.headers.code} ${message.headers.description}`);
    const status = message.headers?.get(AUDIT_EXPORT_HEADERS.status);
    if (status === 'error') {
      clearTimeout(this.timer);
      return void this.destroy(TesseraError.fromWire((message.json() as { error: WireError }).error));
    }
    // Each message as it came, a view of the socket's read: gathering them into bigger writes costs more than it saves.
    if (message.data.length > 0) this.push(message.data);
    if (!status) return this.waitForMessage();
    clearTimeout(this.timer);
    this.asking = false;
    if (status === 'done') {
      this.finished = true;
      this.subscription.unsubscribe();
      this.push(null);
      return;
    }
    this.query = {
      ...this.range,
      after: message.headers!.get(AUDIT_EXPORT_HEADERS.last),
      head: message.headers!.get(AUDIT_EXPORT_HEADERS.head),
    };
    if (this.readableLength < this.readableHighWaterMark) this.ask();
  }

  private waitForMessage(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fail(`no answer within ${PAGE_TIMEOUT_MS} ms`), PAGE_TIMEOUT_MS);
  }

  private fail(reason: string): void {
    clearTimeout(this.timer);
    this.destroy(new TesseraError('unavailable', `${AUDIT_SUBJECTS.exportPage} did not answer: ${reason}`, undefined, undefined, 1));
  }
}
