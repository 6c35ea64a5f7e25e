/**
 * Stable, snake_case error codes. They are part of the public contract: the CLI, the HTTP API
 * (`{ "error": code, "message": ... }`) and the UI all key on them. Add codes; never rename them.
 */
export const errorCodes = {
  // Bad input from the user: HTTP 4xx, CLI exit status 2.
  file_not_found: 'input',
  unsupported_file_type: 'input',
  empty_file: 'input',
  not_text: 'input',
  file_too_large: 'input',
  pdf_encrypted: 'input',
  pdf_wrong_password: 'input',
  pdf_no_text: 'input',
  pdf_corrupt: 'input',
  corrupt_file: 'input',
  image_no_text: 'input',
  ocr_too_many_pages: 'input',
  ocr_timeout: 'input',
  invalid_request: 'input',
  not_found: 'input',
  model_file_invalid: 'input',
  document_too_large: 'input',
  quota_exceeded: 'input',
  origin_not_allowed: 'input',
  unsupported_content_type: 'input',
  // The configured model provider failed: HTTP 502/503/504, CLI exit status 1.
  auth_failed: 'upstream',
  model_not_found: 'upstream',
  request_refused: 'upstream',
  rate_limited: 'upstream',
  upstream_error: 'upstream',
  upstream_timeout: 'upstream',
  stream_interrupted: 'upstream',
  context_overflow: 'upstream',
  // The server is busy (its parse queue is full): HTTP 503 with Retry-After.
  queue_full: 'upstream',
  model_timeout: 'upstream',
  stream_stalled: 'upstream',
  embedding_mismatch: 'upstream',
  // The caller gave up.
  aborted: 'aborted',
  // A bug or an environment failure: HTTP 500, CLI exit status 1.
  internal: 'internal',
  // The server's storage: its database file is damaged (HTTP 503) or its disk is full (HTTP 507).
  storage_corrupt: 'internal',
  storage_full: 'internal',
  // The database cannot be reached (restarting, unreachable, overloaded): HTTP 503 with Retry-After.
  storage_unavailable: 'internal',
} as const;

/** A stable error code; see {@link errorCodes}. */
export type ErrorCode = keyof typeof errorCodes;

/** Whose fault an error is: decides HTTP status class and CLI exit status. */
export type ErrorKind = (typeof errorCodes)[ErrorCode];

/** The one error class of the project: a stable `code`, a message fit to show a user, and optional details. */
export class DocchatError extends Error {
  override readonly name = 'DocchatError';
  readonly code: ErrorCode;
  /** Extra machine-readable facts (e.g. `{ limitBytes: 2000000 }`); never document text or secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** Whose fault it is: `input`, `upstream`, `aborted` or `internal`. */
  get kind(): ErrorKind {
    return errorCodes[this.code];
  }
}

/** Normalizes anything thrown into a {@link DocchatError}; unknown failures become `internal`. */
export function toDocchatError(error: unknown): DocchatError {
  if (error instanceof DocchatError) return error;
  if (isAbortError(error)) return new DocchatError('aborted', 'The request was cancelled.', { cause: error });
  return new DocchatError('internal', 'Something went wrong on our side.', { cause: error });
}

/** True for the errors an aborted AbortSignal produces (DOMException `AbortError`, OpenAI SDK's abort). */
export function isAbortError(error: unknown): boolean {
  if (error instanceof DocchatError) return error.code === 'aborted';
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'APIUserAbortError' || error.name === 'TimeoutError')
  );
}

/** Throws `aborted` if the signal has fired; call between steps of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new DocchatError('aborted', 'The request was cancelled.', { cause: signal.reason });
}
