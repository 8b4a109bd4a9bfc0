import type { Pool } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import { copyOut, upcasters as defaultUpcasters, type EventPayload, type Upcasters } from '@tessera/event-store';
import type { TokenIndex } from './token-index';
import { MINTED_FIELDS } from './token-table';

/** Fields of a row of tokenLogSql, in order; the minted fields follow. */
const POSITION = 0;
const TYPE = 1;
const SCHEMA_VERSION = 2;
const DATA = 3;
const MINTED_FROM = 4;
/** TokenRevoked's tokenId comes in the column of TokenMinted's. */
const TOKEN_ID = MINTED_FROM + MINTED_FIELDS.indexOf('tokenId');
const FIELD_COUNT = MINTED_FROM + MINTED_FIELDS.length;
/** Events handed to `apply` at a time, and token events applied between two reports of the position. */
const CHUNK = 500;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const MINTED_TYPE_LENGTH = 'TokenMinted'.length;

/**
 * What a token index reads of the log, as a binary COPY: position, type and schema version of every
 * event after `after`, and either its data as JSON text or, for the token events the index applies
 * straight into its columns (TokenMinted without extras, TokenRevoked), no data but their fields
 * as text, which PostgreSQL extracts: no JSON is parsed and no object made for them in Node.
 * Events of a type the upcasters lift always come as data.
 */
export function tokenLogSql(after: number, limit?: number, upcasters: Upcasters = defaultUpcasters): string {
  if (!Number.isSafeInteger(after) || (limit !== undefined && !Number.isSafeInteger(limit))) throw new Error('positions are integers');
  const columnar = [
    ...(upcasters.lifts('TokenMinted') ? [] : [`(type = 'TokenMinted' AND NOT data ?| array['impersonatedBy', 'resource', 'actions'])`]),
    ...(upcasters.lifts('TokenRevoked') ? [] : [`type = 'TokenRevoked'`]),
  ];
  const fields = MINTED_FIELDS.map((field) =>
    field === 'scopes' ? `CASE WHEN columnar THEN (data->'scopes')::text END` : `CASE WHEN columnar THEN data->>'${field}' END`,
  );
  return `COPY (
    SELECT position, type, schema_version, CASE WHEN columnar THEN NULL ELSE data::text END, ${fields.join(', ')}
      FROM (SELECT position, type, schema_version, data, ${columnar.length ? columnar.join(' OR ') : 'false'} AS columnar
              FROM event_store.events WHERE position > ${after} ORDER BY position${limit === undefined ? '' : ` LIMIT ${limit}`}) e
     ORDER BY position
  ) TO STDOUT (FORMAT binary)`;
}

/** How many tokens were minted after `after` (an index-only scan of events_type_position_idx). */
export async function countMintsAfter(pool: Pool, after: number): Promise<number> {
  const result = await pool.query<{ count: string }>(
    "SELECT count(*) AS count FROM event_store.events WHERE type = 'TokenMinted' AND position > $1",
    [after],
  );
  return Number(result.rows[0].count);
}

/**
 * A LogStreamer for a TokenIndexReplica (see LogSubscription): reads up to `limit` events after
 * `after` with tokenLogSql, applies the token events to `index()` itself as they arrive, and hands
 * every other event, upcast, to `apply` in chunks, in log order; `upTo` tells `apply` how far the
 * index got. The first throw stops the applying (the rest is read and dropped) and rejects with it.
 * Resolves with the number of events read.
 */
