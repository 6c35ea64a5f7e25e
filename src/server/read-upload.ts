import { DocchatError } from '../core/errors.ts';
import { nextTurn } from '../core/take-turns.ts';
import type { LoadInput } from '../loaders/loader.ts';
import { bodyReadError } from './body-read-error.ts';
import { cleanFileName } from './clean-file-name.ts';
import { formatBytes } from './format-bytes.ts';
import { limitStream } from './limit-stream.ts';

/** Room for the multipart boundaries, part headers and the password field around the file itself. */
const multipartOverheadBytes = 64 * 1024;

/** One uploaded file and the optional PDF password sent with it. */
export interface Upload {
  input: LoadInput;
  password?: string;
}

/** The `file_too_large` error with the limit in words. */
export function fileTooLarge(maxBytes: number): DocchatError {
  return new DocchatError('file_too_large', `The file is larger than the ${formatBytes(maxBytes)} limit.`, {
    details: { limitBytes: maxBytes },
  });
}

/**
 * Reads a `multipart/form-data` upload with one file in field `file` and an optional `password` field.
 * The size limit is enforced while the body streams in (Content-Length is checked first but not trusted), so
 * at most `maxBytes` plus a small overhead is ever buffered. Throws `file_too_large`, `invalid_request`
 * (not multipart, garbage, no file, several files) or `aborted` (the client went away).
 */
export async function readUpload(request: Request, options: { maxBytes: number }): Promise<Upload> {
  const { maxBytes } = options;
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType) || request.body === null) {
    throw new DocchatError(
      'invalid_request',
      'Send the document as multipart/form-data with the file in a field named "file".',
    );
  }
  const bodyLimit = maxBytes + multipartOverheadBytes;
  if (Number(request.headers.get('content-length')) > bodyLimit) throw fileTooLarge(maxBytes);

  let form: FormData;
  try {
    const limited = limitStream(request.body, bodyLimit, () => fileTooLarge(maxBytes));
    const body = await new Response(limited).arrayBuffer();
    // Parsing a 2 MB body takes ~10 ms in one go; bodies that finished arriving together would otherwise all be
    // parsed in one run of promise jobs (60 uploads: ~0.5 s with no request served). One parse per turn instead.
    await nextTurn();
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    if (error instanceof TypeError && !request.signal.aborted) {
      throw new DocchatError(
        'invalid_request',
        'The upload is not valid multipart/form-data; send the file in a field named "file".',
        { cause: error },
      );
    }
    throw bodyReadError(request, error);
  }

  const files = form.getAll('file');
  const file = files[0];
  if (files.length !== 1 || !(file instanceof File)) {
    throw new DocchatError(
      'invalid_request',
      files.length > 1
        ? 'Upload one file per request (send several requests for several files).'
        : 'Attach the document as a file in a field named "file".',
    );
  }
  if (file.size > maxBytes) throw fileTooLarge(maxBytes);
  const password = form.get('password');
  const upload: Upload = {
    input: {
      name: cleanFileName(file.name),
      data: new Uint8Array(await file.arrayBuffer()),
      ...(file.type ? { mimeType: file.type } : {}),
    },
  };
  if (typeof password === 'string' && password !== '') upload.password = password;
  return upload;
}
