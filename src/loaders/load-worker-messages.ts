import { DocchatError, type ErrorCode, errorCodes, toDocchatError } from '../core/errors.ts';
import type { LoadedDocument } from '../core/types.ts';
import type { DocumentLimits } from './document-limits.ts';
import type { LoadInput, ProgressDetail } from './loader.ts';
import type { OcrSettings } from './ocr-settings.ts';

/** What the pool posts to a load worker: one file to parse (its bytes transferred, not copied). */
export interface LoadRequest {
  input: LoadInput;
  password?: string;
  ocr?: OcrSettings;
  limits?: DocumentLimits;
}

/** A {@link DocchatError} reduced to what survives `postMessage`: its code, message and details. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/**
 * What a load worker posts back: progress while it parses, then exactly one `done` or `error`, with the bytes
 * its heap holds afterwards (so the pool can recycle a worker whose heap stays large).
 */
export type LoadReply =
  | ({ type: 'progress'; done: number; total: number } & ProgressDetail)
  | { type: 'done'; document: LoadedDocument; heapBytes: number }
  | { type: 'error'; error: SerializedError; heapBytes: number };

/** Turns anything thrown into a {@link SerializedError}; unknown failures become `internal`. */
export function serializeError(error: unknown): SerializedError {
  const failure = toDocchatError(error);
  return { code: failure.code, message: failure.message, details: { ...failure.details } };
}

/** Rebuilds the {@link DocchatError} a worker threw, with the same code, message and details. */
export function deserializeError(error: SerializedError): DocchatError {
  // A worker from another version could send a code this one does not know: it must not leak out untyped.
  const code = Object.hasOwn(errorCodes, error.code) ? error.code : 'internal';
  return new DocchatError(code, error.message, { details: error.details });
}
