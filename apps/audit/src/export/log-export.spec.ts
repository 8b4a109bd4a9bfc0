import { appendToStreams, ensureEventStoreSchema, readHeadPosition } from '@tessera/event-store';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { copyExportPage, EXPORT_PAGE_ROWS } from './log-export';

/** Bytes per page at most in these tests: the bound cuts pages of about 1 KiB events well before the row limit. */
const PAGE_BYTES = 256 * 1024;

/** The export's page read against a real log in PostgreSQL. */
describe('copyExportPage', () => {
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

  /** One page: its lines (as text) and bytes with their newlines, and where it ended. */
  async function readPage(query: { after?: string; head?: string; from?: string; to?: string }, maxBytes = PAGE_BYTES) {
    const lines: string[] = [];
    let bytes = 0;
    const end = await copyExportPage(db.pool, query, maxBytes, (line) => {
      lines.push(line.toString('utf8'));
      bytes += line.length + 1;
    });
    return { ...end, lines, bytes };
  }

  async function exportAll(query: { after?: string; from?: string; to?: string } = {}, maxBytes = PAGE_BYTES) {
    const pages: { lines: string[]; bytes: number }[] = [];
    let page = await readPage(query, maxBytes);
    for (;;) {
      pages.push(page);
      if (page.done) return { pages, head: page.head };
      page = await readPage({ ...query, after: page.last, head: page.head }, maxBytes);
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
    for (const page of pages) expect(page.bytes).toBeLessThanOrEqual(PAGE_BYTES);
  });

  it('stops at the head the export began at: events appended meanwhile are not in it', async () => {
    const first = await readPage({});
    const head = await readHeadPosition(db.pool);
    await appendToStreams(db.pool, [{ streamId: 'late', events: [{ type: 'Late', data: {} }] }]);
    let page = first;
    const types: string[] = [];
    for (;;) {
      types.push(...page.lines.map((line) => JSON.parse(line).type as string));
      if (page.done) break;
      page = await readPage({ after: page.last, head: page.head });
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

  it('ends a page at the row limit when the byte bound is far, and gives a line longer than the bound a page of its own', async () => {
    const { pages } = await exportAll({}, 1024 * 1024 * 1024);
    expect(pages.map((page) => page.lines.length)).toEqual([EXPORT_PAGE_ROWS, EVENTS + 1 - EXPORT_PAGE_ROWS]);
    const tiny = await exportAll({ after: String(EVENTS - 3) }, 10);
    expect(tiny.pages.map((page) => page.lines.map((line) => Number(JSON.parse(line).position)))).toEqual([
      [EVENTS - 2],
      [EVENTS - 1],
      [EVENTS],
      [EVENTS + 1],
    ]);
  });

  it('gives each line as json_build_object writes it, byte for byte, events with backslashes, quotes and non-ASCII text included', async () => {
    const data = { text: 'a "quoted" \\ back\\slash, tab\t, newline\n, ünïcødé ✓ 🙂', nested: { list: [1, null, true] } };
    await appendToStreams(db.pool, [{ streamId: 'odd', events: [{ type: 'Odd', data }] }], { metadata: { actor: 'exporter' } });
    const position = String(await readHeadPosition(db.pool));
    const page = await readPage({ after: String(Number(position) - 1) });
    const expected = await db.pool.query<{ line: string }>(
      `SELECT json_build_object('position', position::text, 'type', type, 'streamId', stream_id, 'streamVersion', stream_version,
         'schemaVersion', schema_version, 'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'actor', metadata->'actor', 'metadata', metadata, 'data', data)::text AS line
         FROM event_store.events WHERE position = $1`,
      [position],
    );
    expect(page.lines).toEqual([expected.rows[0].line]);
    expect(JSON.parse(page.lines[0]).data).toEqual(data);
    expect(page).toMatchObject({ last: position, done: true });
  });
});
