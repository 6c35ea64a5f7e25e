import { DocchatError, type ErrorCode, toDocchatError } from '../core/errors.ts';

/** The JSON body of every failed API response. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

/** 499 is nginx's "client closed request": only logs ever see it, since the client is gone. */
const clientClosedRequest = 499;

/** The one place that decides the HTTP status of each error code. */
export function statusForError(code: ErrorCode): number {
  switch (code) {
    case 'not_found':
      return 404;
    case 'file_too_large':
    case 'ocr_too_many_pages':
      return 413;
    case 'unsupported_file_type':
    case 'unsupported_content_type':
      return 415;
    case 'origin_not_allowed':
      return 403;
    case 'invalid_request':
      return 400;
    case 'upstream_timeout':
    case 'model_timeout':
    case 'stream_stalled':
      return 504;
    case 'rate_limited':
      return 503;
    case 'quota_exceeded':
      return 429;
    case 'queue_full':
      return 503;
    case 'aborted':
      return clientClosedRequest;
    case 'internal':
      return 500;
    case 'storage_corrupt':
      return 503;
    case 'storage_full':
      return 507;
    case 'storage_unavailable':
      return 503;
    default: {
      const kind = new DocchatError(code, '').kind;
      return kind === 'input' ? 422 : kind === 'upstream' ? 502 : 500;
    }
  }
}

/** Turns anything thrown into its status and `{ error, message }` body; unknown failures become `internal`. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody; error: DocchatError } {
  const failure = toDocchatError(error);
  return {
    status: statusForError(failure.code),
    body: { error: failure.code, message: failure.message },
    error: failure,
  };
}

/** A JSON error response for anything thrown; `details.retryAfterSeconds` becomes a `Retry-After` header. */
export function errorResponse(error: unknown, headers?: HeadersInit): Response {
  const { status, body, error: failure } = toHttpError(error);
  const response = Response.json(body, { status, headers });
  const retryAfter = failure.details.retryAfterSeconds;
  if (typeof retryAfter === 'number')
    response.headers.set('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
  return response;
}

/** 405 for a known API path called with a method it does not support (code `invalid_request`). */
export function methodNotAllowedResponse(method: string, path: string, allowed: readonly string[]): Response {
  const body: ErrorBody = {
    error: 'invalid_request',
    message: `${method} is not supported on ${path}; use ${allowed.join(' or ')}.`,
  };
  return Response.json(body, { status: 405, headers: { Allow: allowed.join(', ') } });
}
