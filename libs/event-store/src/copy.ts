import type { PoolClient } from 'pg';

/**
 * Binary COPY, for values too big for a query: `COPY … TO STDOUT` hands bytes over as they are
 * (a bytea in a query result arrives as hex text, twice its size, to be decoded), row by row, and
 * `COPY … FROM STDIN` streams a value from its parts without first building it whole, and without
 * node-postgres copying it again into one Bind message. Both run as node-postgres Submittables,
 * the interface pg-cursor and pg-copy-streams use.
 */

/** A row of a binary COPY: each field as its bytes (in parts), or null. */
export type CopyRow = (readonly Uint8Array[] | null)[];

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** The most fields a row of copyRowsOut may have (PostgreSQL's own limit on columns). */
const MAX_FIELDS = 1_664;
/** What each CopyData message carries at most; the socket is drained between them. */
const PIECE = 1 << 20;

/** The backend's side of a Submittable, as far as COPY needs it (node-postgres' own Connection). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean };
}

/**
 * Runs `COPY (…) TO STDOUT (FORMAT binary)`, handing each row to `onRow` as it arrives. The fields
 * are views valid only during the call (the driver reuses its memory): keep a copy of what you keep.
 */
export async function copyRowsOut(client: PoolClient, sql: string, onRow: (fields: (Buffer | null)[]) => void): Promise<void> {
  const reader = new BinaryCopyReader(MAX_FIELDS, (data, at, count) => {
    const fields: (Buffer | null)[] = [];
    for (let n = 0; n < count; n += 1) fields.push(at[2 * n + 1] < 0 ? null : data.subarray(at[2 * n], at[2 * n] + at[2 * n + 1]));
    onRow(fields);
  });
  await copyOut(client, sql, (chunk) => reader.push(chunk));
  if (!reader.ended) throw new Error('binary COPY stream cut short');
}

/**
 * Runs `COPY (…) TO STDOUT` in any format, handing each CopyData chunk to `onChunk` as it arrives
 * (a view valid only during the call). The first throw of `onChunk` drops the rest of the stream
 * (the query still ends as usual) and rejects with it.
 */
export function copyOut(client: PoolClient, sql: string, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    const submittable = {
      ...unexpectedMessages,
      submit: (connection: CopyConnection) => connection.query(sql),
      handleCopyData: (message: { chunk: Buffer }) => {
        if (failure) return;
        try {
          onChunk(message.chunk);
        } catch (error) {
          failure = error as Error;
        }
      },
      handleCommandComplete: () => undefined,
      handleReadyForQuery: () => {
        if (failure) reject(failure);
        else resolve();
      },
      handleError: (error: Error) => reject(error),
    };
    void client.query(submittable as never);
  });
}

/** Runs `COPY <target> FROM STDIN (FORMAT binary)` with one row, streamed in pieces. */
export function copyRowIn(client: PoolClient, target: string, row: CopyRow): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const send = async (connection: CopyConnection) => {
      for (const piece of binaryCopyPieces(row)) {
        if (failed) return;
        connection.sendCopyFromChunk(piece);
        if (connection.stream.writableNeedDrain) await drained(connection.stream);
      }
      if (!failed) connection.endCopyFrom();
    };
    const submittable = {
      ...unexpectedMessages,
      submit: (connection: CopyConnection) => connection.query(`COPY ${target} FROM STDIN (FORMAT binary)`),
      handleCopyInResponse: (connection: CopyConnection) => {
        send(connection).catch((error: Error) => {
          failed = true;
          reject(error);
        });
      },
      handleCommandComplete: () => undefined,
      handleReadyForQuery: () => {
        if (!failed) resolve();
      },
      handleError: (error: Error) => {
        // The backend drops whatever CopyData still arrives after its error.
        failed = true;
        reject(error);
      },
    };
    void client.query(submittable as never);
  });
}

/** Messages a COPY never gets; a Submittable must still accept them. */
const unexpectedMessages = {
  handleRowDescription: () => undefined,
  handleDataRow: () => undefined,
  handleEmptyQuery: () => undefined,
  handlePortalSuspended: () => undefined,
  handleCopyData: () => undefined,
};

/** The binary COPY stream of one row, in Buffers of about PIECE bytes (big parts are not copied). */
function* binaryCopyPieces(row: CopyRow): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  function* add(bytes: Buffer): Generator<Buffer> {
    if (bytes.length >= PIECE) {
      if (pendingSize > 0) yield Buffer.concat(pending, pendingSize);
      pending = [];
      pendingSize = 0;
      for (let at = 0; at < bytes.length; at += PIECE) yield bytes.subarray(at, Math.min(bytes.length, at + PIECE));
      return;
    }
    pending.push(bytes);
    pendingSize += bytes.length;
    if (pendingSize >= PIECE) {
      yield Buffer.concat(pending, pendingSize);
      pending = [];
      pendingSize = 0;
    }
  }
  const head = Buffer.alloc(SIGNATURE.length + 8 + 2);
  SIGNATURE.copy(head);
  head.writeInt16BE(row.length, SIGNATURE.length + 8);
  yield* add(head);
  for (const field of row) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(field === null ? -1 : field.reduce((total, part) => total + part.length, 0));
    yield* add(length);
    for (const part of field ?? []) yield* add(Buffer.from(part.buffer, part.byteOffset, part.length));
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  yield* add(trailer);
  if (pendingSize > 0) yield Buffer.concat(pending, pendingSize);
}

/**
 * Parses a binary COPY stream chunk by chunk, handing each row to `onRow` as the start and length
 * of each field (length -1 for null) in `data`, two numbers a field: no object per field. A row of
 * more than `fieldCount` fields is refused; only a row cut between two chunks is copied.
 */
export class BinaryCopyReader {
  ended = false;
  private started = false;
  private pending: Buffer | undefined;
  private readonly fields: Int32Array;

  constructor(
    private readonly fieldCount: number,
    private readonly onRow: (data: Buffer, fields: Int32Array, count: number) => void,
  ) {
    this.fields = new Int32Array(fieldCount * 2);
  }

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
    if (count > this.fieldCount) throw new Error(`a binary COPY row of ${count} fields, more than ${this.fieldCount}`);
    const fields = this.fields;
    for (let n = 0; n < count; n += 1) {
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
    this.onRow(data, fields, count);
    return at;
  }

  private keep(data: Buffer, from: number): void {
    this.pending = Buffer.from(data.subarray(from));
  }
}

/** Resolves once the socket wants more, or is gone (the query then fails on its own). */
function drained(stream: CopyConnection['stream']): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.removeListener('drain', done);
      stream.removeListener('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
