import type { Pool } from 'pg';
import type { TesseraEvent } from '@tessera/contracts';
import { BinaryCopyReader, copyOut, upcasters as defaultUpcasters, type EventPayload, type Upcasters } from '@tessera/event-store';
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
const MINTED_TYPE_LENGTH = 'TokenMinted'.length;

/**
 * What a token index reads of the log, as a binary COPY: position, type and schema version of every
 * event after `after`, and either its data as JSON text or, for the token events the index applies
 * straight into its columns (TokenMinted without extras, TokenRevoked), no data but their fields
 * as text, which PostgreSQL extracts: no JSON is parsed and no object made for them in Node.
 * Events of a type the upcasters lift always come as data.
 *
 * With a limit, the positions are bounded on both sides (positions are dense: each append takes the
 * next ones under the head's lock): with `position > after` alone, a limit of a million and the
 * statistics of a freshly loaded log, every poll that found nothing new took 0.1-0.5 s, about a
 * pass over the whole log (several apps, four times a second).
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
              FROM event_store.events WHERE position > ${after}${limit === undefined ? '' : ` AND position <= ${after + limit}`}
             ORDER BY position${limit === undefined ? '' : ` LIMIT ${limit}`}) e
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
  const reader = new BinaryCopyReader(FIELD_COUNT, (data, at, count) => {
    if (count !== FIELD_COUNT) throw new Error(`a token log row of ${count} fields`);
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
