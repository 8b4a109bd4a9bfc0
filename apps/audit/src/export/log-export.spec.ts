import { appendToStreams, ensureEventStoreSchema, readHeadPosition } from '@tessera/event-store';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { EXPORT_PAGE_BYTES, EXPORT_PAGE_ROWS, readExportPage } from './log-export';

/** The export's page read against a real log in PostgreSQL. */
describe('readExportPage', () => {
  let db: TestDatabase;
  const padding = 'x'.repeat(1_000);
  /** Events of about 1 KiB each. */
  const EVENTS = EXPORT_PAGE_ROWS + 517;

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
    for (let n = 0; n < EVENTS; n += 500) {
      const events = Array.from({ length: Math.min(500, EVENTS - n) }, (_, index) => ({
        type: 'Padded',
        data: { n: n + index, padding },
      }));
      await appendToStreams(db.pool, [{ streamId: `padded-${n}`, events }], { metadata: { actor: 'exporter' } });
    }
  }, 60_000);
  afterAll(() => db.drop());

  async function exportAll(query: { after?: string; from?: string; to?: string } = {}) {
    const pages: { lines: string[]; bytes: number }[] = [];
    let page = await readExportPage(db.pool, query);
    for (;;) {
      pages.push({ lines: page.ndjson.split('\n').filter(Boolean), bytes: Buffer.byteLength(page.ndjson) });
      if (page.done) return { pages, head: page.head };
      page = await readExportPage(db.pool, { ...query, after: page.last, head: page.head });
    }
  }

  it('gives every event once, in position order, one line each as stored, in pages under the byte bound', async () => {
    const { pages } = await exportAll();
    const lines = pages.flatMap((page) => page.lines).map((line) => JSON.parse(line));
    expect(lines.map((line) => Number(line.position))).toEqual(Array.from({ length: EVENTS }, (_, index) => index + 1));
    expect(lines[0]).toEqual({
      position: '1',
      type: 'Padded',
      streamId: 'padded-0',
      streamVersion: 1,
      schemaVersion: 1,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: 'exporter',
      metadata: { actor: 'exporter' },
      data: { n: 0, padding },
    });
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) expect(page.bytes).toBeLessThanOrEqual(EXPORT_PAGE_BYTES);
  });

  it('stops at the head the export began at: events appended meanwhile are not in it', async () => {
    const first = await readExportPage(db.pool, {});
    const head = await readHeadPosition(db.pool);
    await appendToStreams(db.pool, [{ streamId: 'late', events: [{ type: 'Late', data: {} }] }]);
    let page = first;
    const types: string[] = [];
    for (;;) {
      types.push(
        ...page.ndjson
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line).type as string),
      );
      if (page.done) break;
      page = await readExportPage(db.pool, { after: page.last, head: page.head });
    }
    expect(first.head).toBe(String(head));
    expect(types).not.toContain('Late');
    expect(types).toHaveLength(head);
  });

  it('resumes after a position, and keeps to a time range', async () => {
    const { pages } = await exportAll({ after: String(EVENTS - 3) });
    expect(pages.flatMap((page) => page.lines).map((line) => Number(JSON.parse(line).position))).toEqual([
      EVENTS - 2,
      EVENTS - 1,
      EVENTS,
      EVENTS + 1,
    ]);
    const future = await exportAll({ from: '2999-01-01T00:00:00Z' });
    expect(future.pages.flatMap((page) => page.lines)).toEqual([]);
  });
});
