import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DocchatError, isAbortError, throwIfAborted } from '../core/errors.ts';
import type { LoadInput } from './loader.ts';

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function readError(path: string, error: unknown): DocchatError {
  if (isAbortError(error)) return new DocchatError('aborted', 'The request was cancelled.', { cause: error });
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new DocchatError('file_not_found', `No file at ${path}. Check the path and try again.`, {
      cause: error,
      details: { path },
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new DocchatError(
      'file_not_found',
      `${path} cannot be read: permission denied. Check its permissions.`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  return new DocchatError('internal', `${path} could not be read (${String(code ?? 'unknown error')}).`, {
    cause: error,
    details: { path },
  });
}

/**
 * Reads a file from disk as a {@link LoadInput} named by its base name. A missing path gives `file_not_found`,
 * a directory `unsupported_file_type`.
 */
export async function readInput(
  path: string,
  options: { signal?: AbortSignal; mimeType?: string } = {},
): Promise<LoadInput> {
  throwIfAborted(options.signal);
  try {
    if ((await stat(path)).isDirectory()) {
      throw new DocchatError(
        'unsupported_file_type',
        `${path} is a directory, not a file. Give the path of a document (a text file or a PDF).`,
        { details: { path } },
      );
    }
    const data = await readFile(path, { signal: options.signal });
    return {
      name: basename(path),
      data,
      ...(options.mimeType === undefined ? {} : { mimeType: options.mimeType }),
    };
  } catch (error) {
    if (error instanceof DocchatError) throw error;
    throw readError(path, error);
  }
}
