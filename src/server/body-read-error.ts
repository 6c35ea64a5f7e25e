import { DocchatError } from '../core/errors.ts';

/** Names why reading a request body failed: our own limit error, the client leaving, or a broken body. */
export function bodyReadError(request: Request, error: unknown): DocchatError {
  if (error instanceof DocchatError) return error;
  if (request.signal.aborted) {
    return new DocchatError('aborted', 'The upload was cancelled.', { cause: error });
  }
  return new DocchatError('invalid_request', 'The request body could not be read; send it again.', {
    cause: error,
  });
}
