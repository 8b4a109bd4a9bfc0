import { appendToStreams } from '@tessera/event-store';
import { startTessera, type TesseraUnderTest } from '@tessera/testing';
import { EXPORT_LINE, EXPORT_PAGE_ROWS } from '../apps/audit/src/export/log-export';
import { seedToken } from './audit-history';

/** Enough events for three pages of the export, each page many NATS messages. */
const EVENTS = 2 * EXPORT_PAGE_ROWS + 3_456;

describe('GET /api/v1/audit/export over a log of many pages (CONTRACT section 7)', () => {
  let tessera: TesseraUnderTest;
  let adminToken: string;

  beforeAll(async () => {
    tessera = await startTessera();
    adminToken = await seedToken(tessera.db.pool, 'admin', null);
    // Payloads of 50 bytes to 5 KiB, with text JSON escapes, so lines and pages straddle messages unevenly.
    const odd = 'a "quoted" \\ back\\slash, tab\t, ünïcødé ✓ 🙂 ';
    for (let n = 0; n < EVENTS; n += 1_000) {
      const events = Array.from({ length: Math.min(1_000, EVENTS - n) }, (_, index) => ({
        type: 'Padded',
        data: { n: n + index, text: odd.repeat(((n + index) * 7919) % 97) },
      }));
      await appendToStreams(tessera.db.pool, [{ streamId: `padded-${n}`, events }], { metadata: { actor: 'exporter' } });
    }
  }, 120_000);
  afterAll(async () => {
    await tessera?.stop();
  });

  const exported = async (query = '') => {
    const response = await fetch(`${tessera.baseUrl}/api/v1/audit/export${query}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };
  /** The log's lines as PostgreSQL builds them, in position order, each ending in a newline. */
  const logLines = async (where: string, values: unknown[] = []) => {
    const result = await tessera.db.pool.query<{ text: string | null; count: number }>(
      `SELECT string_agg(${EXPORT_LINE} || E'\\n', '' ORDER BY position) AS text, count(*)::int AS count FROM event_store.events WHERE ${where}`,
      values,
    );
    return { bytes: Buffer.from(result.rows[0].text ?? ''), count: result.rows[0].count };
  };

  it('streams every event of the log, complete and in order, byte for byte the lines of the log', async () => {
    const body = await exported();
    const log = await logLines('true');
    expect(log.count).toBeGreaterThan(EVENTS);
    expect(body.length).toBe(log.bytes.length);
    expect(body.equals(log.bytes)).toBe(true);
    const positions = body
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => Number(JSON.parse(line).position));
    expect(positions).toEqual(Array.from({ length: log.count }, (_, index) => index + 1));
  });

  it('resumes after a position inside a page, and keeps to a time range across pages, byte for byte', async () => {
    const after = EXPORT_PAGE_ROWS + 1_234;
    const resumed = await exported(`?after=${after}`);
    expect(resumed.equals((await logLines('position > $1', [after])).bytes)).toBe(true);

    const moments = await tessera.db.pool.query<{ at: Date }>(
      'SELECT recorded_at AS at FROM event_store.events WHERE position IN (3000, $1) ORDER BY position',
      [2 * EXPORT_PAGE_ROWS + 3_400],
    );
    const [from, to] = moments.rows.map((row) => row.at.toISOString());
    const range = await exported(`?from=${from}&to=${to}`);
    const log = await logLines('recorded_at >= $1 AND recorded_at < $2', [from, to]);
    expect(log.count).toBeGreaterThan(2 * EXPORT_PAGE_ROWS);
    expect(range.equals(log.bytes)).toBe(true);
  });
});
