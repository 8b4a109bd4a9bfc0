import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { copyOut } from './copy';

describe('copyOut', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('hands over the bytes PostgreSQL sends: a CSV COPY with a quote and delimiter JSON never holds gives each text line as it is', async () => {
    const values = [{ a: 'x,y' }, { b: 'say "hi"\nback\\slash' }, { c: 'é ✓' }];
    const client = await db.pool.connect();
    const chunks: Buffer[] = [];
    try {
      await copyOut(
        client,
        `COPY (SELECT v::text FROM jsonb_array_elements($$${JSON.stringify(values)}$$::jsonb) WITH ORDINALITY AS x(v, n) ORDER BY n)
           TO STDOUT (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')`,
        (chunk) => chunks.push(Buffer.from(chunk)),
      );
    } finally {
      client.release();
    }
    const expected = (
      await db.pool.query<{ line: string }>(
        `SELECT v::text AS line FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(v, n) ORDER BY n`,
        [JSON.stringify(values)],
      )
    ).rows.map((row) => `${row.line}\n`);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected.join(''));
    expect(
      Buffer.concat(chunks)
        .toString('utf8')
        .split('\n')
        .slice(0, 3)
        .map((line) => JSON.parse(line)),
    ).toEqual(values);
  });

  it('rejects with the first throw of onChunk, reads the rest, and leaves the connection usable', async () => {
    const client = await db.pool.connect();
    try {
      let calls = 0;
      const copy = copyOut(client, 'COPY (SELECT repeat(md5(g::text), 100) FROM generate_series(1, 2000) g) TO STDOUT', () => {
        calls += 1;
        throw new Error('the reader gave up');
      });
      await expect(copy).rejects.toThrow('the reader gave up');
      expect(calls).toBe(1);
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });
});
