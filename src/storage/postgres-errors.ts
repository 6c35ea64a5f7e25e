import { DocchatError } from '../core/errors.ts';

/** Node socket errors that mean the database server cannot be reached right now. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * SQLSTATEs of a server that is restarting, shutting down, overloaded or cancelled a statement on its timeout
 * (class 08 is "connection exception"): retrying later can succeed.
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300', '57014', '53000', '58000']);

/** Whether `error`, thrown by `pg`, means the database is (for now) unavailable rather than a bad query. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (networkCodes.has(code) || unavailableStates.has(code) || code.startsWith('08')) return true;
  }
  // pg's own messages for a dropped connection and an exhausted connect timeout carry no code.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/**
 * Whether the server said it is terminating the connection (shutdown, crash recovery, or still starting): the
 * statement did not run, or ran in a transaction that was rolled back, so it is safe to try again elsewhere.
 */
export function isTerminatedConnection(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === '57P01' || code === '57P02' || code === '57P03';
}

/** `storage_unavailable` for a database outage (with `retryAfterSeconds` for the HTTP layer); anything else as is. */
export function toStorageError(error: unknown, retryAfterSeconds: number): unknown {
  if (error instanceof DocchatError || !isUnavailable(error)) return error;
  return new DocchatError(
    'storage_unavailable',
    'The chat database is unavailable right now; try again in a few seconds.',
    { cause: error, details: { retryAfterSeconds } },
  );
}
