import { describe, expect, it } from 'vitest';
import { DocchatError, type ErrorCode, errorCodes } from '../core/errors.ts';
import { errorResponse, statusForError } from './http-errors.ts';

describe('statusForError', () => {
  it('maps every code as the contract says', () => {
    const expected: Record<ErrorCode, number> = {
      file_not_found: 422,
      unsupported_file_type: 415,
      empty_file: 422,
      not_text: 422,
      file_too_large: 413,
      pdf_encrypted: 422,
      pdf_wrong_password: 422,
      pdf_no_text: 422,
      pdf_corrupt: 422,
      corrupt_file: 422,
      image_no_text: 422,
      ocr_too_many_pages: 413,
      ocr_timeout: 422,
      invalid_request: 400,
      not_found: 404,
      model_file_invalid: 422,
      document_too_large: 422,
      quota_exceeded: 429,
      origin_not_allowed: 403,
      unsupported_content_type: 415,
      auth_failed: 502,
      model_not_found: 502,
      request_refused: 502,
      rate_limited: 503,
      upstream_error: 502,
      upstream_timeout: 504,
      stream_interrupted: 502,
      context_overflow: 502,
      queue_full: 503,
      model_timeout: 504,
      stream_stalled: 504,
      embedding_mismatch: 502,
      aborted: 499,
      internal: 500,
      storage_corrupt: 503,
      storage_full: 507,
      storage_unavailable: 503,
    };
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const status = statusForError(code);
      expect(status, code).toBe(expected[code] ?? (errorCodes[code] === 'input' ? 422 : 502));
    }
  });

  it('sends Retry-After for errors that say when to retry', () => {
    const response = errorResponse(
      new DocchatError('quota_exceeded', 'Too many questions.', { details: { retryAfterSeconds: 12.2 } }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('13');
    expect(errorResponse(new DocchatError('not_found', 'x')).headers.has('retry-after')).toBe(false);
  });

  it('never leaks the message of an unexpected failure', async () => {
    const response = errorResponse(new Error('SQLITE_CORRUPT at /secret/path'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: 'internal',
      message: 'Something went wrong on our side.',
    });
    const known = errorResponse(new DocchatError('pdf_encrypted', 'This PDF needs a password.'));
    expect(known.status).toBe(422);
    expect(await known.json()).toEqual({ error: 'pdf_encrypted', message: 'This PDF needs a password.' });
  });
});
