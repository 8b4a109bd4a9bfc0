import { TesseraError } from '@tessera/contracts';

/** Seconds a client is told to wait before it retries a request that met an unreachable database. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/** Socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server that is going away, starting up, or out of connections. */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres' own messages for a connection that is gone (they carry no code). */
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end)/;

/**
 * True when an error means PostgreSQL could not be reached or dropped the connection (not that a
 * query was wrong): the request may succeed once the database is back, so it is a 503, not a 500.
 * TypeORM's QueryFailedError copies the driver's code and message, so it is recognised too.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && typeof cause === 'object' && depth < 5; depth += 1) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && LOST_CONNECTION.test(message)) return true;
    cause = (cause as { cause?: unknown; driverError?: unknown }).driverError ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** The contract's 503 for a request that met an unreachable database; undefined for any other error. */
export function databaseUnavailable(error: unknown): TesseraError | undefined {
  if (error instanceof TesseraError || !isDatabaseUnreachable(error)) return undefined;
  return new TesseraError('unavailable', 'the database is unreachable; retry later', undefined, undefined, DATABASE_RETRY_AFTER_SECONDS);
}