export async function streamTokenLog(
  pool: Pool,
  after: number,
  limit: number,
  index: () => TokenIndex,
  apply: (events: EventPayload<TesseraEvent>[], upTo?: number) => void,
  upcasters: Upcasters = defaultUpcasters,
): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let read = 0;
  let failure: { error: unknown } | undefined;
  let pending: EventPayload<TesseraEvent>[] = [];
  /** Position of the last token event applied, and how many since the last report. */
  let applied = 0;
  let unreported = 0;
  const flush = () => {
    const events = pending;
    pending = [];
    if (events.length > 0) apply(events);
  };
  const report = () => {
    unreported = 0;
    if (applied > 0) apply([], applied);
  };
  const reader = new CopyRowReader((data, at) => {
    read += 1;
    if (failure) return;
    try {
      const position = data.readUInt32BE(at[POSITION * 2]) * 0x1_0000_0000 + data.readUInt32BE(at[POSITION * 2] + 4);
      if (at[DATA * 2 + 1] < 0) {
        flush();
        // Only these two types come without data: TokenMinted and TokenRevoked differ in length.
        if (at[TYPE * 2 + 1] === MINTED_TYPE_LENGTH) {
          index().applyMinted(position, data, at, MINTED_FROM * 2);
        } else {
          index().applyRevoked(position, data, at[TOKEN_ID * 2], at[TOKEN_ID * 2 + 1]);
        }
        applied = position;
        unreported += 1;
        if (unreported >= CHUNK) report();
        return;
      }
      const text = (field: number) => data.toString('utf8', at[field * 2], at[field * 2] + at[field * 2 + 1]);
      pending.push(
        upcasters.apply({
          position,
          type: text(TYPE),
          schemaVersion: data.readInt32BE(at[SCHEMA_VERSION * 2]),
          data: JSON.parse(text(DATA)) as object,
        }) as EventPayload<TesseraEvent>,
      );
      if (pending.length >= CHUNK) {
        report();
        flush();
      }
    } catch (error) {
      failure = { error };
    }
  });
  try {
    await copyOut(client, tokenLogSql(after, limit, upcasters), (chunk) => reader.push(chunk)).catch((error: Error) => {
      broken = error;
      throw error;
    });
    if (!failure) {
      try {
        report();
        flush();
      } catch (error) {
        failure = { error };
      }
    } else if (applied > 0) {
      // What the index holds before the failure counts as applied: a retry starts after it.
      try {
        report();
      } catch {
        // The failure is what the caller hears of.
      }
    }
    if (failure) throw failure.error as Error;
    if (!reader.ended) throw new Error('the token log stream was cut short');
    return read;
  } finally {
    // A client whose COPY failed may be in any state: it is not given back to the pool.
    client.release(broken);
  }
}

/**
 * Parses a binary COPY stream of FIELD_COUNT fields a row, chunk by chunk, handing each row to
 * `onRow` as the start and length of each field (length -1 for null) in `data`: no object per
 * field. Only a row cut between two chunks is copied.
 */
class CopyRowReader {
  ended = false;
  private started = false;
  private pending: Buffer | undefined;
  private readonly fields = new Int32Array(FIELD_COUNT * 2);

  constructor(private readonly onRow: (data: Buffer, fields: Int32Array) => void) {}

  push(chunk: Buffer): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let at = 0;
    if (!this.started) {
      if (data.length < SIGNATURE.length + 8) return this.keep(data, 0);
      if (data.compare(SIGNATURE, 0, SIGNATURE.length, 0, SIGNATURE.length) !== 0) throw new Error('not a binary COPY stream');
      const headerEnd = SIGNATURE.length + 8 + data.readUInt32BE(SIGNATURE.length + 4);
      if (data.length < headerEnd) return this.keep(data, 0);
      at = headerEnd;
      this.started = true;
    }
    while (at < data.length) {
      if (this.ended) throw new Error('binary COPY stream goes on after its end');
      const end = this.row(data, at);
      if (end === -1) return this.keep(data, at);
      at = end;
    }
  }

  /** Hands over the row at `at` and returns where it ends, or -1 when the data ends before it does. */
  private row(data: Buffer, at: number): number {
    if (at + 2 > data.length) return -1;
    const count = (((data[at] << 8) | data[at + 1]) << 16) >> 16;
    at += 2;
    if (count === -1) {
      this.ended = true;
      return at;
    }
    if (count !== FIELD_COUNT) throw new Error(`a token log row of ${count} fields`);
    const fields = this.fields;
    for (let n = 0; n < FIELD_COUNT; n += 1) {
      if (at + 4 > data.length) return -1;
      const length = (data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
      at += 4;
      fields[2 * n] = at;
      fields[2 * n + 1] = length;
      if (length > 0) {
        if (at + length > data.length) return -1;
        at += length;
      }
    }
    this.onRow(data, fields);
    return at;
  }

  private keep(data: Buffer, from: number): void {
    this.pending = Buffer.from(data.subarray(from));
  }
}
