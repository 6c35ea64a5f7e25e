import { DocchatError, errorCodes } from '../core/errors.ts';
import type { SqliteLimits } from './sqlite-schema.ts';
import type { WriteArgs, WriteName } from './sqlite-writes.ts';

/** What the writer thread is started with (its `workerData`). */
export interface WriterData {
  path: string;
  limits: SqliteLimits;
}

/** One write for the writer thread, with the id its reply carries. */
export type WriteRequest = {
  [K in WriteName]: { type: 'write'; id: number; name: K; args: WriteArgs<K> };
}[WriteName];

/** What the store posts to its writer thread: writes, run one at a time in the order posted, then `close`. */
export type WriterRequest = WriteRequest | { type: 'close' };

/**
 * An error reduced to what survives `postMessage`: a {@link DocchatError}'s code, message and details, or
 * another error's name, message and node:sqlite's fields (`code` such as `ERR_SQLITE_ERROR`, `errcode`,
 * `errstr`); its cause likewise.
 */
export interface SerializedFailure {
  name: string;
  message: string;
  /** True for a {@link DocchatError}: then `code` is its error code. */
  docchat: boolean;
  code?: string;
  details?: Record<string, unknown>;
  errcode?: number;
  errstr?: string;
  cause?: SerializedFailure;
}

/** What the writer thread posts back: one `done` or `error` per write, and `closed` once its connection is. */
export type WriterReply =
  | { type: 'done'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedFailure }
  | { type: 'closed' };

/** How deep a chain of causes is kept. */
const maxCauses = 3;

/** Turns anything thrown into a {@link SerializedFailure}. */
export function serializeFailure(error: unknown, depth = 0): SerializedFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), docchat: false };
  const failure: SerializedFailure = { name: error.name, message: error.message, docchat: false };
  if (error instanceof DocchatError) {
    failure.docchat = true;
    failure.code = error.code;
    failure.details = { ...error.details };
  } else {
    const fields = error as Error & { code?: unknown; errcode?: unknown; errstr?: unknown };
    if (typeof fields.code === 'string') failure.code = fields.code;
    if (typeof fields.errcode === 'number') failure.errcode = fields.errcode;
    if (typeof fields.errstr === 'string') failure.errstr = fields.errstr;
  }
  if (error.cause !== undefined && depth < maxCauses)
    failure.cause = serializeFailure(error.cause, depth + 1);
  return failure;
}

/** Rebuilds the error the writer thread threw: the same `DocchatError` (code, message, details), cause included. */
export function deserializeFailure(failure: SerializedFailure): Error {
  const cause = failure.cause === undefined ? undefined : deserializeFailure(failure.cause);
  if (failure.docchat) {
    // A code this version does not know must not leak out untyped.
    const code =
      failure.code !== undefined && Object.hasOwn(errorCodes, failure.code)
        ? (failure.code as keyof typeof errorCodes)
        : 'internal';
    return new DocchatError(code, failure.message, { cause, details: failure.details ?? {} });
  }
  const error = new Error(failure.message, { cause });
  error.name = failure.name;
  const { code, errcode, errstr } = failure;
  return Object.assign(
    error,
    code === undefined ? {} : { code },
    errcode === undefined ? {} : { errcode },
    errstr === undefined ? {} : { errstr },
  );
}
