import { Readable } from 'node:stream';
import { AUDIT_SUBJECTS, type AuditExportQuery } from '@tessera/contracts';
import type { TesseraClient } from '@tessera/messaging';

/** A page is a query of up to a few thousand rows: more time than a decision. */
const PAGE_TIMEOUT_MS = 30_000;

/**
 * The log as NDJSON, as the audit app (which owns history) reads it: page after page over NATS, up
 * to the head as it stood when the export began. The stream is pulled: the next page is asked for
 * only when the client has taken the previous one (TCP back-pressure reaches the page loop), and a
 * client that disconnects stops the loop.
 */
export function exportLog(client: TesseraClient, range: Pick<AuditExportQuery, 'from' | 'to' | 'after'>): Readable {
  async function* pages(): AsyncGenerator<string> {
    let query: AuditExportQuery = { ...range };
    for (;;) {
      const page = await client.request(AUDIT_SUBJECTS.exportPage, query, { timeoutMs: PAGE_TIMEOUT_MS });
      if (page.ndjson) yield page.ndjson;
      if (page.done) return;
      query = { ...range, after: page.last, head: page.head };
    }
  }
  return Readable.from(pages(), { objectMode: false, highWaterMark: 64 * 1024 });
}
