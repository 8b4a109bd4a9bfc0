import type { Pool } from 'pg';
import { EXPORT_PAGE_SIZE, exportLog } from './log-export';

/** A pool that serves a log of `events` rows of about 1 KiB each and counts the page queries. */
function fakeLog(events: number) {
  const pages: number[] = [];
  const pool = {
    async query(sql: string, values: unknown[] = []) {
      if (sql.includes('event_store.head')) return { rows: [{ position: String(events) }] };
      const after = Number(values[0]);
      pages.push(after);
      const count = Math.max(0, Math.min(EXPORT_PAGE_SIZE, events - after));
      const rows = Array.from({ length: count }, (_, index) => ({
        position: String(after + index + 1),
        line: JSON.stringify({ position: String(after + index + 1), data: { padding: 'x'.repeat(1000) } }),
      }));
      return { rows };
    },
  };
  return { pool: pool as unknown as Pool, pages };
}

const ticks = async (count: number) => {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('exportLog', () => {
  it('streams every event once, in order, one line each', async () => {
    const events = EXPORT_PAGE_SIZE * 2 + 17;
    const { pool, pages } = fakeLog(events);
    let text = '';
    for await (const chunk of exportLog(pool, {})) text += chunk.toString();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(events);
    expect(lines.map((line) => Number(JSON.parse(line).position))).toEqual(Array.from({ length: events }, (_, index) => index + 1));
    expect(pages).toEqual([0, EXPORT_PAGE_SIZE, EXPORT_PAGE_SIZE * 2]);
  });

  it('reads the next page only when the reader has taken the previous one, and stops when the reader goes away', async () => {
    const { pool, pages } = fakeLog(1_000_000);
    const stream = exportLog(pool, {});
    const reader = stream[Symbol.asyncIterator]();
    await reader.next();
    await ticks(50);
    // A slow reader holds the export at about one page ahead, not the whole log.
    expect(pages.length).toBeLessThanOrEqual(2);
    stream.destroy();
    await ticks(50);
    expect(pages.length).toBeLessThanOrEqual(2);
  });
});
